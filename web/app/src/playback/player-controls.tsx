import { useQuery } from '@tanstack/react-query';
import { useEffect, useState, type PointerEvent } from 'react';
import { useNavigate } from 'react-router';
import { Button, ButtonLink, Notice } from '../../../ui/components.tsx';
import { useApi } from '../api.ts';
import { episodeLabel, type NextEpisode } from './next-episode.ts';
import type { Refusal } from './refusals.ts';
import { thumbnailAt, type ThumbnailCue } from './thumbnail-track.ts';

/** The player's pickers: what the plan allows, and the package's audio and subtitle tracks. */
export interface TrackChoices {
  levels: number[];
  level: number;
  audio: Array<{ id: number; label: string }>;
  audioTrack: number;
  subtitles: Array<{ id: number; label: string }>;
  /** -1: off. */
  subtitleTrack: number;
}

export const noTracks: TrackChoices = {
  levels: [],
  level: -1,
  audio: [],
  audioTrack: -1,
  subtitles: [],
  subtitleTrack: -1,
};

/**
 * Quality (capped by the plan: the API lists no rendition above it), audio and subtitles. The
 * audio picker shows when the package carries more than one track, the subtitle picker when it
 * carries any: a picker with nothing to pick is noise.
 */
export function TrackPickers(props: {
  tracks: TrackChoices;
  maxHeight: number;
  onLevel: (index: number) => void;
  onAudio: (index: number) => void;
  onSubtitle: (index: number) => void;
}) {
  const { tracks } = props;
  return (
    <>
      <label className="ui-field">
        <span>Quality (your plan: up to {props.maxHeight}p)</span>
        <select value={tracks.level} onChange={(event) => props.onLevel(Number(event.target.value))}>
          <option value={-1}>Auto</option>
          {tracks.levels.map((height, index) => (
            <option key={`${height}-${index}`} value={index}>
              {height}p
            </option>
          ))}
        </select>
      </label>
      {tracks.audio.length > 1 && (
        <label className="ui-field">
          <span>Audio</span>
          <select
            value={tracks.audioTrack}
            onChange={(event) => props.onAudio(Number(event.target.value))}
            data-audio-picker=""
          >
            {tracks.audio.map((track) => (
              <option key={track.id} value={track.id}>
                {track.label}
              </option>
            ))}
          </select>
        </label>
      )}
      {tracks.subtitles.length > 0 && (
        <label className="ui-field">
          <span>Subtitles</span>
          <select
            value={tracks.subtitleTrack}
            onChange={(event) => props.onSubtitle(Number(event.target.value))}
            data-subtitle-picker=""
          >
            <option value={-1}>Off</option>
            {tracks.subtitles.map((track) => (
              <option key={track.id} value={track.id}>
                {track.label}
              </option>
            ))}
          </select>
        </label>
      )}
    </>
  );
}

export const clock = (seconds: number) => {
  const whole = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const secs = String(whole % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
};

/**
 * A seek bar with previews: pointing at (or arrowing along) the bar shows the frame from the
 * thumbnails track's sprite sheet, without loading the video there.
 */
export function ScrubBar(props: {
  cues: readonly ThumbnailCue[];
  duration: number;
  currentTime: number;
  onSeek: (seconds: number) => void;
}) {
  const [hover, setHover] = useState<{ seconds: number; share: number } | null>(null);
  const atPointer = (event: PointerEvent<HTMLInputElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    const share = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    setHover({ seconds: share * props.duration, share });
  };
  const cue = hover ? thumbnailAt(props.cues, hover.seconds) : null;
  return (
    <div className="player-scrub" data-previews={props.cues.length}>
      <input
        type="range"
        min={0}
        max={Math.max(1, Math.floor(props.duration))}
        step={1}
        value={Math.floor(props.currentTime)}
        aria-label="Seek"
        aria-valuetext={`${clock(props.currentTime)} of ${clock(props.duration)}`}
        onChange={(event) => {
          const seconds = Number(event.target.value);
          props.onSeek(seconds);
          setHover({ seconds, share: props.duration ? seconds / props.duration : 0 });
        }}
        onPointerMove={atPointer}
        onPointerDown={atPointer}
        onPointerLeave={() => setHover(null)}
        onBlur={() => setHover(null)}
        data-scrub=""
      />
      {hover && (
        <div
          className="player-scrub-preview"
          style={{ left: `${hover.share * 100}%` }}
          data-thumbnail-preview={cue ? cue.url : ''}
          aria-hidden="true"
        >
          {cue && (
            <div
              className="player-scrub-frame"
              style={{
                width: cue.width,
                height: cue.height,
                backgroundImage: `url("${cue.url}")`,
                backgroundPosition: `-${cue.x}px -${cue.y}px`,
              }}
            />
          )}
          <span>{clock(hover.seconds)}</span>
        </div>
      )}
    </div>
  );
}

const NEXT_EPISODE_COUNTDOWN_SECONDS = 10;

/** At the end of an episode: the next one, playing by itself after a short countdown. */
export function NextEpisodeCard(props: { next: NextEpisode; href: string }) {
  const navigate = useNavigate();
  const [left, setLeft] = useState(NEXT_EPISODE_COUNTDOWN_SECONDS);
  const [cancelled, setCancelled] = useState(false);
  useEffect(() => {
    if (cancelled) return;
    if (left <= 0) {
      void navigate(props.href);
      return;
    }
    const timer = setTimeout(() => setLeft((seconds) => seconds - 1), 1000);
    return () => clearTimeout(timer);
  }, [left, cancelled, navigate, props.href]);
  return (
    <section className="player-next" aria-label="Next episode" data-next-episode={props.next.id}>
      <p>
        Next episode: <strong>{episodeLabel(props.next)}</strong>
        {!cancelled && <span className="ui-muted"> · plays in {left} s</span>}
      </p>
      <div className="ui-actions">
        <ButtonLink to={props.href} variant="primary">
          ▶ Play next episode
        </ButtonLink>
        {!cancelled && <Button onClick={() => setCancelled(true)}>Cancel</Button>}
      </div>
    </section>
  );
}

/** A refusal's message and its remedy: end another stream, upgrade, sign in again. */
export function RefusalNotice(props: { refusal: Refusal & { code: string | null }; onRetry: () => void }) {
  const api = useApi();
  const streams = useQuery({
    queryKey: ['streams'],
    queryFn: () => api.call('listStreams'),
    enabled: props.refusal.action === 'end-another-stream',
  });
  const end = async (id: string) => {
    await api.call('endStream', { path: { id } });
    props.onRetry();
  };
  return (
    <Notice tone="error">
      <p data-refusal={props.refusal.code ?? ''}>{props.refusal.message}</p>
      {props.refusal.action === 'upgrade' && (
        <ButtonLink to="/plans" variant="primary">
          See plans and upgrade
        </ButtonLink>
      )}
      {props.refusal.action === 'sign-in' && <ButtonLink to="/signin">Sign in</ButtonLink>}
      {props.refusal.action === 'switch-profile' && <ButtonLink to="/profiles">Switch profile</ButtonLink>}
      {props.refusal.action === 'end-another-stream' && (
        <ul>
          {streams.data?.items.map((stream) => (
            <li key={stream.id} data-stream={stream.id}>
              {stream.itemName} on {stream.deviceName}{' '}
              <Button onClick={() => void end(stream.id)}>End this stream and watch here</Button>
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}
