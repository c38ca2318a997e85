// Client-side ad insertion for plans with ads (issue #17): reads the stream's VMAP, plays each
// break's VAST pod (progressive MP4) in an ad <video> laid over the content, and fires the
// pod's signed beacons. The content waits while a break plays; a seek past a mid-roll plays
// that break first, then continues where the viewer seeked to. No framework, no build step.
(function () {
  'use strict';

  function seconds(offset) {
    if (offset === 'start') return 0;
    var parts = /^(\d+):(\d\d):(\d\d(?:\.\d+)?)$/.exec(offset || '');
    return parts ? Number(parts[1]) * 3600 + Number(parts[2]) * 60 + Number(parts[3]) : null;
  }

  function text(parent, name) {
    var element = parent.getElementsByTagName(name)[0];
    return element ? element.textContent.trim() : null;
  }

  async function fetchXml(url, authorization) {
    var response = await fetch(url, { headers: { authorization: authorization } });
    if (!response.ok) throw new Error('ad request refused: ' + response.status);
    return new DOMParser().parseFromString(await response.text(), 'application/xml');
  }

  // A pixel: no credentials, and a beacon lost to a closing page doesn't matter much.
  function ping(url) {
    if (url) fetch(url, { credentials: 'omit', keepalive: true }).catch(function () {});
  }

  function podOf(vast) {
    return Array.prototype.map.call(vast.getElementsByTagName('Ad'), function (ad) {
      var tracking = {};
      Array.prototype.forEach.call(ad.getElementsByTagName('Tracking'), function (element) {
        tracking[element.getAttribute('event')] = element.textContent.trim();
      });
      // The largest rendition up to 720p: ads are short, a small file starts fast.
      var files = Array.prototype.slice
        .call(ad.getElementsByTagName('MediaFile'))
        .filter(function (file) {
          return file.getAttribute('type') === 'video/mp4';
        })
        .sort(function (a, b) {
          return Number(a.getAttribute('height')) - Number(b.getAttribute('height'));
        });
      var fitting = files.filter(function (file) {
        return Number(file.getAttribute('height')) <= 720;
      });
      var chosen = fitting[fitting.length - 1] || files[0];
      return {
        id: ad.getAttribute('id'),
        media: chosen ? chosen.textContent.trim() : null,
        impression: text(ad, 'Impression'),
        error: text(ad, 'Error'),
        tracking: tracking,
      };
    });
  }

  /** Plays one ad to its end (or its error) in the ad element, firing its beacons. */
  function playAd(adVideo, ad, log) {
    return new Promise(function (resolve) {
      var fired = {};
      function fire(event, url) {
        if (fired[event]) return;
        fired[event] = true;
        log.push({ ad: ad.id, event: event });
        ping(url);
      }
      function finish() {
        adVideo.onplaying = adVideo.ontimeupdate = adVideo.onended = adVideo.onerror = null;
        resolve();
      }
      if (!ad.media) {
        fire('error', ad.error && ad.error.replace('[ERRORCODE]', '403'));
        return finish();
      }
      adVideo.onplaying = function () {
        fire('impression', ad.impression);
        fire('start', ad.tracking.start);
      };
      adVideo.ontimeupdate = function () {
        var share = adVideo.duration ? adVideo.currentTime / adVideo.duration : 0;
        if (share >= 0.25) fire('firstQuartile', ad.tracking.firstQuartile);
        if (share >= 0.5) fire('midpoint', ad.tracking.midpoint);
        if (share >= 0.75) fire('thirdQuartile', ad.tracking.thirdQuartile);
      };
      adVideo.onended = function () {
        fire('complete', ad.tracking.complete);
        finish();
      };
      adVideo.onerror = function () {
        // VAST 405: the media file could not be played.
        fire('error', ad.error && ad.error.replace('[ERRORCODE]', '405'));
        finish();
      };
      adVideo.src = ad.media;
      adVideo.play().catch(function () {});
    });
  }

  /**
   * Wires ads to one stream: `preroll()` before the content starts, then mid-rolls as the
   * content plays or is seeked past. `log` records what played, in order (the page's state).
   */
  function attach(options) {
    var content = options.content;
    var log = options.log;
    var breaks = [];
    var playing = false;
    var adVideo = document.createElement('video');
    adVideo.id = 'ad-video';
    adVideo.muted = true;
    adVideo.playsInline = true;
    adVideo.hidden = true;
    content.parentNode.insertBefore(adVideo, content.nextSibling);

    async function playBreak(adBreak) {
      adBreak.played = true;
      var pod;
      try {
        pod = podOf(await fetchXml(adBreak.url, options.authorization));
      } catch (error) {
        log.push({ event: 'break-failed', offset: adBreak.offset });
        return;
      }
      if (pod.length === 0) return;
      playing = true;
      options.show('Advertisement');
      log.push({ event: 'break-start', offset: adBreak.offset });
      content.pause();
      content.hidden = true;
      adVideo.hidden = false;
      for (var i = 0; i < pod.length; i++) await playAd(adVideo, pod[i], log);
      adVideo.hidden = true;
      adVideo.removeAttribute('src');
      content.hidden = false;
      log.push({ event: 'break-end', offset: adBreak.offset });
      playing = false;
    }

    async function load() {
      var vmap = await fetchXml(options.vmapUrl, options.authorization);
      breaks = Array.prototype.map.call(vmap.getElementsByTagName('vmap:AdBreak'), function (element) {
        return {
          offset: seconds(element.getAttribute('timeOffset')),
          url: text(element, 'vmap:AdTagURI'),
          played: false,
        };
      });
    }

    async function preroll() {
      try {
        await load();
      } catch (error) {
        log.push({ event: 'vmap-failed' });
        return;
      }
      var first = breaks.filter(function (adBreak) {
        return adBreak.offset === 0;
      })[0];
      if (first) await playBreak(first);
    }

    // The latest unplayed mid-roll the content has reached (by playing or by a seek past it).
    content.addEventListener('timeupdate', async function () {
      if (playing) return;
      var due = breaks.filter(function (adBreak) {
        return !adBreak.played && adBreak.offset > 0 && adBreak.offset <= content.currentTime;
      });
      if (due.length === 0) return;
      due.forEach(function (adBreak) {
        adBreak.played = true;
      });
      var resumeAt = content.currentTime;
      await playBreak(due[due.length - 1]);
      content.currentTime = resumeAt;
      content.play().catch(function () {});
    });

    return { preroll: preroll };
  }

  window.marqueeAds = { attach: attach };
})();
