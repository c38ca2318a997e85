import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { Button, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';

type Kind = 'poster' | 'backdrop';
const labels: Record<Kind, string> = { poster: 'Poster', backdrop: 'Backdrop' };

/** One artwork slot: what is there now, and a file to replace it (the image is the request body). */
function ArtworkSlot({ title, kind }: { title: Schemas['AdminTitle']; kind: Kind }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const inputId = `artwork-${kind}`;
  const put = useMutation({
    mutationFn: (file: File) => api.upload('adminPutArtwork', { path: { id: title.id, kind } }, file),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin-title', title.id] }),
  });
  const current = title.artwork[kind];
  return (
    <div className="admin-artwork" data-artwork={kind}>
      {current ? (
        <img src={current} alt={`${labels[kind]} of ${title.title}`} data-kind={kind} />
      ) : (
        <p className="ui-muted">No {kind} yet.</p>
      )}
      <label htmlFor={inputId}>{labels[kind]} image (JPEG, PNG or WebP)</label>
      <input id={inputId} ref={input} type="file" accept="image/jpeg,image/png,image/webp" />
      <Button
        disabled={put.isPending}
        onClick={() => {
          const file = input.current?.files?.[0];
          if (file) put.mutate(file);
        }}
      >
        Upload {kind}
      </Button>
      {put.isError && <Notice tone="error">{problemText(put.error)}</Notice>}
      {put.isSuccess && <Notice tone="success">{labels[kind]} saved.</Notice>}
    </div>
  );
}

export function ArtworkEditor({ title }: { title: Schemas['AdminTitle'] }) {
  return (
    <section aria-labelledby="artwork" className="ui-card">
      <h2 id="artwork">Artwork</h2>
      <div className="admin-artwork-slots">
        <ArtworkSlot title={title} kind="poster" />
        <ArtworkSlot title={title} kind="backdrop" />
      </div>
    </section>
  );
}
