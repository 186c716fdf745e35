// lazyqt viewer: what its pages share: element lookup, paths and hashes, JSON requests and the
// error panel, times and the start of a movie in UTC.

export const $ = (id) => document.getElementById(id);
export const MOVIE_RE = /\.(mov|mp4|m4v|qt)$/i;
const CAMHD_RE = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z?\.[^./]+$/;

// ---- paths and URLs ----
export const encodePath = (p) => p.split('/').map(encodeURIComponent).join('/');
export const readHash = () => new URLSearchParams(location.hash.replace(/^#/, ''));
export const hashFor = (path, extra = {}) => '#' + new URLSearchParams({ path, ...extra }).toString();
export const baseName = (path) => path.split('/').pop();

// ---- errors and status ----
// The error of an answer that is not 2xx: the JSON body's `error` when there is one (the
// whole body kept as `body`), else the status line.
export async function httpError(res) {
  let message = `${res.status} ${res.statusText}`;
  let body = null;
  try {
    body = await res.json();
    if (body && body.error) message = body.error;
  } catch (_) { /* not JSON: keep the status line */ }
  const e = new Error(message);
  e.status = res.status;
  e.body = body;
  return e;
}
export function showError(title, err) {
  $('error-title').textContent = title;
  $('error-message').textContent = err.message || String(err);
  $('error-detail').textContent = err.status ? `HTTP status ${err.status}` : '';
  $('error').hidden = false;
}
export const hideError = () => { $('error').hidden = true; };
export const announce = (text) => { $('status').textContent = text; };

export async function getJson(url, signal) {
  const res = await fetch(url, { headers: { Accept: 'application/json' }, signal });
  if (!res.ok) throw await httpError(res);
  return res.json();
}

// ---- time ----
export function fmtTime(s) {
  const m = Math.floor(s / 60);
  const sec = (s - m * 60).toFixed(3).padStart(6, '0');
  return `${m}:${sec}`;
}
// The UTC start of a movie: the CamHD stamp in its name, else its header's creation time.
export function utcStart(path, meta) {
  const m = CAMHD_RE.exec(path);
  if (m) return { ms: Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]), from: 'the file name' };
  if (meta && meta.CreationTime) {
    const ms = Date.parse(meta.CreationTime);
    if (!Number.isNaN(ms)) return { ms, from: 'the movie header' };
  }
  return null;
}
// `count` frame numbers (1-based) evenly spaced over `total` frames, the first one first.
export function spacedFrames(total, count) {
  const k = Math.min(count, total);
  return Array.from({ length: k }, (_, i) => Math.floor((i * total) / k) + 1);
}
