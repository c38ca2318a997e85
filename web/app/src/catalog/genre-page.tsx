import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useParams, useSearchParams } from 'react-router';
import { Notice, Tile } from '../../../ui/components.tsx';
import type { Operations } from '../../../ui/api/openapi.generated.ts';
import { problemText, useApi } from '../api.ts';
import { titleTile } from './tiles.ts';

type Query = NonNullable<Operations['listTitles']['query']>;
const sorts: Array<[NonNullable<Query['sort']>, string]> = [
  ['popular', 'Most popular'],
  ['rating', 'Top rated'],
  ['newest', 'Newest'],
  ['title', 'A–Z'],
];

/** A genre with filters (kind, sort), as the API's browse filters. */
export function GenrePage() {
  const { slug = '' } = useParams();
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const sort = (params.get('sort') ?? 'popular') as NonNullable<Query['sort']>;
  const kind = params.get('kind') as Query['kind'] | null;
  const genres = useQuery({ queryKey: ['genres'], queryFn: () => api.call('listGenres') });
  const titles = useQuery({
    queryKey: ['genre', slug, sort, kind],
    queryFn: () => api.call('listTitles', { query: { genre: slug, sort, limit: 48, ...(kind && { kind }) } }),
    placeholderData: keepPreviousData,
  });
  const name = genres.data?.genres.find((genre) => genre.slug === slug)?.name ?? slug;
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <div className="ui-page">
      <h1>{name}</h1>
      <div className="ui-actions">
        <label className="ui-field">
          <span>Sort</span>
          <select value={sort} onChange={(event) => set('sort', event.target.value)}>
            {sorts.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="ui-field">
          <span>Kind</span>
          <select value={kind ?? ''} onChange={(event) => set('kind', event.target.value)}>
            <option value="">Movies and series</option>
            <option value="movie">Movies</option>
            <option value="series">Series</option>
          </select>
        </label>
      </div>
      {titles.isError && <Notice tone="error">{problemText(titles.error)}</Notice>}
      <ul className="ui-grid" aria-label={`${name} titles`}>
        {titles.data?.items.map((title) => (
          <Tile key={title.id} item={{ ...titleTile(title), caption: title.title }} />
        ))}
      </ul>
    </div>
  );
}
