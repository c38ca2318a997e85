// The minimal Marquee player: sign in, start a stream, play it with hls.js, send heartbeats.
// Tokens live in sessionStorage only (this tab). No framework, no build step.
(function () {
  'use strict';
  var itemId = decodeURIComponent(location.pathname.split('/').pop() || '');
  var video = document.getElementById('video');
  var statusLine = document.getElementById('status');
  var form = document.getElementById('sign-in');
  var state = { session: null, hls: null, heartbeat: null, adLog: [] };
  window.marqueePlayer = state;

  function show(text, isError) {
    statusLine.textContent = text;
    statusLine.className = isError ? 'error' : '';
  }

  async function api(path, options) {
    var headers = { 'content-type': 'application/json' };
    var token = sessionStorage.getItem('marquee.accessToken');
    if (token) headers.authorization = 'Bearer ' + token;
    var response = await fetch(path, Object.assign({ headers: headers }, options));
    var body = response.status === 204 ? null : await response.json();
    if (!response.ok) {
      var error = new Error((body && (body.detail || body.title)) || response.statusText);
      error.status = response.status;
      error.problem = body;
      throw error;
    }
    return body;
  }

  async function signIn(event) {
    event.preventDefault();
    try {
      var body = await api('/api/auth/login', {
        method: 'POST',
        body: JSON.stringify({
          email: document.getElementById('email').value,
          password: document.getElementById('password').value,
          device: { name: 'Web player', type: 'web' },
        }),
      });
      sessionStorage.setItem('marquee.accessToken', body.accessToken);
      form.hidden = true;
      await start();
    } catch (error) {
      show('Sign-in failed: ' + error.message, true);
    }
  }

  // What this browser decodes beyond H.264, declared when the stream starts so its master playlist
  // lists the HEVC copies too (as the viewer app's decodableCodecs does). hls.js plays through Media
  // Source Extensions, so MSE decides; 1080p Main at level 4 is the smallest HEVC variant packaged.
  function decodableCodecs() {
    var probe = 'video/mp4; codecs="hvc1.1.6.L120.90"';
    return window.MediaSource && MediaSource.isTypeSupported(probe) ? ['hevc'] : [];
  }

  async function start() {
    show('Starting…');
    var session;
    try {
      session = await api('/api/playback/' + encodeURIComponent(itemId), {
        method: 'POST',
        body: JSON.stringify({ codecs: decodableCodecs() }),
      });
    } catch (error) {
      if (error.status === 401) {
        sessionStorage.removeItem('marquee.accessToken');
        form.hidden = false;
        show('Please sign in.');
        return;
      }
      show('Cannot play: ' + error.message + (error.problem ? ' (' + error.problem.code + ')' : ''), true);
      return;
    }
    state.session = session;
    document.getElementById('title').textContent = session.itemName;
    document.getElementById('sign-out').hidden = false;
    if (!window.Hls || !Hls.isSupported()) {
      show('This browser cannot play HLS through Media Source Extensions.', true);
      endStream();
      return;
    }
    // Plans with ads: the pre-roll plays before the content loads, mid-rolls as it plays (ads.js).
    if (session.ads && window.marqueeAds) {
      await window.marqueeAds
        .attach({
          vmapUrl: session.ads.vmapUrl,
          authorization: 'Bearer ' + sessionStorage.getItem('marquee.accessToken'),
          content: video,
          log: state.adLog,
          show: show,
        })
        .preroll();
    }
    state.adLog.push({ event: 'content-start' });
    if (session.live && window.marqueeChat)
      window.marqueeChat.open(session.itemId, 'Bearer ' + sessionStorage.getItem('marquee.accessToken'));
    if (state.hls) state.hls.destroy();
    var hls = new Hls({
      // A live event starts near its live edge (-1); its playlists keep growing until it ends.
      startPosition: session.live ? -1 : session.resumePositionSeconds || -1,
      capLevelToPlayerSize: false,
    });
    state.hls = hls;
    hls.on(Hls.Events.ERROR, function (_event, data) {
      if (!data.fatal) return;
      show('Playback error: ' + data.details, true);
      // A stream that can't play must not hold the plan's slot until its heartbeat lapses.
      endStream();
    });
    hls.on(Hls.Events.MANIFEST_PARSED, function () {
      // Start at the best rendition the plan allows, so the picture shows its cap at once.
      hls.currentLevel = hls.levels.length - 1;
      video.play().catch(function () {});
    });
    // The session's URLs are root-relative: they resolve against this page's own address.
    hls.loadSource(session.masterPlaylistUrl);
    hls.attachMedia(video);
    state.heartbeat = setInterval(beat, session.heartbeatIntervalSeconds * 1000);
  }

  /**
   * Ends this page's stream, so it stops counting against the plan at once. `keepalive` lets the
   * request outlive the page when it is being unloaded (pagehide), which a plain fetch does not.
   */
  function endStream() {
    var session = state.session;
    state.session = null;
    clearInterval(state.heartbeat);
    if (session && session.live && window.marqueeChat) window.marqueeChat.close();
    if (!session) return;
    var headers = {};
    var token = sessionStorage.getItem('marquee.accessToken');
    if (token) headers.authorization = 'Bearer ' + token;
    fetch('/api/playback/sessions/' + session.sessionId, {
      method: 'DELETE',
      headers: headers,
      keepalive: true,
    }).catch(function () {});
  }

  async function beat() {
    if (!state.session) return;
    try {
      await api('/api/playback/sessions/' + state.session.sessionId + '/heartbeat', {
        method: 'POST',
        body: JSON.stringify({ positionSeconds: video.currentTime || 0 }),
      });
    } catch (error) {
      show('Stream ended: ' + error.message, true);
      endStream();
      if (state.hls) state.hls.destroy();
    }
  }

  video.addEventListener('timeupdate', function () {
    if (!state.session) return;
    show(
      'Playing ' +
        video.videoWidth +
        '×' +
        video.videoHeight +
        ' (plan cap ' +
        state.session.maxHeight +
        'p) at ' +
        video.currentTime.toFixed(1) +
        ' s',
    );
  });

  document.getElementById('sign-out').addEventListener('click', async function (event) {
    event.preventDefault();
    endStream();
    await api('/api/auth/logout', { method: 'POST', body: '{}' }).catch(function () {});
    sessionStorage.removeItem('marquee.accessToken');
    location.reload();
  });
  // Leaving the page (closing the tab, navigating, reloading) ends the stream; a page restored
  // from the back-forward cache starts a new one.
  window.addEventListener('pagehide', endStream);
  window.addEventListener('pageshow', function (event) {
    if (event.persisted && sessionStorage.getItem('marquee.accessToken')) start();
  });
  form.addEventListener('submit', signIn);

  if (sessionStorage.getItem('marquee.accessToken')) start();
  else {
    form.hidden = false;
    show('Please sign in.');
  }
})();
