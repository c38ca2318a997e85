// How bench:live's sockets join: a bare `ws` server takes any socket; Marquee wants a ticket over
// HTTP first, then a `join` frame, and answers `welcome`. Used by the viewer processes and by the
// posters alike.
import { WebSocket } from 'ws';
import type { ViewerTarget } from './chat-load.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function openSocket(url: string, joinFrame?: string): Promise<WebSocket> {
  // Nothing but the posted-at stamps is read from the frames: no UTF-8 check, no compression.
  const socket = new WebSocket(url, { skipUTF8Validation: true, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  if (joinFrame !== undefined) {
    // Closed before the welcome (a join that timed out on a loaded instance): an error to retry.
    const welcomed = new Promise((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('close', (code) => reject(new Error(`closed ${code} before the welcome`)));
    });
    socket.send(joinFrame);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((_resolve, reject) => {
      timer = setTimeout(() => {
        socket.terminate();
        reject(new Error('no answer within 30 s before the welcome'));
      }, 30_000);
    });
    await Promise.race([welcomed, timeout]).finally(() => clearTimeout(timer));
  }
  return socket;
}

/** A socket that has joined the target's chat; Marquee viewers alternate over its instances. */
export async function joinChat(target: ViewerTarget, index: number): Promise<WebSocket> {
  if (target.kind === 'bare') return openSocket(target.url);
  const base = target.bases[index % target.bases.length] as string;
  // An instance shedding load (503, on the ticket or the upgrade) while thousands join: wait and
  // try again with a new ticket, as a client would.
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(`${base}/api/live/${target.eventId}/chat-ticket`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.accessToken}` },
        body: '{}',
      });
      if (response.status !== 201) throw new Error(`ticket: ${response.status} ${await response.text()}`);
      const { ticket } = (await response.json()) as { ticket: string };
      return await openSocket(
        `${base.replace('http', 'ws')}/api/live/${target.eventId}/chat`,
        JSON.stringify({ type: 'join', ticket }),
      );
    } catch (error) {
      if (attempt >= 50 || !/503|before the welcome/.test(String(error))) throw error;
      console.error(`join retried: ${String(error)}`);
      await sleep(200 + Math.random() * 300);
    }
  }
}
