import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Notice, Tile } from '../../../ui/components.tsx';
import { problemText, useApi } from '../api.ts';
import { titleTile } from './tiles.ts';

/** Instant, typo-tolerant search (the API's relevance search) as the viewer types. */
export function Search() {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const [query, setQuery] = useState(text);
  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), 150);
    return () => clearTimeout(timer);
  }, [text]);
  // The address keeps the query (to share or come back to), written only when the query changes:
  // setParams changes with every navigation, so depending on it would loop.
  const written = useRef(query);
  useEffect(() => {
    if (written.current === query) return;
    written.current = query;
    setParams(query ? { q: query } : {}, { replace: true });
  }, [query, setParams]);
  const results = useQuery({
    queryKey: ['search', query],
    queryFn: () => api.call('listTitles', { query: { q: query, sort: 'relevance', limit: 30 } }),
    enabled: query.length > 0,
    placeholderData: keepPreviousData,
  });
  const genres = useQuery({ queryKey: ['genres'], queryFn: () => api.call('listGenres') });
  return (
    <div className="ui-page">
      <h1>Search</h1>
      <label className="ui-field">
        <span>Titles</span>
        <input
          type="search"
          name="q"
          value={text}
          onChange={(event) => setText(event.target.value)}
          placeholder="Search titles, e.g. “matirx”"
          autoFocus
        />
      </label>
      {results.isError && <Notice tone="error">{problemText(results.error)}</Notice>}
      {query && results.data && (
        <>
          <p className="ui-muted" role="status">
            {results.data.items.length === 0 ? `Nothing found for “${query}”.` : `Results for “${query}”`}
          </p>
          <ul className="ui-grid" aria-label="Search results">
            {results.data.items.map((title) => (
              <Tile key={title.id} item={{ ...titleTile(title), caption: title.title }} />
            ))}
          </ul>
        </>
      )}
      {!query && (
        <>
          <h2>Browse by genre</h2>
          <div className="ui-actions">
            {genres.data?.genres.map((genre) => (
              <Link key={genre.id} className="ui-button" to={`/genre/${genre.slug}`}>
                {genre.name}
              </Link>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
