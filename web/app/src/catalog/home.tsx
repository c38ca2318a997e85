import { useQuery } from '@tanstack/react-query';
import { Row } from '../../../ui/components.tsx';
import { Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../api.ts';
import { continueTile, liveTile, titleTile } from './tiles.ts';

/** The home screen: continue watching, my list, recommendations with their reasons, the catalog's rows. */
export function Home() {
  const api = useApi();
  // Always fresh on arrival: the player or the title page may have just changed it.
  const personal = useQuery({
    queryKey: ['personal-rows'],
    queryFn: () => api.call('getPersonalRows'),
    refetchOnMount: 'always',
  });
  const recommendations = useQuery({
    queryKey: ['recommendations'],
    queryFn: () => api.call('getRecommendations'),
  });
  const home = useQuery({ queryKey: ['home'], queryFn: () => api.call('getHome') });
  // What is on air changes by the minute: asked again every minute while the screen is open.
  const live = useQuery({
    queryKey: ['live-events'],
    queryFn: () => api.call('listLiveEvents', { query: { days: 7 } }),
    refetchInterval: 60_000,
  });
  return (
    <div className="ui-page">
      <h1 className="app-visually-plain">Home</h1>
      {home.isError && <Notice tone="error">{problemText(home.error)}</Notice>}
      <Row
        id="continue-watching"
        title="Continue watching"
        items={(personal.data?.continueWatching ?? []).map(continueTile)}
      />
      <Row id="live" title="Live now and coming up" items={(live.data?.items ?? []).map(liveTile)} />
      <Row
        id="my-list"
        title="My List"
        items={(personal.data?.myList ?? []).map((item) => ({
          id: item.titleId,
          title: item.name,
          href: `/title/${item.titleId}`,
          caption: item.name,
        }))}
      />
      {recommendations.data?.rows.map((row) => (
        <Row
          key={`${row.kind}-${row.key ?? ''}`}
          id={`recs-${row.kind}-${row.key ?? ''}`}
          title={row.title}
          items={row.items.map((item) => ({
            id: item.titleId,
            title: item.name,
            href: `/title/${item.titleId}`,
            caption: item.reason,
          }))}
        />
      ))}
      {home.data?.rows.map((row) => (
        <Row key={row.id} id={row.id} title={row.title} items={row.items.map(titleTile)} />
      ))}
      {home.data && home.data.rows.length === 0 && <p className="ui-muted">The catalog is empty.</p>}
    </div>
  );
}
