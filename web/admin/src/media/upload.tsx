import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { Button, Notice } from '../../../ui/components.tsx';
import { useApi } from '../../../ui/api/context.ts';
import { startTusUpload, type RunningUpload } from './tus-upload.ts';

/** Small enough that a short clip still moves the bar a few times, big enough for few round trips. */
const CHUNK_BYTES = 256 * 1024;

type State =
  | { kind: 'idle' }
  | { kind: 'uploading'; sent: number; total: number }
  | { kind: 'paused'; sent: number; total: number }
  | { kind: 'done'; resumedFrom: number; total: number }
  | { kind: 'failed'; message: string; sent: number; total: number };

/** Upload a video for one playable item (a movie or an episode) with a progress bar; pause and resume (tus-js-client). */
export function VideoUpload({ itemId, label }: { itemId: string; label: string }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const running = useRef<RunningUpload | null>(null);
  const paused = useRef(false);
  const [state, setState] = useState<State>({ kind: 'idle' });
  const inputId = `upload-${itemId}`;

  async function start() {
    const file = input.current?.files?.[0];
    if (!file) return;
    paused.current = false;
    setState({ kind: 'uploading', sent: 0, total: file.size });
    const upload = startTusUpload({
      file,
      itemId,
      chunkBytes: CHUNK_BYTES,
      accessToken: () => api.tokens.get()?.accessToken ?? null,
      refresh: api.refresh,
      onProgress: (sent, total) => {
        if (!paused.current) setState({ kind: 'uploading', sent, total });
      },
    });
    running.current = upload;
    try {
      const result = await upload.done;
      setState({ kind: 'done', resumedFrom: result.resumedFrom, total: file.size });
      await queryClient.invalidateQueries({ queryKey: ['jobs'] });
      await queryClient.invalidateQueries({ queryKey: ['admin-title'] });
    } catch (error) {
      setState((current) => ({
        kind: 'failed',
        message: error instanceof Error ? error.message : String(error),
        sent: 'sent' in current ? current.sent : 0,
        total: file.size,
      }));
    }
  }

  /** Stops sending; the server keeps what it has, and Resume asks it where to go on from. */
  function pause() {
    paused.current = true;
    running.current?.pause();
    setState((current) =>
      current.kind === 'uploading' ? { kind: 'paused', sent: current.sent, total: current.total } : current,
    );
  }

  const sent = 'sent' in state ? state.sent : state.kind === 'done' ? state.total : 0;
  const total = 'total' in state ? state.total : 0;
  const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
  return (
    <div className="admin-upload" data-upload-state={state.kind}>
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} ref={input} type="file" accept="video/*" disabled={state.kind === 'uploading'} />
      <div className="ui-actions">
        {state.kind === 'uploading' ? (
          <Button onClick={pause}>Pause upload</Button>
        ) : (
          <Button variant="primary" onClick={() => void start()}>
            {state.kind === 'paused' || state.kind === 'failed' ? 'Resume upload' : 'Upload'}
          </Button>
        )}
      </div>
      {state.kind !== 'idle' && (
        <div className="ui-progress">
          <progress max={100} value={percent} aria-label="Upload progress" aria-valuetext={`${percent} %`} />
          <span data-upload-percent={percent}>{percent} %</span>
        </div>
      )}
      {state.kind === 'paused' && <Notice>Paused at {percent} %. Resume continues from there.</Notice>}
      {state.kind === 'failed' && (
        <Notice tone="error">
          Upload stopped at {percent} %: {state.message}. Resume continues from what the server has.
        </Notice>
      )}
      {state.kind === 'done' && (
        <Notice tone="success">
          Uploaded
          {state.resumedFrom > 0
            ? ` (resumed from ${Math.floor((state.resumedFrom / state.total) * 100)} %)`
            : ''}
          ; transcoding is queued.
        </Notice>
      )}
    </div>
  );
}
