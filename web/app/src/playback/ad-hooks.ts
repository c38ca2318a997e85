import type { Schemas } from '../../../ui/api/openapi.generated.ts';
import {
  breaksOf,
  dueMidroll,
  errorBeacon,
  podOf,
  quartilesReached,
  type AdBreak,
  type PodAd,
} from './ad-pod.ts';

/**
 * Client-side ad insertion for plans with ads (the web-app port of /watch's ads.js): a session
 * with `ads` has a VMAP schedule; its `start` break's VAST pod plays in an ad <video> before
 * hls.js attaches the content, and each mid-roll's pod when the content reaches it — by playing
 * or by a seek past it, after which the content continues where the viewer was going. The pods
 * fire their signed beacons. Any failure of the ad path (schedule, pod, media) skips the ad
 * rather than withholding the content.
 *
 * Live events with chat plug in beside: a live session is a PlaybackSession whose master
 * playlist is live; the chat panel mounts in `player-side` beside the video.
 */

/**
 * How long an ad may go without playing (not started, or stalled) before it counts as a VAST 402
 * timeout and the content goes on: a stuck ad must not hold the title hostage.
 */
const AD_STALL_TIMEOUT_MS = 10_000;

export interface AdProgress {
  /** 1-based position of the ad playing in the pod. */
  position: number;
  count: number;
}

/** The caller's bearer token, and the API client's one refresh of it after a 401. */
export interface AdAuth {
  token(): string | null;
  refresh(): Promise<boolean>;
}

async function fetchXml(url: string, auth: AdAuth, signal: AbortSignal): Promise<Element> {
  const send = () => {
    const token = auth.token();
    return fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal });
  };
  let response = await send();
  if (response.status === 401 && (await auth.refresh())) response = await send();
  if (!response.ok) throw new Error(`ad request refused: ${response.status}`);
  return new DOMParser().parseFromString(await response.text(), 'application/xml').documentElement;
}

/** A tracking pixel: no credentials (the URL is signed), and it may outlive a closing page. */
function ping(url: string | null | undefined) {
  if (url) fetch(url, { credentials: 'omit', keepalive: true }).catch(() => undefined);
}

/** A session's ad breaks (its VMAP): none for a plan without ads, or when the ad server fails. */
export async function adBreaksFor(options: {
  session: Schemas['PlaybackSession'];
  auth: AdAuth;
  signal: AbortSignal;
}): Promise<AdBreak[]> {
  const vmapUrl = options.session.ads?.vmapUrl;
  if (!vmapUrl) return [];
  try {
    return breaksOf(await fetchXml(vmapUrl, options.auth, options.signal));
  } catch {
    return [];
  }
}

/** One break's pod (its VAST): empty when nothing fills it or the ad server fails. */
export async function podFor(options: {
  adBreak: AdBreak;
  auth: AdAuth;
  signal: AbortSignal;
}): Promise<PodAd[]> {
  try {
    return podOf(await fetchXml(options.adBreak.vastUrl, options.auth, options.signal));
  } catch {
    return [];
  }
}

/**
 * Plays the mid-rolls of `breaks` as the content reaches them: on a `timeupdate` at or past a
 * break that has not played (a seek past it included), the content pauses where it is, the pod
 * plays in `adElement`, and the content continues from that same position — the seek target, not
 * the break. Breaks before `startAt` (a resumed title) count as played: the viewer saw them, or
 * at least a pre-roll just now. Stops with `signal`.
 */
export function watchMidrolls(options: {
  content: HTMLVideoElement;
  adElement: HTMLVideoElement;
  breaks: readonly AdBreak[];
  startAt: number;
  auth: AdAuth;
  signal: AbortSignal;
  onAd: (progress: AdProgress | null) => void;
}): void {
  const { content, breaks, signal } = options;
  const played = new Set(
    breaks.filter((adBreak) => adBreak.offsetSeconds !== null && adBreak.offsetSeconds <= options.startAt),
  );
  let inBreak = false;
  const onTimeUpdate = () => {
    if (inBreak || signal.aborted || content.seeking) return;
    const found = dueMidroll({ breaks, played, position: content.currentTime });
    if (!found) return;
    for (const adBreak of [...found.skipped, found.due]) played.add(adBreak);
    inBreak = true;
    const resumeAt = content.currentTime;
    content.pause();
    void (async () => {
      try {
        const pod = await podFor({ adBreak: found.due, auth: options.auth, signal });
        if (pod.length > 0) await playPod({ element: options.adElement, pod, signal, onAd: options.onAd });
      } finally {
        inBreak = false;
        if (!signal.aborted) {
          content.currentTime = resumeAt;
          content.play().catch(() => undefined);
        }
      }
    })();
  };
  // A seek while paused fires no timeupdate after it lands: `seeked` covers that one.
  content.addEventListener('timeupdate', onTimeUpdate);
  content.addEventListener('seeked', onTimeUpdate);
  signal.addEventListener(
    'abort',
    () => {
      content.removeEventListener('timeupdate', onTimeUpdate);
      content.removeEventListener('seeked', onTimeUpdate);
    },
    { once: true },
  );
}

/**
 * Plays one ad to its end (or its error, or the abort) in `element`, firing its beacons once
 * each. Seeking is undone: an ad is watched, not skimmed.
 */
export function playAd(options: {
  element: HTMLVideoElement;
  ad: PodAd;
  signal: AbortSignal;
}): Promise<void> {
  const { element, ad, signal } = options;
  return new Promise((resolve) => {
    const fired = new Set<string>();
    const fire = (event: string, url: string | null | undefined) => {
      if (fired.has(event)) return;
      fired.add(event);
      ping(url);
    };
    let furthest = 0;
    const progressed = () => {
      clearTimeout(timer);
      timer = setTimeout(onTimeout, AD_STALL_TIMEOUT_MS);
    };
    const onPlaying = () => {
      progressed();
      fire('impression', ad.impressionUrl);
      fire('start', ad.tracking.start);
    };
    const onTimeUpdate = () => {
      // Mid-seek, currentTime is where the (soon undone) seek was headed: no progress, no quartile.
      if (element.seeking) return;
      if (element.currentTime > furthest) progressed();
      furthest = Math.max(furthest, element.currentTime);
      const share = element.duration ? element.currentTime / element.duration : 0;
      for (const event of quartilesReached(share)) fire(event, ad.tracking[event]);
    };
    const onSeeking = () => {
      if (Math.abs(element.currentTime - furthest) > 0.5) element.currentTime = furthest;
    };
    const onEnded = () => {
      fire('complete', ad.tracking.complete);
      finish();
    };
    const onError = () => {
      fire('error', errorBeacon(ad.errorUrl, 405));
      finish();
    };
    const onTimeout = () => {
      fire('error', errorBeacon(ad.errorUrl, 402));
      finish();
    };
    let timer = setTimeout(onTimeout, AD_STALL_TIMEOUT_MS);
    const events: Array<[string, () => void]> = [
      ['playing', onPlaying],
      ['timeupdate', onTimeUpdate],
      ['seeking', onSeeking],
      ['ended', onEnded],
      ['error', onError],
    ];
    function finish() {
      clearTimeout(timer);
      for (const [name, listener] of events) element.removeEventListener(name, listener);
      signal.removeEventListener('abort', finish);
      element.pause();
      element.removeAttribute('src');
      element.load();
      resolve();
    }
    if (signal.aborted) return finish();
    if (!ad.mediaUrl) {
      fire('error', errorBeacon(ad.errorUrl, 403));
      return finish();
    }
    for (const [name, listener] of events) element.addEventListener(name, listener);
    signal.addEventListener('abort', finish);
    element.src = ad.mediaUrl;
    element.play().catch(() => {
      // Autoplay with sound may be refused where the viewer has not interacted yet; muted is not.
      if (fired.has('start') || signal.aborted) return;
      element.muted = true;
      element.play().catch(() => undefined);
    });
  });
}

/** Plays a pod in order; `onAd` is told which ad is playing (null when the pod is over). */
export async function playPod(options: {
  element: HTMLVideoElement;
  pod: readonly PodAd[];
  signal: AbortSignal;
  onAd: (progress: AdProgress | null) => void;
}): Promise<void> {
  for (const [index, ad] of options.pod.entries()) {
    if (options.signal.aborted) break;
    options.onAd({ position: index + 1, count: options.pod.length });
    await playAd({ element: options.element, ad, signal: options.signal });
  }
  options.onAd(null);
}
