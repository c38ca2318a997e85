import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { Button, ButtonLink, Notice } from '../../../ui/components.tsx';
import { posterDataUri } from '../../../ui/poster.ts';
import { problemText, useApi } from '../api.ts';

/** A title: synopsis, cast, seasons and episodes, rating, like, add to My List, play. */
export function TitlePage() {
  const { id = '' } = useParams();
  const api = useApi();
  const queryClient = useQueryClient();
  const title = useQuery({ queryKey: ['title', id], queryFn: () => api.call('getTitle', { path: { id } }) });
  const opinion = useQuery({
    queryKey: ['opinion', id],
    queryFn: () => api.call('getTitleOpinion', { path: { id } }),
  });
  const personal = useQuery({ queryKey: ['personal-rows'], queryFn: () => api.call('getPersonalRows') });
  const comments = useQuery({
    queryKey: ['comments', id],
    queryFn: () => api.call('listComments', { path: { id }, query: { limit: 10 } }),
  });
  const liked = opinion.data?.reaction === 'up';
  const inList = personal.data?.myList.some((item) => item.titleId === id) ?? false;
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['opinion', id] }),
      queryClient.invalidateQueries({ queryKey: ['personal-rows'] }),
      queryClient.invalidateQueries({ queryKey: ['recommendations'] }),
    ]);
  const like = useMutation({
    mutationFn: async () => {
      if (liked) await api.call('removeTitleReaction', { path: { id } });
      else await api.call('reactToTitle', { path: { id }, body: { reaction: 'up' } });
    },
    onSuccess: refresh,
  });
  const list = useMutation({
    mutationFn: () =>
      inList ? api.call('removeFromMyList', { path: { id } }) : api.call('addToMyList', { path: { id } }),
    onSuccess: refresh,
  });

  if (title.isPending) return <p className="ui-page ui-muted">Loading…</p>;
  if (title.isError)
    return (
      <div className="ui-page">
        <Notice tone="error">{problemText(title.error)}</Notice>
      </div>
    );
  const t = title.data;
  const cast = t.credits.filter((credit) => credit.role === 'actor');
  const crew = t.credits.filter((credit) => credit.role !== 'actor');
  return (
    <div className="ui-page">
      <div className="title-hero">
        <img
          src={
            t.artwork.poster ??
            posterDataUri({ title: t.title, year: t.releaseYear, genre: t.genres[0] ?? null })
          }
          alt={`Poster of ${t.title}`}
          width={200}
          height={300}
        />
        <div>
          <h1>{t.title}</h1>
          <p className="ui-muted">
            {[
              t.releaseYear,
              t.maturityRating,
              t.runtimeMinutes && `${t.runtimeMinutes} min`,
              t.genres.join(', '),
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
          {t.ratingAverage != null && (
            <p>
              Rated {t.ratingAverage.toFixed(1)} / 5 by {t.ratingCount} viewers
            </p>
          )}
          <p>{t.synopsis || 'No synopsis yet.'}</p>
          <div className="ui-actions">
            {t.kind === 'movie' && (
              <ButtonLink to={`/play/${t.id}`} variant="primary">
                ▶ Play
              </ButtonLink>
            )}
            <Button
              aria-pressed={liked}
              onClick={() => like.mutate()}
              disabled={like.isPending || opinion.isPending}
            >
              {liked ? '♥ Liked' : '♡ Like'}
            </Button>
            <Button
              aria-pressed={inList}
              onClick={() => list.mutate()}
              disabled={list.isPending || personal.isPending}
            >
              {inList ? '✓ In My List' : '+ My List'}
            </Button>
          </div>
          {(like.isError || list.isError) && (
            <Notice tone="error">{problemText(like.error ?? list.error)}</Notice>
          )}
          {cast.length > 0 && (
            <p>
              <strong>Cast:</strong>{' '}
              {cast
                .map((credit) => credit.person.name + (credit.character ? ` (${credit.character})` : ''))
                .join(', ')}
            </p>
          )}
          {crew.length > 0 && (
            <p>
              <strong>Crew:</strong>{' '}
              {crew.map((credit) => `${credit.person.name} (${credit.role})`).join(', ')}
            </p>
          )}
        </div>
      </div>
      {t.seasons.map((season) => (
        <section key={season.id} aria-labelledby={`season-${season.id}`}>
          <h2 id={`season-${season.id}`}>{season.name ?? `Season ${season.number}`}</h2>
          <ol className="episode-list">
            {season.episodes.map((episode) => (
              <li key={episode.id}>
                <ButtonLink to={`/play/${episode.id}?series=${t.id}`}>▶ {episode.number}</ButtonLink>
                <span>
                  {episode.name}
                  {episode.runtimeMinutes ? (
                    <span className="ui-muted"> · {episode.runtimeMinutes} min</span>
                  ) : null}
                </span>
              </li>
            ))}
          </ol>
        </section>
      ))}
      <section aria-labelledby="comments">
        <h2 id="comments">Comments</h2>
        {comments.data?.items.length === 0 && <p className="ui-muted">No comments yet.</p>}
        <ul>
          {comments.data?.items.map((comment) => (
            <li key={comment.id}>
              <strong>{comment.authorName}</strong>: {comment.body ?? <em className="ui-muted">(removed)</em>}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
