import { useQuery, useQueryClient } from '@tanstack/react-query';
import Hls from 'hls.js';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../../ui/api/client.ts';
import { Button, Notice } from '../../../ui/components.tsx';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { problemText, useApi } from '../api.ts';
import { adLabel, midrollDue, prerollOf, type AdBreak } from './ad-pod.ts';
import { playPod, podFor, scheduleFor, type AdAuth, type AdProgress } from './ad-hooks.ts';
import { decodableCodecs } from './codecs.ts';
import { nextEpisodeAfter } from './next-episode.ts';
import {
  NextEpisodeCard,
  noTracks,
  RefusalNotice,
  ScrubBar,
  TrackPickers,
  type TrackChoices,
} from './player-controls.tsx';
import { QoeBeacons } from './qoe-beacons.ts';
import { refusalFor, type Refusal } from './refusals.ts';
import { parseThumbnailTrack, type ThumbnailCue } from './thumbnail-track.ts';

type Session = Schemas['PlaybackSession'];

interface PlayerState {
  session: Session | null;
  hls: Hls | null;
  qoe: QoeBeacons | null;
  /**
   * The last position played: on unmount the <video> ref is already gone when the stream ends,
   * and before the content plays (during a pre-roll) it is the resume position.
   */
  position: number;
  /** The session's ad breaks, the offsets already played, and whether a pod is playing now. */
  breaks: AdBreak[];
  playedBreaks: Set<number>;
  inBreak: boolean;
}

/** `/play/:itemId?series=<titleId>`: a movie, or an episode (with "next episode" at its end). */
export default function Player() {
  const { itemId = '' } = useParams();
  const [search] = useSearchParams();
  return <PlayerView key={itemId} itemId={itemId} seriesId={search.get('series')} />;
}

/**
 * The player: starts a stream (the API caps its renditions at the plan's quality), plays it with
 * hls.js from the saved position, with the package's audio and subtitle tracks and seek
 * previews, sends heartbeats (which record progress), plays the plan's ads (a pre-roll before
 * the content, mid-rolls as it reaches them), offers the next episode at the end, and ends the
 * stream when the viewer leaves. Refusals get their own message and remedy. A live event plays
 * the same way from its live edge; `side` (its chat) sits beside the video.
 */
export function PlayerView(props: { itemId: string; seriesId?: string | null; side?: ReactNode }) {
  const { itemId } = props;
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const video = useRef<HTMLVideoElement>(null);
  const adVideo = useRef<HTMLVideoElement>(null);
  const ads = useRef(new AbortController());
  const state = useRef<PlayerState>({
    session: null,
    hls: null,
    qoe: null,
    position: 0,
    breaks: [],
    playedBreaks: new Set(),
    inBreak: false,
  });
  const [session, setSession] = useState<Session | null>(null);
  const [refusal, setRefusal] = useState<(Refusal & { code: string | null }) | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [tracks, setTracks] = useState<TrackChoices>(noTracks);
  const [attempt, setAttempt] = useState(0);
  const [ad, setAd] = useState<AdProgress | null>(null);
  const [cues, setCues] = useState<ThumbnailCue[]>([]);
  const [time, setTime] = useState({ current: 0, duration: 0 });
  const [ended, setEnded] = useState(false);
  const series = useQuery({
    queryKey: ['title', props.seriesId],
    queryFn: () => api.call('getTitle', { path: { id: props.seriesId ?? '' } }),
    enabled: !!props.seriesId,
  });
  const next = series.data ? nextEpisodeAfter(series.data, itemId) : null;
  const adAuth: AdAuth = { token: () => api.tokens.get()?.accessToken ?? null, refresh: api.refresh };

  // Until the content has played a moment, a heartbeat must not record 0 over the resume position.
  const positionNow = () => {
    const played = state.current.hls ? video.current?.currentTime : undefined;
    return played || state.current.position;
  };

  /**
   * Saves the position and ends the stream, so it stops counting against the plan at once. The
   * two requests go out together, not one after the other: on a closing page (pagehide) nothing
   * runs after the first answer, and a stream left open would refuse the next screen until its
   * heartbeat lapsed. The position goes through POST /api/progress, which needs no session.
   */
  const endStream = useCallback(
    (options: { keepalive: boolean }) => {
      const current = state.current.session;
      state.current.session = null;
      // The server takes beacons for open streams only: they go before the stream ends.
      state.current.qoe?.close(options);
      state.current.qoe = null;
      state.current.hls?.destroy();
      state.current.hls = null;
      if (!current) return;
      const token = api.tokens.get()?.accessToken;
      const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const positionSeconds = Math.floor(positionNow());
      // keepalive lets these outlive a closing page, which a plain fetch does not.
      const saved = current.live
        ? Promise.resolve()
        : fetch('/api/progress', {
            method: 'POST',
            headers: { ...authorization, 'content-type': 'application/json' },
            body: JSON.stringify({
              itemId: current.itemId,
              positionSeconds,
              ...(current.durationSeconds && { durationSeconds: current.durationSeconds }),
            }),
            keepalive: options.keepalive,
          }).catch(() => undefined);
      const ended = fetch(`/api/playback/sessions/${current.sessionId}`, {
        method: 'DELETE',
        headers: authorization,
        keepalive: options.keepalive,
      }).catch(() => undefined);
      // Continue watching now has this position.
      void Promise.all([saved, ended]).then(() =>
        queryClient.invalidateQueries({ queryKey: ['personal-rows'] }),
      );
    },
    [api, queryClient],
  );

  /** Plays one break's pod over the paused content, then goes on where the content was. */
  const playBreak = async (adBreak: AdBreak) => {
    const element = video.current;
    const adElement = adVideo.current;
    if (!element || !adElement) return;
    state.current.inBreak = true;
    const resumeAt = element.currentTime;
    element.pause();
    const pod = await podFor({ adBreak, auth: adAuth, signal: ads.current.signal });
    if (pod.length > 0) await playPod({ element: adElement, pod, signal: ads.current.signal, onAd: setAd });
    state.current.inBreak = false;
    if (ads.current.signal.aborted || !state.current.hls) return;
    element.currentTime = resumeAt;
    element.play().catch(() => undefined);
  };

  useEffect(() => {
    let cancelled = false;
    ads.current = new AbortController();
    const signal = ads.current.signal;
    setRefusal(null);
    setFailure(null);
    setEnded(false);
    void (async () => {
      let started: Session;
      try {
        started = await api.call('startPlayback', { path: { itemId }, body: { codecs: decodableCodecs() } });
      } catch (error) {
        if (cancelled) return;
        if (error instanceof ApiError)
          setRefusal({ ...refusalFor(error.code, error.status, error.message), code: error.code });
        else setFailure(problemText(error));
        return;
      }
      if (cancelled) {
        void api.call('endStream', { path: { id: started.sessionId } }).catch(() => undefined);
        return;
      }
      state.current.session = started;
      state.current.position = started.resumePositionSeconds;
      setSession(started);
      if (started.thumbnailsUrl) void loadThumbnails(started.thumbnailsUrl, signal).then(setCues);
      const element = video.current;
      if (!element) return;
      // A plan with ads: the pre-roll pod plays before the content is even loaded.
      const breaks = await scheduleFor({ session: started, auth: adAuth, signal });
      state.current.breaks = breaks;
      state.current.playedBreaks = new Set([0]);
      const preroll = prerollOf(breaks);
      if (preroll && adVideo.current) {
        const pod = await podFor({ adBreak: preroll, auth: adAuth, signal });
        if (pod.length > 0) await playPod({ element: adVideo.current, pod, signal, onAd: setAd });
      }
      // Mid-rolls the resume position is already past are not owed: the viewer saw them.
      for (const adBreak of breaks)
        if ((adBreak.offsetSeconds ?? 0) <= started.resumePositionSeconds)
          state.current.playedBreaks.add(adBreak.offsetSeconds ?? 0);
      if (cancelled) return;
      if (!Hls.isSupported()) {
        setFailure('This browser cannot play HLS through Media Source Extensions.');
        endStream({ keepalive: false });
        return;
      }
      const hls = new Hls({
        // A live event starts near its live edge (-1); a title where the viewer left it.
        startPosition: started.live ? -1 : started.resumePositionSeconds || -1,
        capLevelToPlayerSize: false,
      });
      state.current.hls = hls;
      state.current.qoe = new QoeBeacons({
        hls,
        element,
        sessionId: started.sessionId,
        token: () => api.tokens.get()?.accessToken ?? null,
      });
      const readTracks = () =>
        setTracks((current) => ({
          ...current,
          audio: hls.audioTracks.map((track, index) => ({
            id: index,
            label: track.name || track.lang || `Track ${index + 1}`,
          })),
          audioTrack: hls.audioTrack,
          subtitles: hls.subtitleTracks.map((track, index) => ({
            id: index,
            label: track.name || track.lang || `Subtitles ${index + 1}`,
          })),
          subtitleTrack: hls.subtitleTrack,
        }));
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        // Start at the best rendition the plan allows; the API lists none above the cap.
        hls.currentLevel = hls.levels.length - 1;
        setTracks((current) => ({ ...current, levels: hls.levels.map((l) => l.height) }));
        readTracks();
        element.play().catch(() => undefined);
      });
      hls.on(Hls.Events.AUDIO_TRACKS_UPDATED, readTracks);
      hls.on(Hls.Events.AUDIO_TRACK_SWITCHED, readTracks);
      hls.on(Hls.Events.SUBTITLE_TRACKS_UPDATED, readTracks);
      hls.on(Hls.Events.SUBTITLE_TRACK_SWITCH, readTracks);
      hls.on(Hls.Events.ERROR, (_event, data) => {
        if (!data.fatal) return;
        setFailure(`Playback error: ${data.details}`);
        endStream({ keepalive: false });
      });
      hls.loadSource(started.masterPlaylistUrl);
      hls.attachMedia(element);
    })();
    return () => {
      cancelled = true;
      ads.current.abort();
      setAd(null);
      endStream({ keepalive: true });
    };
  }, [api, itemId, attempt, endStream]);

  // Heartbeats keep the stream counted as live and record the position for "continue watching".
  useEffect(() => {
    if (!session) return;
    const timer = setInterval(() => {
      if (!state.current.session) return;
      api
        .call('sendHeartbeat', {
          path: { id: session.sessionId },
          body: { positionSeconds: Math.floor(positionNow()) },
        })
        .catch((error: unknown) => {
          setFailure(`Stream ended: ${problemText(error)}`);
          state.current.session = null;
          state.current.hls?.destroy();
        });
    }, session.heartbeatIntervalSeconds * 1000);
    return () => clearInterval(timer);
  }, [api, session]);

  useEffect(() => {
    const onHide = () => endStream({ keepalive: true });
    window.addEventListener('pagehide', onHide);
    return () => window.removeEventListener('pagehide', onHide);
  }, [endStream]);

  const onTimeUpdate = (element: HTMLVideoElement) => {
    state.current.position = element.currentTime;
    setTime({ current: element.currentTime, duration: element.duration || session?.durationSeconds || 0 });
    if (state.current.inBreak || !state.current.hls || element.seeking) return;
    const { due, reached } = midrollDue(
      state.current.breaks,
      state.current.playedBreaks,
      element.currentTime,
    );
    if (!due) return;
    for (const offset of reached) state.current.playedBreaks.add(offset);
    void playBreak(due);
  };

  const hls = () => state.current.hls;
  const seek = (seconds: number) => {
    if (video.current) video.current.currentTime = seconds;
  };

  return (
    <div className="ui-page">
      <h1>{session?.itemName ?? 'Player'}</h1>
      {refusal && <RefusalNotice refusal={refusal} onRetry={() => setAttempt((n) => n + 1)} />}
      {failure && <Notice tone="error">{failure}</Notice>}
      <div className="player-layout" data-live={session?.live ? 'true' : undefined}>
        <div className="player-main">
          <div className="player-stage" hidden={!!refusal}>
            {/* No controls on the ad: it is not seekable (playAd also undoes a scripted seek). */}
            <video ref={adVideo} hidden={!ad} playsInline aria-label="Advertisement" data-ad-player="" />
            {ad && (
              <p className="player-ad-label" role="status" data-ad-label="">
                {adLabel(ad.position, ad.count)}
              </p>
            )}
            <video
              hidden={!!ad}
              ref={video}
              onTimeUpdate={(event) => onTimeUpdate(event.currentTarget)}
              onEnded={() => setEnded(true)}
              onPlaying={() => setEnded(false)}
              controls
              playsInline
              aria-label={session ? `Video: ${session.itemName}` : 'Video'}
              data-player="main"
            />
          </div>
          {session && !session.live && time.duration > 0 && !ad && (
            <ScrubBar cues={cues} duration={time.duration} currentTime={time.current} onSeek={seek} />
          )}
          {ended && next && (
            <NextEpisodeCard next={next} href={`/play/${next.id}?series=${props.seriesId ?? ''}`} />
          )}
          {session && (
            <div className="player-bar">
              <TrackPickers
                tracks={tracks}
                maxHeight={session.maxHeight}
                onLevel={(index) => {
                  const current = hls();
                  if (current) current.currentLevel = index;
                  setTracks((value) => ({ ...value, level: index }));
                }}
                onAudio={(index) => {
                  const current = hls();
                  if (current) current.audioTrack = index;
                }}
                onSubtitle={(index) => {
                  const current = hls();
                  if (!current) return;
                  current.subtitleDisplay = index >= 0;
                  current.subtitleTrack = index;
                }}
              />
              <Button onClick={() => void navigate(-1)}>Stop and go back</Button>
              <Link to="/">Home</Link>
            </div>
          )}
        </div>
        {props.side}
      </div>
    </div>
  );
}

/** The seek-preview cues, or none when the track cannot be read: previews are a nicety. */
async function loadThumbnails(url: string, signal: AbortSignal): Promise<ThumbnailCue[]> {
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) return [];
    return parseThumbnailTrack(await response.text(), new URL(url, location.href).toString());
  } catch {
    return [];
  }
}
