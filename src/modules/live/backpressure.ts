import type { WebSocket } from 'ws';

/**
 * Sends a frame, or drops the client when it already holds more than `maxBufferedBytes` unsent
 * (it reads slower than the chat flows): one slow viewer must not grow the server's memory. A
 * close frame would queue behind what it is not reading, so the socket is cut off.
 */
export function sendOrDrop(
  socket: Pick<WebSocket, 'readyState' | 'OPEN' | 'bufferedAmount' | 'send' | 'terminate'>,
  data: string | Buffer,
  maxBufferedBytes: number,
): 'sent' | 'dropped' | 'closed' {
  if (socket.readyState !== socket.OPEN) return 'closed';
  if (socket.bufferedAmount > maxBufferedBytes) {
    socket.terminate();
    return 'dropped';
  }
  // A Buffer goes out as text too: the chat's frames are JSON, serialised once for every viewer.
  socket.send(data, { binary: false });
  return 'sent';
}
