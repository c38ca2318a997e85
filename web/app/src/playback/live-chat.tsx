import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button } from '../../../ui/components.tsx';
import { problemText, useApi } from '../api.ts';
import { chatReducer, emptyChat, type ServerFrame } from './live-chat-state.ts';

/** Close codes after which reconnecting cannot help (docs/LIVE-CHAT.md): bad ticket, not allowed. */
const FINAL_CLOSE_CODES = new Set([4401, 4403]);
const RECONNECT_MS = 1000;
/** The server's idle timeout is above 30 s; a ping keeps proxies from closing a quiet chat. */
const PING_MS = 25_000;

/**
 * A live event's chat beside the video (docs/LIVE-CHAT.md): a short-lived ticket over HTTP, then
 * the WebSocket, the ticket in the join frame (never in the URL). Reconnects after a drop or a
 * server going away, resuming after the last message seen.
 */
export function LiveChat(props: { eventId: string }) {
  const api = useApi();
  const [chat, setChat] = useState(emptyChat);
  const [draft, setDraft] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const lastId = useRef(0);
  const list = useRef<HTMLOListElement>(null);

  useEffect(() => {
    let closedByUs = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let ping: ReturnType<typeof setInterval> | undefined;
    const connect = async () => {
      let ticket: string;
      try {
        ({ ticket } = await api.call('createLiveChatTicket', { path: { id: props.eventId } }));
      } catch (error) {
        if (!closedByUs) setProblem(`Chat unavailable: ${problemText(error)}`);
        return;
      }
      if (closedByUs) return;
      const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
      const ws = new WebSocket(
        `${scheme}${location.host}/api/live/${encodeURIComponent(props.eventId)}/chat`,
      );
      socket.current = ws;
      ws.addEventListener('open', () => {
        ws.send(
          JSON.stringify({ type: 'join', ticket, ...(lastId.current > 0 && { after: lastId.current }) }),
        );
        ping = setInterval(() => ws.send(JSON.stringify({ type: 'ping' })), PING_MS);
      });
      ws.addEventListener('message', (event) => {
        const frame = JSON.parse(String(event.data)) as ServerFrame;
        if (frame.type === 'error') setProblem(frame.message);
        else if (frame.type === 'welcome') setProblem(null);
        setChat((current) => {
          const next = chatReducer(current, frame);
          lastId.current = next.messages.at(-1)?.id ?? lastId.current;
          return next;
        });
      });
      ws.addEventListener('close', (event) => {
        clearInterval(ping);
        socket.current = null;
        setChat((current) => ({ ...current, joined: false }));
        if (closedByUs) return;
        if (FINAL_CLOSE_CODES.has(event.code)) setProblem('The chat closed: you may not join it.');
        else retry = setTimeout(() => void connect(), RECONNECT_MS);
      });
    };
    void connect();
    return () => {
      closedByUs = true;
      clearTimeout(retry);
      clearInterval(ping);
      socket.current?.close(1000);
    };
  }, [api, props.eventId]);

  // Keep the newest message in view.
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
  }, [chat.messages]);

  const send = (event: FormEvent) => {
    event.preventDefault();
    const body = draft.trim();
    if (!body || !socket.current || socket.current.readyState !== WebSocket.OPEN) return;
    socket.current.send(JSON.stringify({ type: 'send', body }));
    setDraft('');
  };

  return (
    <aside className="live-chat" aria-label="Live chat" data-chat={chat.joined ? 'joined' : 'connecting'}>
      <h2>
        Live chat {chat.joined && <span className="ui-muted">· {chat.viewers} watching</span>}
        {chat.state === 'ended' && <span className="ui-muted"> · ended</span>}
      </h2>
      {chat.pinned && (
        <p className="live-chat-pinned" data-pinned="">
          📌 <strong>{chat.pinned.authorName}</strong>: {chat.pinned.body}
        </p>
      )}
      <ol className="live-chat-messages" ref={list} aria-live="polite">
        {chat.messages.map((message) => (
          <li key={message.id} data-message-id={message.id}>
            <strong>{message.authorName}</strong>: {message.body}
          </li>
        ))}
      </ol>
      {problem && (
        <p className="live-chat-problem" role="status">
          {problem}
        </p>
      )}
      <form className="live-chat-form" onSubmit={send} aria-label="Send a chat message">
        <label className="app-visually-hidden" htmlFor="live-chat-input">
          Message
        </label>
        <input
          id="live-chat-input"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          maxLength={500}
          placeholder={chat.state === 'ended' ? 'The chat is read-only' : 'Say something'}
          disabled={!chat.joined || chat.state === 'ended'}
          autoComplete="off"
        />
        <Button type="submit" disabled={!chat.joined || chat.state === 'ended' || draft.trim() === ''}>
          Send
        </Button>
      </form>
    </aside>
  );
}
