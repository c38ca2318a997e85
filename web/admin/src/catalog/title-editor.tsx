import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { Button, Field, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../../../ui/api/context.ts';
import { formFields } from '../../../ui/forms.ts';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { JobTable } from '../media/job-table.tsx';
import { VideoUpload } from '../media/upload.tsx';
import { ArtworkEditor } from './artwork.tsx';

type Title = Schemas['AdminTitle'];

const optionalNumber = (value: string | undefined) => (value ? Number(value) : undefined);

function Details({ title }: { title: Title }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('adminUpdateTitle', {
        path: { id: title.id },
        body: {
          title: fields.title,
          synopsis: fields.synopsis ?? '',
          releaseYear: optionalNumber(fields.releaseYear),
          ...(fields.maturityRating && { maturityRating: fields.maturityRating }),
        },
      }),
    onSuccess: (saved) => queryClient.setQueryData(['admin-title', title.id], saved),
  });
  return (
    <form onSubmit={(event) => save.mutate(formFields(event))} aria-label="Title details" className="ui-card">
      <h2>Details</h2>
      <Field label="Title" name="title" defaultValue={title.title} required />
      <label className="ui-field">
        <span>Synopsis</span>
        <textarea name="synopsis" defaultValue={title.synopsis} rows={3} />
      </label>
      <Field
        label="Release year"
        name="releaseYear"
        type="number"
        min={1870}
        max={2100}
        defaultValue={title.releaseYear ?? ''}
      />
      <Field label="Maturity rating" name="maturityRating" defaultValue={title.maturityRating ?? ''} />
      {save.isError && <Notice tone="error">{problemText(save.error)}</Notice>}
      {save.isSuccess && <Notice tone="success">Saved.</Notice>}
      <Button type="submit" disabled={save.isPending}>
        Save details
      </Button>
    </form>
  );
}

function PublishControls({ title }: { title: Title }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (publish: boolean) =>
      api.call(publish ? 'adminPublishTitle' : 'adminUnpublishTitle', { path: { id: title.id } }),
    onSuccess: (saved) => {
      queryClient.setQueryData(['admin-title', title.id], saved);
      void queryClient.invalidateQueries({ queryKey: ['admin-titles'] });
    },
  });
  const published = title.status === 'published';
  return (
    <div className="ui-actions">
      <span className="admin-status" data-title-status={title.status}>
        Status: <strong>{title.status}</strong>
      </span>
      <Button
        variant={published ? 'plain' : 'primary'}
        disabled={change.isPending}
        onClick={() => change.mutate(!published)}
      >
        {published ? 'Unpublish' : 'Publish'}
      </Button>
      {published && (
        <a className="ui-button" href={`/title/${title.id}`}>
          View in the catalog
        </a>
      )}
      {change.isError && <Notice tone="error">{problemText(change.error)}</Notice>}
    </div>
  );
}

function Seasons({ title }: { title: Title }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['admin-title', title.id] });
  const addSeason = useMutation({
    mutationFn: (fields: Record<string, string>) =>
      api.call('adminCreateSeason', {
        path: { id: title.id },
        body: { number: Number(fields.number), ...(fields.name && { name: fields.name }) },
      }),
    onSuccess: refresh,
  });
  const addEpisode = useMutation({
    mutationFn: (input: { seasonId: string; fields: Record<string, string> }) =>
      api.call('adminCreateEpisode', {
        path: { id: input.seasonId },
        body: { number: Number(input.fields.number), name: input.fields.name ?? '' },
      }),
    onSuccess: refresh,
  });
  const publishEpisode = useMutation({
    mutationFn: (id: string) => api.call('adminPublishEpisode', { path: { id } }),
    onSuccess: refresh,
  });
  const nextSeason = Math.max(0, ...title.seasons.map((s) => s.number)) + 1;
  return (
    <section aria-labelledby="seasons">
      <h2 id="seasons">Seasons and episodes</h2>
      {title.seasons.map((season) => {
        const nextEpisode = Math.max(0, ...season.episodes.map((e) => e.number)) + 1;
        return (
          <section key={season.id} className="ui-card admin-season" aria-label={`Season ${season.number}`}>
            <h3>
              Season {season.number}
              {season.name ? ` — ${season.name}` : ''}
            </h3>
            <ul className="admin-episodes">
              {season.episodes.map((episode) => (
                <li key={episode.id} data-episode-id={episode.id}>
                  <div className="ui-actions">
                    <strong>
                      {episode.number}. {episode.name}
                    </strong>
                    <span className="ui-muted">{episode.status}</span>
                    {episode.status !== 'published' && (
                      <Button onClick={() => publishEpisode.mutate(episode.id)}>
                        Publish episode {episode.number}
                      </Button>
                    )}
                  </div>
                  <VideoUpload itemId={episode.id} label={`Video for episode ${episode.number}`} />
                  <JobTable itemId={episode.id} caption={`Transcoding of episode ${episode.number}`} />
                </li>
              ))}
            </ul>
            <form
              className="admin-inline-form"
              aria-label={`New episode in season ${season.number}`}
              onSubmit={(event) => addEpisode.mutate({ seasonId: season.id, fields: formFields(event) })}
            >
              <Field
                label="Episode number"
                name="number"
                type="number"
                min={1}
                defaultValue={nextEpisode}
                required
              />
              <Field label="Episode name" name="name" required />
              <Button type="submit">Add episode</Button>
            </form>
          </section>
        );
      })}
      <form
        className="admin-inline-form"
        aria-label="New season"
        onSubmit={(event) => addSeason.mutate(formFields(event))}
      >
        <Field label="Season number" name="number" type="number" min={0} defaultValue={nextSeason} required />
        <Field label="Season name" name="name" />
        <Button type="submit">Add season</Button>
      </form>
      {[addSeason, addEpisode, publishEpisode].map((m, i) =>
        m.isError ? (
          <Notice key={i} tone="error">
            {problemText(m.error)}
          </Notice>
        ) : null,
      )}
    </section>
  );
}

/** One title: details, publishing, and its video (a movie) or its seasons and episodes (a series). */
export default function TitleEditor() {
  const api = useApi();
  const { id = '' } = useParams();
  const title = useQuery({
    queryKey: ['admin-title', id],
    queryFn: () => api.call('adminGetTitle', { path: { id } }),
    // A title is `processing` while its video transcodes: its status follows the job's.
    refetchInterval: (query) => (query.state.data?.status === 'processing' ? 2000 : false),
  });
  if (title.isError) return <Notice tone="error">{problemText(title.error)}</Notice>;
  if (title.isPending) return <p className="ui-muted">Loading…</p>;
  const data = title.data;
  return (
    <>
      <p>
        <Link to="/titles">← Content</Link>
      </p>
      <h1>{data.title}</h1>
      <PublishControls title={data} />
      <div className="admin-columns">
        <Details key={data.id} title={data} />
        {data.kind === 'movie' && (
          <section aria-labelledby="video" className="ui-card">
            <h2 id="video">Video</h2>
            <VideoUpload itemId={data.id} label="Video file" />
            <h3>Transcoding</h3>
            <JobTable itemId={data.id} caption="Transcoding jobs of this title" />
          </section>
        )}
      </div>
      <ArtworkEditor title={data} />
      {data.kind === 'series' && <Seasons title={data} />}
    </>
  );
}
