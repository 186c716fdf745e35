// lazyqt viewer: browse the mounts of this server and scrub through a movie, over its REST
// routes only. The position lives in the URL's hash (#path=/mount/dir/movie.mov&frame=N&width=W),
// so every view is a deep link. Frames are fetched as blobs so that a request that became stale
// can be aborted; only the latest request is painted. Frame numbers are 1-based, as in the API.
// A directory with movies also shows them as rows of thumbnails (day.js).
import {
  $, MOVIE_RE, encodePath, readHash, hashFor, baseName, httpError, showError, hideError, announce,
  getJson, fmtTime, utcStart, spacedFrames,
} from './util.js';
import { showDay, leaveDay, dayState } from './day.js';

const PREFETCH_AHEAD = 2; // frames fetched past the shown one in the direction of travel
const BLOB_CACHE = 48; // scaled frames kept in the page
const THUMBS = 12;
const THUMB_WIDTH = 160;

const state = { path: null, meta: null, frame: 1, width: 960, fps: 0, utcStart: null, direction: 1 };
const blobs = new Map(); // frame URL -> Blob, in least-recently-used order
const inflight = new Map(); // frame URL -> { ctl, promise, frame, width }
let generation = 0; // bumped by every frame request; only the latest one paints
let shownUrl = null; // blob: URL of the painted frame
// Read by the browser tests and the benchmarks: one entry per painted frame; `shown` is the
// painted frame's blob and its blob: URL (the CSP keeps fetch() off blob: URLs); `day` is the
// day page's (day.js).
const timings = [];
const viewer = { timings, state, shown: null, day: dayState };
window.lazyqtViewer = viewer;

const frameUrl = (n, width, ext = 'jpg') => {
  const w = width && state.meta && state.meta.Width && width < state.meta.Width ? `?width=${width}` : '';
  return `${encodePath(state.path)}/frame/${n}.${ext}${w}`;
};

// ---- breadcrumbs ----
function crumbs(path) {
  const ol = $('crumbs');
  ol.replaceChildren();
  const add = (label, href, current) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.textContent = label;
    a.href = href;
    if (current) a.setAttribute('aria-current', 'page');
    li.append(a);
    ol.append(li);
  };
  add('mounts', '#', !path);
  if (!path) return;
  const parts = path.split('/').filter(Boolean);
  let acc = '';
  parts.forEach((p, i) => {
    acc += '/' + p;
    const last = i === parts.length - 1;
    const isMovie = last && !path.endsWith('/');
    add(p, hashFor(isMovie ? acc : acc + '/'), last);
  });
}

// ---- browsing ----
function listItem(cls, text, href) {
  const li = document.createElement('li');
  li.className = cls;
  const a = document.createElement('a');
  a.textContent = text;
  a.href = href;
  li.append(a);
  return li;
}
async function browse(path, nav) {
  $('movie').hidden = true;
  $('browse').hidden = false;
  leaveDay();
  const list = $('browse-list');
  list.replaceChildren();
  $('files-title').hidden = true;
  $('browse-title').textContent = path || 'Mounts';
  document.title = `${path || 'Mounts'} - lazyqt viewer`;
  if (!path) {
    const root = await getJson('/');
    if (nav !== navigation) return;
    for (const m of root.Mounts || []) list.append(listItem('dir', m.Prefix, hashFor(m.Prefix + '/')));
    return;
  }
  const listing = getJson(encodePath(path));
  const isMovie = (f) => MOVIE_RE.test(f);
  // The movies are rows of thumbnails (an archive day asks for its catalog beside the listing);
  // those the rows do not show stay links here.
  const shown = showDay(path, listing.then((l) => (l.Files || []).filter(isMovie)));
  shown.catch(() => {}); // fails only with the listing, reported by the await below
  const l = await listing;
  if (nav !== navigation) return;
  const movies = (l.Files || []).filter(isMovie);
  for (const d of l.Directories || []) list.append(listItem('dir', d + '/', hashFor(path + d + '/')));
  for (const f of l.Files || []) {
    if (!isMovie(f)) list.append(listItem('file', f, encodePath(path + f)));
  }
  const rows = await shown;
  if (nav !== navigation) return;
  for (const f of movies) if (!rows.has(f)) list.append(listItem('movie', f, hashFor(path + f)));
  $('files-title').hidden = !movies.length || !list.children.length;
  if (!list.children.length && !movies.length) {
    list.append(Object.assign(document.createElement('li'), { textContent: '(empty)' }));
  }
}

// ---- time and UTC ----
const secondsOf = (n) => (state.fps > 0 ? (n - 1) / state.fps : 0);
// The frame shown at s seconds; a time within half a millisecond before a frame's start (a
// time this page printed, rounded to the ms) counts as that frame.
const frameOfSeconds = (s) => Math.floor((s + 0.0005) * state.fps) + 1;
const clamp = (n) => Math.min(Math.max(1, Math.round(n)), state.meta.NumFrames);
function parseTime(text) {
  const parts = text.trim().split(':').map(Number);
  if (!parts.length || parts.some((p) => !Number.isFinite(p) || p < 0)) return NaN;
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}
const utcText = (n) => (state.utcStart ? new Date(state.utcStart.ms + Math.round(secondsOf(n) * 1000)).toISOString() : '');

// ---- frames ----
function remember(url, blob) {
  blobs.delete(url);
  blobs.set(url, blob);
  while (blobs.size > BLOB_CACHE) blobs.delete(blobs.keys().next().value);
}
function load(url, frame, width) {
  const hit = blobs.get(url);
  if (hit) {
    remember(url, hit);
    return Promise.resolve(hit);
  }
  let f = inflight.get(url);
  if (!f) {
    const ctl = new AbortController();
    const promise = fetch(url, { signal: ctl.signal })
      .then(async (res) => {
        if (!res.ok) throw await httpError(res);
        const blob = await res.blob();
        remember(url, blob);
        return blob;
      })
      .finally(() => inflight.delete(url));
    f = { ctl, promise, frame, width };
    inflight.set(url, f);
  }
  return f.promise;
}
// Aborts the frame requests for which `stale(request)` holds.
function cancel(stale) {
  for (const f of inflight.values()) {
    if (!f.ctl.signal.aborted && stale(f)) f.ctl.abort();
  }
}
// Aborts the requests that no longer serve the shown frame or its prefetch window.
function cancelStale(n, width) {
  const lo = n - (state.direction < 0 ? PREFETCH_AHEAD : 1);
  const hi = n + (state.direction > 0 ? PREFETCH_AHEAD : 1);
  cancel((f) => f.width !== width || f.frame < lo || f.frame > hi);
}
// Leaves the movie page's movie: its frame requests aborted, its thumbnails' loads stopped
// (an <img> whose src is removed drops its request), nothing of it painted later.
function leaveMovie() {
  generation++;
  cancel(() => true);
  for (const img of $('thumbs').querySelectorAll('img')) if (!img.complete) img.removeAttribute('src');
  $('thumbs').replaceChildren();
}
function prefetch(n, width) {
  for (let k = 1; k <= PREFETCH_AHEAD; k++) {
    const m = n + k * state.direction;
    if (m >= 1 && m <= state.meta.NumFrames) load(frameUrl(m, width), m, width).catch(() => {});
  }
}

function updateControls() {
  const n = state.frame;
  const meta = state.meta;
  $('slider').value = String(n);
  $('slider').setAttribute('aria-valuetext', `frame ${n} of ${meta.NumFrames}, ${fmtTime(secondsOf(n))}`);
  if (document.activeElement !== $('in-frame')) $('in-frame').value = String(n);
  if (document.activeElement !== $('in-time')) $('in-time').value = fmtTime(secondsOf(n));
  if (document.activeElement !== $('in-utc')) $('in-utc').value = utcText(n);
  $('dl-png').href = frameUrl(n, 0, 'png');
  $('dl-jpg').href = frameUrl(n, 0, 'jpg');
  const base = baseName(state.path).replace(/\.[^.]+$/, '');
  $('dl-png').download = `${base}-frame${n}.png`;
  $('dl-jpg').download = `${base}-frame${n}.jpg`;
  for (const b of $('thumbs').children) {
    const lo = +b.dataset.frame;
    const hi = +b.dataset.next;
    b.setAttribute('aria-current', String(n >= lo && n < hi));
  }
  const hash = hashFor(state.path, { frame: n, width: state.width });
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

// Shows frame n; `t0` is when the user asked for it (for the timings).
async function go(n, t0 = performance.now()) {
  if (!state.meta) return;
  n = clamp(n);
  if (n !== state.frame) state.direction = n > state.frame ? 1 : -1;
  state.frame = n;
  updateControls();
  const gen = ++generation;
  const width = state.width;
  const url = frameUrl(n, width);
  cancelStale(n, width);
  try {
    const blob = await load(url, n, width);
    if (gen !== generation) return;
    const img = $('frame');
    const obj = URL.createObjectURL(blob);
    img.src = obj;
    await img.decode();
    if (gen !== generation) return;
    if (shownUrl) URL.revokeObjectURL(shownUrl);
    shownUrl = obj;
    viewer.shown = { url: obj, blob };
    img.dataset.frame = String(n);
    img.dataset.src = url;
    img.alt = `Frame ${n} of ${state.meta.NumFrames} of ${state.path}`;
    $('caption').textContent = `frame ${n} / ${state.meta.NumFrames} · ${fmtTime(secondsOf(n))}` +
      (state.utcStart ? ` · ${utcText(n)}` : '');
    hideError();
    timings.push({ frame: n, ms: performance.now() - t0, bytes: blob.size });
    announce(`Frame ${n}`);
    prefetch(n, width);
  } catch (err) {
    if (gen !== generation || err.name === 'AbortError') return;
    showError(`Frame ${n} could not be shown`, err);
  }
}

function thumbnails() {
  const box = $('thumbs');
  box.replaceChildren();
  const frames = spacedFrames(state.meta.NumFrames, THUMBS);
  frames.forEach((n, i) => {
    const next = frames[i + 1] || state.meta.NumFrames + 1;
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.frame = String(n);
    b.dataset.next = String(next);
    b.setAttribute('aria-label', `Go to frame ${n} (${fmtTime(secondsOf(n))})`);
    const img = document.createElement('img');
    img.loading = 'lazy';
    img.alt = '';
    img.src = frameUrl(n, THUMB_WIDTH);
    b.append(img);
    b.addEventListener('click', (e) => go(n, e.timeStamp));
    box.append(b);
  });
}

async function openMovie(path, params) {
  $('browse').hidden = true;
  $('movie').hidden = false;
  $('movie-title').textContent = baseName(path);
  document.title = `${baseName(path)} - lazyqt viewer`;
  if (state.path !== path || !state.meta) {
    leaveMovie();
    state.meta = null;
    state.path = path;
    $('frame').removeAttribute('src');
    $('movie-info').textContent = 'Loading…';
    let meta;
    try {
      meta = await getJson(encodePath(path));
    } catch (err) {
      $('movie-info').textContent = '';
      showError(`${baseName(path)} cannot be opened`, err);
      return;
    }
    if (state.path !== path) return;
    state.meta = meta;
    state.fps = meta.Fps || (meta.Duration > 0 ? meta.NumFrames / meta.Duration : 0);
    state.utcStart = utcStart(path, meta);
    state.frame = 0;
    $('slider').max = String(meta.NumFrames);
    $('in-frame').max = String(meta.NumFrames);
    $('movie-info').textContent = [
      `${meta.NumFrames} frames`,
      meta.Width ? `${meta.Width}×${meta.Height}` : null,
      meta.Codec,
      state.fps ? `${state.fps.toFixed(3)} fps` : null,
      `${fmtTime(meta.Duration || 0)}`,
      `${(meta.FileSize / 1e6).toFixed(1)} MB`,
      state.utcStart ? `starts ${new Date(state.utcStart.ms).toISOString()} (from ${state.utcStart.from})` : 'start time unknown',
    ].filter(Boolean).join(' · ');
    $('in-utc').disabled = !state.utcStart;
    thumbnails();
  }
  const w = Number(params.get('width'));
  if ([480, 960, 1280, 0].includes(w) && params.has('width')) state.width = w;
  $('in-width').value = String(state.width);
  const n = Number(params.get('frame'));
  await go(Number.isFinite(n) && n >= 1 ? n : 1);
}

let navigation = 0; // bumped by every route: a listing answered late is not shown
async function route() {
  hideError();
  const nav = ++navigation;
  const params = readHash();
  const path = params.get('path') || '';
  crumbs(path);
  try {
    if (!path || path.endsWith('/')) {
      leaveMovie();
      state.meta = null;
      state.path = null;
      await browse(path, nav);
    } else {
      leaveDay();
      await openMovie(path, params);
    }
  } catch (err) {
    showError(`${path || 'The mounts'} cannot be listed`, err);
  }
}

// ---- input ----
function step(e) {
  if (!state.meta || $('movie').hidden || e.altKey || e.ctrlKey || e.metaKey) return;
  const t = e.target;
  const typing = (t.tagName === 'INPUT' && t.type !== 'range') || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA';
  if (typing) return;
  const second = Math.max(1, Math.round(state.fps));
  const moves = {
    ArrowRight: e.shiftKey ? second : 1,
    ArrowLeft: e.shiftKey ? -second : -1,
    PageDown: 10 * second,
    PageUp: -10 * second,
  };
  let n;
  if (e.key in moves) n = state.frame + moves[e.key];
  else if (e.key === 'Home') n = 1;
  else if (e.key === 'End') n = state.meta.NumFrames;
  else return;
  e.preventDefault();
  go(n, e.timeStamp);
}

// Enter in a field submits the form: the focused field says what was typed.
function submitPosition(e) {
  e.preventDefault();
  positionFrom(document.activeElement);
}
function positionFrom(el) {
  if (!state.meta) return;
  let n = NaN;
  if (el === $('in-time')) {
    const s = parseTime(el.value);
    if (Number.isFinite(s)) n = frameOfSeconds(s);
  } else if (el === $('in-utc') && state.utcStart) {
    const ms = Date.parse(el.value);
    if (Number.isFinite(ms)) n = frameOfSeconds((ms - state.utcStart.ms) / 1000);
  } else {
    n = Number($('in-frame').value);
  }
  if (Number.isFinite(n)) {
    go(n);
  } else {
    showError('Position not understood', new Error(`"${el.value}" is not a frame, a time (s or m:ss) or a UTC time`));
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('slider').addEventListener('input', (e) => go(e.target.valueAsNumber, e.timeStamp));
  document.addEventListener('keydown', step);
  for (const id of ['in-frame', 'in-time', 'in-utc']) {
    $(id).addEventListener('change', (e) => positionFrom(e.target));
  }
  $('position').addEventListener('submit', submitPosition);
  $('in-width').addEventListener('change', (e) => {
    state.width = Number(e.target.value);
    go(state.frame);
  });
  window.addEventListener('hashchange', route);
  route();
});
