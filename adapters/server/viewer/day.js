// lazyqt viewer: the page of a directory of movies, one row per movie: its name, UTC start and
// end, its status, and thumbnails spread over it, each a link to the movie page at that frame.
// An archive day (a path ending in YYYY/MM/DD/) takes its rows from the archive's catalog
// (`<dir>/catalog`) and links to the days before and after it (found in the listings of its
// month, year and root); any other directory takes each row from its movie's metadata once the
// row is in view. A UTC instant typed in opens the movie page at the frame recorded then
// (`<root>/utc/<instant>` names it), or says which recordings are around a gap. Thumbnails are
// fetched only once in view, a few at a time; leaving the page aborts every request.
import {
  $, encodePath, hashFor, baseName, httpError, getJson, announce, utcStart, spacedFrames,
} from './util.js';

const THUMBS = 8; // thumbnails a row
const THUMB_WIDTH = 160;
const PARALLEL = 4; // requests (thumbnails, metadata) at once
const LISTINGS = 12; // most listings one search for a neighbouring day reads
const DAY_RE = /^(.*\/)(\d{4})\/(\d{2})\/(\d{2})\/$/;
const WIDTHS = [4, 2, 2]; // digits of a year, month and day directory name

// Read by the browser tests and the benchmark: each painted thumbnail by its blob: URL
// ({ url: the REST URL, blob, painted: performance.now() then }), and the catalog rows.
export const dayState = { thumbs: new Map(), catalog: null };

// The page shown: its path, day (or null), root (a promise of the directory `utc/` is asked
// below), the AbortController of all its requests, the observer and queue of the requests
// waiting to be in view, the frames of each movie of the catalog, and the listings read to
// find the days around (path -> promise of its JSON).
let page = null;
let shows = 0; // bumped by every leave: a showDay that waited across one gives up

// ---- the day a path names ----
function dayOf(path) {
  const m = DAY_RE.exec(path);
  if (!m) return null;
  const [y, mo, d] = [m[2], m[3], m[4]];
  const ms = Date.UTC(+y, +mo - 1, +d);
  const date = new Date(ms);
  if (date.getUTCMonth() !== +mo - 1 || date.getUTCDate() !== +d) return null;
  return { root: m[1], y, mo, d, iso: `${y}-${mo}-${d}`, ms };
}
const dayPath = (root, ms) => root + new Date(ms).toISOString().slice(0, 10).replaceAll('-', '/') + '/';
const clock = (iso) => (iso ? new Date(iso).toISOString().slice(11, 19) : '?');

// ---- requests: started once in view, at most PARALLEL at once, all aborted on leaving ----
function whenVisible(el, run) {
  page.tasks.set(el, run);
  page.observer.observe(el);
}
function onIntersect(entries) {
  for (const e of entries) {
    const run = page.tasks.get(e.target);
    if (!run) continue;
    if (e.isIntersecting) {
      if (!page.queue.includes(e.target)) page.queue.push(e.target);
    } else {
      page.queue = page.queue.filter((t) => t !== e.target);
    }
  }
  pump();
}
function pump() {
  const mine = page;
  while (mine.running < PARALLEL && mine.queue.length) {
    const el = mine.queue.shift();
    const run = mine.tasks.get(el);
    mine.tasks.delete(el);
    mine.observer.unobserve(el);
    mine.running++;
    run(mine.ctl.signal)
      .catch((err) => { if (err.name !== 'AbortError') console.warn(err); })
      .finally(() => {
        mine.running--;
        if (page === mine) pump();
      });
  }
}

// ---- rows ----
function el(tag, props = {}, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}
function timeEl(iso) {
  return iso ? el('time', { dateTime: iso, textContent: clock(iso) }) : el('span', { textContent: '?' });
}
function thumbUrl(url, n) {
  return `${encodePath(url)}/frame/${n}.jpg?width=${THUMB_WIDTH}`;
}
async function loadThumb(img, url, signal) {
  try {
    const res = await fetch(url, { signal });
    if (!res.ok) throw await httpError(res);
    const blob = await res.blob();
    const obj = URL.createObjectURL(blob);
    img.src = obj;
    await img.decode();
    img.dataset.src = url;
    dayState.thumbs.set(obj, { url, blob, painted: performance.now() });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    img.closest('a').classList.add('failed');
    img.alt = `not loaded: ${err.message}`;
  }
}

// Fills row `li` with the record `rec` (a catalog row: url, start, end, frames, duration,
// status, error).
function fillRow(li, rec) {
  const name = baseName(rec.url);
  li.dataset.url = rec.url;
  li.dataset.status = rec.status;
  const times = rec.start
    ? el('span', { className: 'times' }, timeEl(rec.start), ' – ', timeEl(rec.end), ' UTC')
    : el('span', { className: 'times', textContent: rec.status === 'loading' ? '…' : 'start unknown' });
  const head = el('div', { className: 'day-head' }, el('a', { href: hashFor(rec.url), textContent: name }), times);
  if (rec.status === 'ok') {
    head.append(el('span', { className: 'info', textContent: `${rec.frames} frames` }));
  } else {
    head.append(el('span', { className: 'row-status', textContent: `${rec.status}: ${rec.error || ''}` }));
  }
  li.replaceChildren(head);
  if (rec.status !== 'ok' || !rec.frames) return;
  const fps = rec.duration > 0 ? rec.frames / rec.duration : 0;
  const startMs = rec.start ? Date.parse(rec.start) : NaN;
  const strip = el('div', { className: 'day-thumbs', role: 'group' });
  strip.setAttribute('aria-label', `Thumbnails of ${name}`);
  for (const n of spacedFrames(rec.frames, THUMBS)) {
    const at = Number.isFinite(startMs) && fps ? ` (${clock(new Date(startMs + ((n - 1) / fps) * 1000).toISOString())} UTC)` : '';
    const img = el('img', { alt: '' });
    const a = el('a', { href: hashFor(rec.url, { frame: n }) }, img);
    a.dataset.frame = String(n);
    a.setAttribute('aria-label', `${name}, frame ${n}${at}`);
    strip.append(a);
    whenVisible(img, (signal) => loadThumb(img, thumbUrl(rec.url, n), signal));
  }
  li.append(strip);
}

// A row from the directory's listing: its metadata is read once the row is in view.
function listedRow(li, path) {
  fillRow(li, { url: path, status: 'loading', error: 'reading the movie…' });
  whenVisible(li, async (signal) => {
    const rec = { url: path, start: null, end: null, status: 'ok', error: null };
    try {
      const meta = await getJson(encodePath(path), signal);
      const start = utcStart(path, meta);
      Object.assign(rec, { frames: meta.NumFrames, duration: meta.Duration });
      if (start) {
        rec.start = new Date(start.ms).toISOString();
        rec.end = new Date(start.ms + meta.Duration * 1000).toISOString();
      }
    } catch (err) {
      if (err.name === 'AbortError') throw err;
      Object.assign(rec, { status: err.status === 415 ? 'malformed' : 'unreachable', error: err.message });
    }
    if (!signal.aborted) fillRow(li, rec);
  });
}

// ---- days before and after ----
// The date-named subdirectories of `path` (a date level `level` below the root), each
// directory listed at most once a page (the searches both ways share their listings).
async function dateDirs(mine, path, level) {
  if (!mine.listings.has(path)) mine.listings.set(path, getJson(encodePath(path), mine.ctl.signal));
  const l = await mine.listings.get(path);
  return (l.Directories || []).filter((d) => d.length === WIDTHS[level] && /^\d+$/.test(d)).sort();
}
// The first (dir > 0) or last day directory below `path`, a directory of date level `level`.
async function edgeDay(mine, path, level, dir, budget) {
  if (level === 3) return path;
  if (budget.left-- <= 0) return null;
  const kids = await dateDirs(mine, path, level);
  if (dir < 0) kids.reverse();
  for (const k of kids) {
    const found = await edgeDay(mine, `${path}${k}/`, level + 1, dir, budget);
    if (found || budget.left <= 0) return found;
  }
  return null;
}
// The day directory next to `day` (dir: +1 later, -1 earlier) that exists: the next sibling
// at the nearest level (day, month, year) that holds a day; null when there is none.
async function neighbourDay(mine, dir) {
  const day = mine.day;
  const parts = [day.y, day.mo, day.d];
  const budget = { left: LISTINGS };
  for (let level = 2; level >= 0; level--) {
    const parent = day.root + parts.slice(0, level).map((p) => `${p}/`).join('');
    if (budget.left-- <= 0) return null;
    const sibs = (await dateDirs(mine, parent, level)).filter((s) => (dir > 0 ? s > parts[level] : s < parts[level]));
    if (dir < 0) sibs.reverse();
    for (const s of sibs) {
      const found = await edgeDay(mine, `${parent}${s}/`, level + 1, dir, budget);
      if (found || budget.left <= 0) return found;
    }
  }
  return null;
}
async function dayLinks(mine) {
  for (const [id, dir, none] of [['day-prev', -1, 'no earlier day'], ['day-next', 1, 'no later day']]) {
    const a = $(id);
    let target;
    try {
      target = await neighbourDay(mine, dir);
    } catch (err) {
      if (err.name === 'AbortError') return;
      target = dayPath(mine.day.root, mine.day.ms + dir * 86400000); // not listable: the calendar's
    }
    if (page !== mine) return;
    if (target) {
      a.href = hashFor(target);
      a.removeAttribute('aria-disabled');
      a.textContent = `${dir < 0 ? '← ' : ''}${target.slice(mine.day.root.length, -1).replaceAll('/', '-')}${dir > 0 ? ' →' : ''}`;
    } else {
      a.setAttribute('aria-disabled', 'true');
      a.textContent = none;
    }
  }
}

// ---- go to an instant ----
// Milliseconds of a typed instant: RFC 3339 (a missing zone is UTC), a date, or on a day's
// page a time of that day (HH:MM[:SS[.fff]]).
function parseInstant(text, day) {
  let t = text.trim().replace(' ', 'T');
  if (/^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t) && day) t = `${day.iso}T${t.replace(/^(\d):/, '0$1:')}`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += 'T00:00:00';
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t += 'Z';
  return /^\d{4}-\d{2}-\d{2}T/.test(t) ? Date.parse(t) : NaN;
}
function say(parts, bad = false) {
  const p = $('instant-message');
  p.replaceChildren(...parts);
  p.classList.toggle('bad', bad);
  p.hidden = false;
}
function neighbourLink(n, key, frames) {
  const frame = key === 'end' ? frames.get(n.file) : 1;
  return [el('a', { href: hashFor(n.file, frame ? { frame } : {}), textContent: baseName(n.file) }), ` (${key}s ${n[key]})`];
}
async function goToInstant(e) {
  e.preventDefault();
  const mine = page;
  if (!mine) return;
  const ms = parseInstant($('in-instant').value, mine.day);
  if (!Number.isFinite(ms)) {
    say([`"${$('in-instant').value}" is not a UTC instant: type e.g. 2016-11-13T03:00:01Z${mine.day ? ' or 03:00:01' : ''}.`], true);
    return;
  }
  const iso = new Date(ms).toISOString();
  say([`Looking for ${iso}…`]);
  try {
    const root = await mine.root;
    const res = await fetch(`${encodePath(root)}utc/${iso}.jpg?width=${THUMB_WIDTH}`, { signal: mine.ctl.signal });
    if (page !== mine) return;
    if (res.ok) {
      const file = res.headers.get('X-Lazyqt-File');
      const frame = Number(res.headers.get('X-Lazyqt-Frame')) + 1; // 0-based there
      res.body && res.body.cancel();
      location.hash = hashFor(file, { frame });
      return;
    }
    const err = await httpError(res);
    const body = err.body || {};
    if (res.status === 404 && ('before' in body || 'after' in body)) {
      const parts = [`No recording at ${iso}. `];
      parts.push('Before it: ', ...(body.before ? neighbourLink(body.before, 'end', mine.frames) : ['none within a day']));
      parts.push('; after it: ', ...(body.after ? neighbourLink(body.after, 'start', mine.frames) : ['none within a day']), '.');
      say(parts, true);
    } else {
      say([`${iso} cannot be shown: ${err.message} (HTTP status ${err.status})`], true);
    }
  } catch (err) {
    if (err.name !== 'AbortError') say([`${iso} cannot be shown: ${err.message}`], true);
  }
}

// ---- the page ----
// Aborts every request of the day page and hides it (a page still waiting for its listing
// is not shown).
export function leaveDay() {
  shows++;
  if (page) {
    page.ctl.abort();
    page.observer.disconnect();
    page = null;
  }
  for (const url of dayState.thumbs.keys()) URL.revokeObjectURL(url);
  dayState.thumbs.clear();
  dayState.catalog = null;
  $('day-rows').replaceChildren();
  $('day').hidden = true;
}

// The archive root `<root>/utc/` is asked at: above the day directory when that is still in
// a mount (a movie may record across midnight), else the directory itself.
async function instantRoot(path, day, signal) {
  if (!day) return path;
  const root = await getJson('/', signal);
  const inMount = (root.Mounts || []).some((m) => day.root.startsWith(`${m.Prefix.replace(/\/$/, '')}/`));
  return inMount ? day.root : path;
}

// Shows the directory `path` as rows of its movies; `movies` is a promise of their names (from
// its listing), and an archive day asks for its catalog at once, beside that listing. Resolves
// to the names shown as rows (the listing keeps the others); a directory that is no day and
// holds no movie is not shown.
export async function showDay(path, movies) {
  leaveDay();
  const token = shows;
  const day = dayOf(path);
  if (day) movies.catch(() => {}); // a day's rows are its catalog's; a failed listing is shown by its caller
  const names = day ? null : await movies;
  if (token !== shows || (names && !names.length)) return new Set();
  const mine = {
    path, day, root: Promise.resolve(path), ctl: new AbortController(), tasks: new Map(), queue: [], running: 0, frames: new Map(),
    listings: new Map(),
  };
  mine.observer = new IntersectionObserver(onIntersect, { rootMargin: '100px' });
  page = mine;
  $('day').hidden = false;
  $('day-title').textContent = day ? `Recordings of ${day.iso} (UTC)` : 'Movies';
  $('day-nav').hidden = !day;
  $('instant-message').hidden = true;
  $('in-instant').value = day ? `${day.iso}T` : '';
  $('in-instant').placeholder = day ? 'HH:MM:SS or 2016-11-13T03:00:01Z' : '2016-11-13T03:00:01Z';
  const rows = $('day-rows');
  if (!day) {
    const stamp = (f) => { const s = utcStart(f, null); return s ? s.ms : Infinity; };
    for (const f of [...names].sort((a, b) => stamp(a) - stamp(b) || a.localeCompare(b))) {
      const li = el('li', { className: 'day-row' });
      rows.append(li);
      listedRow(li, path + f);
    }
    $('day-info').textContent = `${names.length} movies. Select a thumbnail to open the movie at that frame.`;
    return new Set(names);
  }
  for (const id of ['day-prev', 'day-next']) {
    $(id).removeAttribute('href');
    $(id).textContent = '…';
  }
  $('day-info').textContent = 'Reading the catalog of the day…';
  const asked = getJson(`${encodePath(path)}catalog?from=${day.iso}&to=${day.iso}T23:59:59.999Z`, mine.ctl.signal);
  mine.root = instantRoot(path, day, mine.ctl.signal).catch(() => path);
  let catalog;
  try {
    catalog = await asked;
  } catch (err) {
    if (page !== mine) return new Set();
    dayLinks(mine);
    $('day-info').textContent = `The catalog of the day cannot be read: ${err.message}` +
      (err.status ? ` (HTTP status ${err.status}).` : '');
    return new Set();
  }
  if (page !== mine) return new Set();
  dayState.catalog = catalog;
  for (const rec of catalog) {
    if (rec.frames) mine.frames.set(rec.url, rec.frames);
    const li = el('li', { className: 'day-row' });
    rows.append(li);
    fillRow(li, rec);
  }
  const bad = catalog.filter((r) => r.status !== 'ok').length;
  $('day-info').textContent = `${catalog.length} movies${bad ? `, ${bad} not usable` : ''}. ` +
    'Select a thumbnail to open the movie at that frame.';
  announce(`${catalog.length} movies`);
  dayLinks(mine); // after the catalog: its listings do not hold up the thumbnails
  return new Set(catalog.filter((r) => r.url.startsWith(path)).map((r) => r.url.slice(path.length)));
}

document.addEventListener('DOMContentLoaded', () => {
  $('instant').addEventListener('submit', goToInstant);
});
