import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { ApiError } from '../../../ui/api/client.ts';
import { ButtonLink, Notice } from '../../../ui/components.tsx';
import { problemText, useApi } from '../api.ts';
import { LiveChat } from './live-chat.tsx';
import { PlayerView } from './player.tsx';
import { refusalFor } from './refusals.ts';

/** How often a page waiting for an event to go on air asks again. */
const WAITING_POLL_MS = 10_000;

/**
 * `/live/:eventId`: a live event with its chat beside the video. Before it goes on air the page
 * says when it starts (and the chat is already open); once live the player starts at the live
 * edge; after it ends the chat stays readable and the recording, once published, is a link.
 */
export default function LivePage() {
  const { eventId = '' } = useParams();
  const api = useApi();
  const event = useQuery({
    queryKey: ['live-event', eventId],
    queryFn: () => api.call('getLiveEvent', { path: { id: eventId } }),
    refetchInterval: (query) => (query.state.data?.state === 'scheduled' ? WAITING_POLL_MS : false),
  });
  if (event.isPending) return <p className="ui-page ui-muted">Loading…</p>;
  if (event.isError) {
    const error = event.error;
    const message =
      error instanceof ApiError
        ? refusalFor(error.code, error.status, error.message).message
        : problemText(error);
    return (
      <div className="ui-page">
        <Notice tone="error">{message}</Notice>
      </div>
    );
  }
  const live = event.data;
  const chat = <LiveChat eventId={live.id} />;
  if (live.state === 'live') return <PlayerView key={live.id} itemId={live.id} side={chat} />;
  return (
    <div className="ui-page">
      <h1>{live.title}</h1>
      {live.description && <p>{live.description}</p>}
      <div className="player-layout">
        <div className="player-main">
          {live.state === 'scheduled' ? (
            <Notice>
              Starts {new Date(live.scheduledStart).toLocaleString()}. This page starts playing when it goes
              on air.
            </Notice>
          ) : (
            <Notice>
              This live event has ended.{' '}
              {live.recordingTitleId && (
                <ButtonLink to={`/title/${live.recordingTitleId}`}>Watch the recording</ButtonLink>
              )}
            </Notice>
          )}
        </div>
        {chat}
      </div>
    </div>
  );
}
