import { useQuery, useQueryClient } from '@tanstack/react-query';
import Hls from 'hls.js';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../../../ui/api/client.ts';
import { Button, ButtonLink, Notice } from '../../../ui/components.tsx';
import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import { problemText, useApi } from '../api.ts';
import { adLabel } from './ad-pod.ts';
import { decodableCodecs } from './codecs.ts';
import { playPod, prerollFor, type AdProgress } from './ad-hooks.ts';
import { QoeBeacons } from './qoe-beacons.ts';
import { refusalFor, type Refusal } from './refusals.ts';

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
}

/**
 * The player: starts a stream (the API caps its renditions at the plan's quality), plays it with
 * hls.js from the saved position, sends heartbeats (which record progress), and ends the stream
 * when the viewer leaves. Refusals get their own message and remedy.
 */
export default function Player() {
  const { itemId = '' } = useParams();
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const video = useRef<HTMLVideoElement>(null);
  const adVideo = useRef<HTMLVideoElement>(null);
  const state = useRef<PlayerState>({ session: null, hls: null, qoe: null, position: 0 });
  const [session, setSession] = useState<Session | null>(null);
  const [refusal, setRefusal] = useState<(Refusal & { code: string | null }) | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [levels, setLevels] = useState<number[]>([]);
  const [level, setLevel] = useState(-1);
  const [attempt, setAttempt] = useState(0);
  const [ad, setAd] = useState<AdProgress | null>(null);

  // Until the content has played a moment, a heartbeat must not record 0 over the resume position.
  const positionNow = () => {
    const played = state.current.hls ? video.current?.currentTime : undefined;
    return played || state.current.position;
  };

  /** Saves the position and ends the stream, so it stops counting against the plan at once. */
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
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const positionSeconds = Math.floor(positionNow());
      // keepalive lets these outlive a closing page, which a plain fetch does not.
      void fetch(`/api/playback/sessions/${current.sessionId}/heartbeat`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ positionSeconds }),
        keepalive: options.keepalive,
      })
        .catch(() => undefined)
        .finally(() => {
          // Continue watching now has this position.
          void queryClient.invalidateQueries({ queryKey: ['personal-rows'] });
          void fetch(`/api/playback/sessions/${current.sessionId}`, {
            method: 'DELETE',
            headers: { ...(token && { authorization: `Bearer ${token}` }) },
            keepalive: options.keepalive,
          }).catch(() => undefined);
        });
    },
    [api, queryClient],
  );

  useEffect(() => {
    let cancelled = false;
    const ads = new AbortController();
    setRefusal(null);
    setFailure(null);
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
      const element = video.current;
      if (!element) return;
      // A plan with ads: the pre-roll pod plays before the content is even loaded.
      const pod = await prerollFor({
        session: started,
        auth: { token: () => api.tokens.get()?.accessToken ?? null, refresh: api.refresh },
        signal: ads.signal,
      });
      if (pod.length > 0 && adVideo.current)
        await playPod({ element: adVideo.current, pod, signal: ads.signal, onAd: setAd });
      if (cancelled) return;
      if (!Hls.isSupported()) {
        setFailure('This browser cannot play HLS through Media Source Extensions.');
        endStream({ keepalive: false });
        return;
      }
      const hls = new Hls({
        startPosition: started.resumePositionSeconds || -1,
        capLevelToPlayerSize: false,
      });
      state.current.hls = hls;
      state.current.qoe = new QoeBeacons({
        hls,
        element,
        sessionId: started.sessionId,
        token: () => api.tokens.get()?.accessToken ?? null,
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        setLevels(hls.levels.map((l) => l.height));
        // Start at the best rendition the plan allows; the API lists none above the cap.
        hls.currentLevel = hls.levels.length - 1;
        element.play().catch(() => undefined);
      });
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
      ads.abort();
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

  const chooseLevel = (index: number) => {
    const hls = state.current.hls;
    if (!hls) return;
    hls.currentLevel = index;
    setLevel(index);
  };

  return (
    <div className="ui-page">
      <h1>{session?.itemName ?? 'Player'}</h1>
      {refusal && <RefusalNotice refusal={refusal} onRetry={() => setAttempt((n) => n + 1)} />}
      {failure && <Notice tone="error">{failure}</Notice>}
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
          onTimeUpdate={(event) => {
            state.current.position = event.currentTarget.currentTime;
          }}
          controls
          playsInline
          aria-label={session ? `Video: ${session.itemName}` : 'Video'}
          data-player="main"
        />
      </div>
      {session && (
        <div className="player-bar">
          <label className="ui-field">
            <span>Quality (your plan: up to {session.maxHeight}p)</span>
            <select value={level} onChange={(event) => chooseLevel(Number(event.target.value))}>
              <option value={-1}>Auto</option>
              {levels.map((height, index) => (
                <option key={height} value={index}>
                  {height}p
                </option>
              ))}
            </select>
          </label>
          <Button onClick={() => void navigate(-1)}>Stop and go back</Button>
          <Link to="/">Home</Link>
        </div>
      )}
      <div className="player-side" />
    </div>
  );
}

function RefusalNotice(props: { refusal: Refusal & { code: string | null }; onRetry: () => void }) {
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
      {props.refusal.action === 'end-another-stream' && (
        <ul>
          {streams.data?.items.map((stream) => (
            <li key={stream.id}>
              {stream.itemName} on {stream.deviceName}{' '}
              <Button onClick={() => void end(stream.id)}>End this stream and watch here</Button>
            </li>
          ))}
        </ul>
      )}
    </Notice>
  );
}
