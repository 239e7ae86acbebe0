// jlivepeer broadcaster dashboard: plain browser JS, no build step. It polls B's stream API (/api, see
// docs/dashboard.md) every POLL_MS and updates the page in place; each live stream and each recording plays with
// hls.js (served by B at /dashboard/hls.min.js). Untrusted values (stream names, URIs) only ever go into
// textContent or attributes, never into HTML.
'use strict';
(function () {
  const POLL_MS = 2000;
  const KEY_STORAGE = 'jlivepeer.apiKey';
  const WATCH_STORAGE = 'jlivepeer.watch';
  const $ = (id) => document.getElementById(id);

  const state = {
    key: null,
    mode: 'api', // 'api' | 'no-api' (B without the stream API: streams by name, totals from /metrics)
    cards: new Map(), // stream id -> { el, hls, src, recHls, recSrc }
    watched: [], // stream names in no-api mode
    timer: null,
  };

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // --- key handling: #key=<apiKey> in the URL wins, then this tab's sessionStorage ---
  function readFragment() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    const key = params.get('key');
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
    }
    const stream = params.get('stream');
    if (stream) {
      addWatched(stream);
    }
    if (key || stream) {
      // the key must not stay in the address bar (screenshots, shared links, history)
      history.replaceState(null, '', location.pathname + location.search);
    }
    state.key = sessionStorage.getItem(KEY_STORAGE);
    try {
      state.watched = JSON.parse(sessionStorage.getItem(WATCH_STORAGE) || '[]');
    } catch (e) {
      state.watched = [];
    }
  }

  function addWatched(name) {
    let list;
    try {
      list = JSON.parse(sessionStorage.getItem(WATCH_STORAGE) || '[]');
    } catch (e) {
      list = [];
    }
    if (!list.includes(name)) list.push(name);
    sessionStorage.setItem(WATCH_STORAGE, JSON.stringify(list));
    state.watched = list;
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (state.key) headers.Authorization = 'Bearer ' + state.key;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store' });
    if (!res.ok) {
      let message = res.status + ' ' + res.statusText;
      try {
        const err = await res.json();
        if (err && Array.isArray(err.errors) && err.errors.length) message = err.errors.join('; ');
      } catch (e) { /* not JSON: keep the status line */ }
      throw new HttpError(res.status, message);
    }
    if (res.status === 204) return null;
    return res.json();
  }

  function setStatus(text, bad) {
    const el = $('status');
    el.textContent = text;
    el.classList.toggle('bad', !!bad);
  }

  function showKeyPanel(message) {
    $('key-panel').hidden = false;
    $('key-error').hidden = !message;
    $('key-error').textContent = message || '';
  }

  // --- formatting ---
  function fmtRatio(r) {
    return typeof r === 'number' && isFinite(r) && r > 0 ? r.toFixed(2) + (r < 1 ? ' (keeps up)' : ' (behind)') : '–';
  }
  function fmtTime(ms) {
    if (!ms) return 'never';
    const ago = Math.max(0, Math.round((Date.now() - ms) / 1000));
    return ago < 90 ? ago + ' s ago' : new Date(ms).toLocaleString();
  }
  function fmtEth(wei) {
    if (wei === undefined || wei === null) return '–';
    try {
      const w = BigInt(wei);
      const whole = w / 10n ** 18n;
      const frac = (w % 10n ** 18n).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
      return whole.toString() + (frac ? '.' + frac : '') + ' ETH';
    } catch (e) {
      return String(wei);
    }
  }
  function text(el, selector, value) {
    el.querySelector(selector).textContent = value;
  }

  // --- players ---
  function attach(video, src, existing, live) {
    if (existing && existing.src === src) return existing;
    if (existing && existing.hls) existing.hls.destroy();
    const player = { src, hls: null };
    if (window.Hls && Hls.isSupported()) {
      const hls = new Hls(live ? { liveSyncDurationCount: 3, lowLatencyMode: false } : {});
      hls.on(Hls.Events.ERROR, (event, data) => {
        if (!data.fatal) return;
        // a live playlist that is not there yet, or a network blip: start over at the next poll
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else player.failed = data.details;
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      hls.on(Hls.Events.MANIFEST_PARSED, () => video.play().catch(() => {}));
      player.hls = hls;
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src; // Safari plays HLS natively
      video.play().catch(() => {});
    }
    return player;
  }

  function detach(player, video) {
    if (player && player.hls) player.hls.destroy();
    video.removeAttribute('src');
    video.load();
    return null;
  }

  // --- stream cards ---
  function card(id) {
    let c = state.cards.get(id);
    if (!c) {
      const el = $('stream-card').content.firstElementChild.cloneNode(true);
      el.dataset.streamId = id;
      el.querySelector('.reveal').addEventListener('click', (e) => {
        const k = el.querySelector('.stream-key');
        const shown = k.dataset.shown === 'true';
        k.dataset.shown = String(!shown);
        k.textContent = shown ? '••••-••••-••••-••••' : k.dataset.key;
        e.target.textContent = shown ? 'show' : 'hide';
      });
      el.querySelector('.delete').addEventListener('click', () => deleteStream(id, el.dataset.streamName));
      $('streams').appendChild(el);
      c = { el, player: null, recPlayer: null };
      state.cards.set(id, c);
    }
    return c;
  }

  function removeCardsExcept(ids) {
    for (const [id, c] of state.cards) {
      if (!ids.has(id)) {
        detach(c.player, c.el.querySelector('.player video'));
        detach(c.recPlayer, c.el.querySelector('.recording-player video'));
        c.el.remove();
        state.cards.delete(id);
      }
    }
    $('no-streams').hidden = state.cards.size > 0;
  }

  function renderStream(s, health, sessions) {
    const c = card(s.id);
    const el = c.el;
    const live = !!(health ? health.isActive : s.isActive);
    el.dataset.streamName = s.name;
    el.dataset.playbackId = s.playbackId || '';
    el.dataset.live = String(live);
    el.dataset.suspended = String(!!s.suspended);
    text(el, '.name', s.name);
    text(el, '.badge', s.suspended ? 'suspended' : live ? 'live' : 'idle');
    // the key stays masked until "show": the ingest URL is the RTMP server, as OBS asks for server and key apart
    text(el, '.ingest', s.ingest || '–');
    const key = el.querySelector('.stream-key');
    key.dataset.key = s.streamKey || '';
    if (key.dataset.shown !== 'true') key.textContent = s.streamKey ? '••••-••••-••••-••••' : '–';
    el.querySelector('.reveal').hidden = !s.streamKey;
    el.querySelector('.delete').hidden = state.mode !== 'api';
    const playback = el.querySelector('.playback');
    playback.textContent = s.playbackUrl || '–';
    if (s.playbackUrl) playback.href = s.playbackUrl;
    const h = health || {};
    text(el, '.segments', (h.segmentsIn ?? s.sourceSegments ?? 0) + ' / ' + (h.segmentsOut ?? s.transcodedSegments ?? 0));
    text(el, '.ratio', fmtRatio(h.realTimeRatio));
    text(el, '.orchestrator', h.orchestrator || '–');
    text(el, '.failures', String(h.failures ?? 0));
    text(el, '.last-segment', h.lastSegmentAt === undefined && s.lastSeen === undefined ? '–'
      : fmtTime(h.lastSegmentAt || s.lastSeen));

    const video = el.querySelector('.player video');
    const note = el.querySelector('.player-note');
    if (live && s.playbackUrl && !s.suspended) {
      c.player = attach(video, s.playbackUrl, c.player, true);
      note.textContent = c.player && c.player.failed ? 'player: ' + c.player.failed + ' (retrying)' : '';
      if (c.player && c.player.failed) c.player = detach(c.player, video);
    } else {
      if (c.player) c.player = detach(c.player, video);
      note.textContent = 'not live: publish to the ingest URL to watch it here';
    }
    renderRecordings(c, sessions || []);
  }

  function renderRecordings(c, sessions) {
    const box = c.el.querySelector('.recordings');
    const ready = sessions.filter((x) => x.recordingStatus && x.recordingStatus !== 'none');
    box.hidden = ready.length === 0;
    const ul = box.querySelector('ul');
    const want = ready.map((x) => x.id + ':' + x.recordingStatus).join(',');
    if (ul.dataset.rendered === want) return;
    ul.dataset.rendered = want;
    ul.replaceChildren();
    for (const x of ready) {
      const li = document.createElement('li');
      li.dataset.sessionId = x.id;
      const when = new Date(x.createdAt).toLocaleString();
      const dur = x.sourceSegmentsDuration ? ' · ' + Math.round(x.sourceSegmentsDuration) + ' s' : '';
      li.append(document.createTextNode(when + dur + ' · ' + x.recordingStatus + ' '));
      if (x.recordingStatus === 'ready' && x.recordingUrl) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'quiet play-recording';
        b.textContent = 'play';
        b.addEventListener('click', () => {
          const p = box.querySelector('.recording-player');
          p.hidden = false;
          p.dataset.sessionId = x.id;
          c.recPlayer = attach(p.querySelector('video'), x.recordingUrl, c.recPlayer, false);
        });
        li.append(b);
      }
      ul.append(li);
    }
  }

  async function deleteStream(id, name) {
    if (!confirm('Delete stream "' + name + '"? Its key stops working at once.')) return;
    try {
      await api('DELETE', '/api/stream/' + encodeURIComponent(id));
      poll();
    } catch (e) {
      setStatus('could not delete ' + name + ': ' + e.message, true);
    }
  }

  // --- the network ---
  function renderNetwork(net) {
    const b = net.broadcaster;
    const facts = $('broadcaster');
    facts.replaceChildren();
    facts.hidden = !b;
    const add = (k, v) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      facts.append(dt, dd);
    };
    if (b) {
      add('Broadcaster', b.address || '–');
      if (b.onChain) {
        add('Deposit', fmtEth(b.deposit));
        add('Reserve', fmtEth(b.reserve));
      } else {
        add('Payments', 'off chain (no deposit or reserve)');
      }
    }
    const tbody = $('orchestrators').querySelector('tbody');
    tbody.replaceChildren();
    const os = net.orchestrators || [];
    for (const o of os) {
      const tr = document.createElement('tr');
      tr.className = o.suspended ? 'suspended' : '';
      const cells = [o.uri, o.address || '–', o.pricePerPixel ?? '–',
        typeof o.score === 'number' ? o.score.toFixed(3) : o.score ?? '–', o.sessions ?? 0,
        o.suspended ? 'suspended' : 'ok'];
      cells.forEach((v, i) => {
        const td = document.createElement('td');
        td.textContent = String(v);
        if (i >= 2 && i <= 4) td.className = 'num';
        tr.append(td);
      });
      tbody.append(tr);
    }
    $('orchestrators').hidden = os.length === 0;
    $('no-orchestrators').hidden = os.length > 0;
  }

  // --- polling ---
  async function pollApi() {
    const streams = await api('GET', '/api/stream');
    const ids = new Set(streams.map((s) => s.id));
    const details = await Promise.all(streams.map(async (s) => {
      const id = encodeURIComponent(s.id);
      const [health, sessions] = await Promise.all([
        api('GET', '/api/stream/' + id + '/health').catch(() => null),
        api('GET', '/api/stream/' + id + '/sessions').catch(() => []),
      ]);
      return { s, health, sessions };
    }));
    removeCardsExcept(ids);
    for (const d of details) renderStream(d.s, d.health, d.sessions);
    $('no-streams').hidden = streams.length > 0;
    try {
      renderNetwork(await api('GET', '/api/network'));
    } catch (e) {
      if (!(e instanceof HttpError && e.status === 404)) throw e;
    }
    const live = streams.filter((s) => s.isActive).length;
    setStatus(streams.length + ' streams, ' + live + ' live · updated ' + new Date().toLocaleTimeString());
  }

  // B without the stream API: each watched name is the HLS path /stream/<name>.m3u8; it is live while its source
  // playlist lacks #EXT-X-ENDLIST. Health is the node's totals.
  async function pollNoApi() {
    const metrics = await fetch('/metrics', { cache: 'no-store' }).then((r) => (r.ok ? r.text() : '')).catch(() => '');
    const m = (name) => {
      const line = metrics.split('\n').find((l) => l.startsWith(name + ' '));
      return line ? Number(line.split(' ')[1]) : undefined;
    };
    const ids = new Set(state.watched);
    const origin = location.origin;
    for (const name of state.watched) {
      const path = '/stream/' + encodeURIComponent(name);
      const res = await fetch(path + '/source.m3u8', { cache: 'no-store' }).catch(() => null);
      const body = res && res.ok ? await res.text() : '';
      const live = !!res && res.ok && !body.includes('#EXT-X-ENDLIST');
      const s = { id: name, name, playbackId: name, isActive: live, playbackUrl: origin + path + '.m3u8',
        ingest: 'rtmp://<host>:<rtmpPort>/live/' + name };
      renderStream(s, {
        isActive: live,
        segmentsIn: m('livepeer_broadcaster_segments_emerged_total'),
        segmentsOut: m('livepeer_broadcaster_segments_transcoded_total'),
        failures: m('livepeer_broadcaster_segments_failed_total'),
        realTimeRatio: m('livepeer_broadcaster_real_time_ratio'),
        orchestrator: m('livepeer_broadcaster_orchestrators') ? 'network (node totals)' : 'local (node totals)',
      }, []);
    }
    removeCardsExcept(ids);
    $('no-streams').hidden = state.watched.length > 0;
    const pool = m('livepeer_broadcaster_orchestrators');
    renderNetwork({ orchestrators: [], broadcaster: null });
    $('no-orchestrators').textContent = pool
      ? pool + ' orchestrators in the pool (' + (m('livepeer_broadcaster_orchestrators_suspended') || 0)
        + ' suspended); their prices and scores need the stream API (/api/network)'
      : 'No orchestrators: this broadcaster transcodes locally.';
    setStatus('no stream API · ' + state.watched.length + ' watched · updated ' + new Date().toLocaleTimeString());
  }

  async function poll() {
    clearTimeout(state.timer);
    try {
      if (state.mode === 'api') {
        if (!state.key) {
          showKeyPanel();
          setStatus('waiting for an API key');
          await probeNoApi();
          return;
        }
        await pollApi();
        $('key-panel').hidden = true;
        $('create-form').hidden = false;
        $('forget-key').hidden = false;
      } else {
        await pollNoApi();
      }
    } catch (e) {
      if (e instanceof HttpError && e.status === 401) {
        showKeyPanel('The broadcaster refused this key (' + e.message + '). Check it, or create one with livepeer cli apikey.');
        setStatus('API key refused', true);
      } else if (e instanceof HttpError && e.status === 404) {
        enterNoApi();
      } else {
        setStatus('broadcaster unreachable: ' + e.message + ' (retrying)', true);
      }
    } finally {
      state.timer = setTimeout(poll, POLL_MS);
    }
  }

  // Without a key, find out whether the API exists at all, so a node without it is usable at once.
  async function probeNoApi() {
    const res = await fetch('/api/stream', { cache: 'no-store' }).catch(() => null);
    if (res && res.status === 404) enterNoApi();
  }

  function enterNoApi() {
    if (state.mode === 'no-api') return;
    state.mode = 'no-api';
    $('key-panel').hidden = true;
    $('create-form').hidden = true;
    $('no-api-panel').hidden = false;
    removeCardsExcept(new Set());
    setStatus('no stream API on this broadcaster');
  }

  function wire() {
    $('key-form').addEventListener('submit', (e) => {
      e.preventDefault();
      state.key = $('key-input').value.trim();
      sessionStorage.setItem(KEY_STORAGE, state.key);
      $('key-input').value = '';
      poll();
    });
    $('forget-key').addEventListener('click', () => {
      sessionStorage.removeItem(KEY_STORAGE);
      state.key = null;
      removeCardsExcept(new Set());
      $('forget-key').hidden = true;
      $('create-form').hidden = true;
      poll();
    });
    $('watch-form').addEventListener('submit', (e) => {
      e.preventDefault();
      addWatched($('watch-input').value.trim());
      $('watch-input').value = '';
      poll();
    });
    $('create-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const err = $('create-error');
      try {
        await api('POST', '/api/stream', { name: $('create-name').value.trim(), record: $('create-record').checked });
        $('create-name').value = '';
        err.hidden = true;
        poll();
      } catch (ex) {
        err.hidden = false;
        err.textContent = 'could not create the stream: ' + ex.message;
      }
    });
    window.addEventListener('hashchange', () => {
      readFragment();
      poll();
    });
  }

  readFragment();
  wire();
  poll();
})();
