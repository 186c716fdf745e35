//! `<movie>/frame/<N>[.ext]` (1-based) and `<movie>/time/<seconds>[.ext]`.

use std::sync::atomic::Ordering;

use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::mount::{load_movie, not_modified_response};
use super::request::{bad, frame_request, parse_wanted, split_ext, Wanted};
use super::{blocking, AppState};

use crate::backend::{FrameFormat, FrameRequest, MovieLocation, MovieMeta};
use crate::budget::work_bytes;
use crate::cache::{FrameKey, Lookup};
use crate::conditional::{etag, not_modified};
use crate::config::Mount;
use crate::errors::BackendError;

/// Frames of a file whose validator is known never change at that URL.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Without a validator, answers may be reused only briefly.
const SHORT: &str = "public, max-age=60";
/// `Vary` of every frame answer: the size headers choose the representation.
const VARY: &str = "X-lazycache-output-width, X-lazycache-output-height";
/// Which frame a route asks for, before the movie's metadata is known.
#[derive(Clone, Copy)]
enum Pick<'a> {
    /// `frame/<N>`: the 1-based number as written.
    Number(&'a str),
    /// `time/<seconds>`: the parsed time and the text written.
    Time(f64, &'a str),
    /// A 0-based frame an archive lookup chose.
    Index0(u64),
}

/// How a frame request names its frame.
#[derive(Clone, Copy, Debug)]
pub(super) enum By {
    /// `frame/<N>[.ext]`: a 1-based frame number.
    Number,
    /// `time/<seconds>[.ext]`: seconds from the start of the movie.
    Time,
}

/// `GET <movie>/frame/<N>[.ext]` and `GET <movie>/time/<seconds>[.ext]`.
pub(super) async fn frame(
    st: &AppState,
    mount: &Mount,
    segs: &[String],
    by: By,
    spec: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let (text, format) = split_ext(spec)?;
    let pick = match by {
        By::Number if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Pick::Number(text),
        By::Number => return Err(bad(format!("frame number must be a positive integer, got {text:?}"))),
        By::Time => text
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-'))
            .map(|seconds| Pick::Time(seconds, text))
            .ok_or_else(|| bad(format!("time must be a number of seconds, got {text:?}")))?,
    };
    let wanted = parse_wanted(query, headers, st.config.limits.max_dimension)?;
    serve(st, mount, segs, pick, format, wanted, headers).await
}

/// The 0-based frame `index0` of the movie at `segs` as `format`, sized by the query:
/// what `<dir>/utc/<instant>` answers once the archive named the movie and frame.
pub(super) async fn indexed(
    st: &AppState,
    mount: &Mount,
    segs: &[String],
    index0: u64,
    format: FrameFormat,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let wanted = parse_wanted(query, headers, st.config.limits.max_dimension)?;
    serve(st, mount, segs, Pick::Index0(index0), format, wanted, headers).await
}

/// Loads the metadata, resolves the frame and answers it. The metadata's validator names the
/// answer (ETag, cache key); when the frame turns out to come from another version of the
/// file (it changed in between), everything is resolved once more from fresh metadata, so an
/// ETag never names two bodies. A second change in a row is 503 + `Retry-After`.
async fn serve(
    st: &AppState,
    mount: &Mount,
    segs: &[String],
    pick: Pick<'_>,
    format: FrameFormat,
    wanted: Wanted,
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let mut attempts = 2;
    loop {
        attempts -= 1;
        let (loc, meta) = load_movie(st, mount, segs).await?;
        let num_frames = u64::from(meta.video()?.frames);
        let index0 = match pick {
            Pick::Number(num) => match num.parse::<u64>().ok().filter(|n| (1..=num_frames).contains(n)) {
                Some(n) => n - 1,
                None => return Err(BackendError::OutOfRange(format!("frame {num} not in 1..={num_frames}"))),
            },
            Pick::Index0(n) if n < num_frames => n,
            Pick::Index0(n) => {
                return Err(BackendError::OutOfRange(format!("frame {n} (0-based) not in 0..{num_frames}")))
            }
            Pick::Time(seconds, secs) => {
                // A movie shows frames from 0 s until its `Duration` (exclusive). The server
                // alone decides which times are inside, so the range it states is exactly the
                // range it accepts.
                if !(0.0..meta.summary.duration).contains(&seconds) {
                    return Err(BackendError::OutOfRange(format!(
                        "time {secs} s not in [0, {}) s",
                        meta.summary.duration
                    )));
                }
                let (backend, l) = (st.backend.clone(), loc.clone());
                let found =
                    blocking(st.budgets.io(&mount.prefix)?, move || backend.frame_at_time(&l, seconds)).await;
                let index0 = match found {
                    // Inside the movie but past the end of its video track (a shorter video,
                    // or a time within half a tick of the end): the last frame is still shown.
                    Err(BackendError::OutOfRange(_)) => num_frames.saturating_sub(1),
                    other => other?,
                };
                if index0 >= num_frames {
                    return Err(BackendError::OutOfRange(format!("time {secs} s: the movie has no frames")));
                }
                index0
            }
        };
        let req = frame_request(format, wanted, &meta, &st.config.limits)?;
        match respond(st, mount, loc, &meta, index0, req, headers).await {
            Err(BackendError::ChangedUpstream(_)) if attempts > 0 => {
                tracing::info!(
                    mount = mount.prefix,
                    path = segs.join("/"),
                    "frame came from another version of the file: reloading metadata"
                );
            }
            other => return other,
        }
    }
}

/// Conditional check, frame cache, backend calls (fetch on the mount's I/O pool, decode on a
/// worker within the memory budget), headers.
async fn respond(
    st: &AppState,
    mount: &Mount,
    loc: MovieLocation,
    meta: &MovieMeta,
    index0: u64,
    req: FrameRequest,
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let opt = |v: Option<u32>| v.map_or_else(String::new, |v| v.to_string());
    let tag = etag(
        &meta.validator,
        &[
            "frame",
            &loc.source.to_string(),
            &index0.to_string(),
            req.format.extension(),
            &opt(req.width),
            &opt(req.height),
            &opt(req.quality.map(u32::from)),
            req.matrix.name(),
        ],
    );
    let cache_control = if tag.is_some() { IMMUTABLE } else { SHORT };
    if let Some(tag) = &tag {
        if not_modified(headers, tag) {
            let mut resp = not_modified_response(st, tag, cache_control);
            resp.headers_mut().insert(header::VARY, HeaderValue::from_static(VARY));
            return Ok(resp);
        }
    }
    let key = FrameKey { source: loc.source.clone(), validator: meta.validator.clone(), index0, req };
    let video = meta.video()?;
    let native = u64::from(video.width) * u64::from(video.height);
    let output = u64::from(req.width.unwrap_or(video.width)) * u64::from(req.height.unwrap_or(video.height));
    let (st2, prefix, validator) = (st.clone(), mount.prefix.clone(), meta.validator.clone());
    let compute = async move {
        // Fetch on the mount's I/O pool, then decode what was fetched on a frame worker that
        // never waits on upstream; a request dropped in between (client gone, deadline)
        // decodes nothing, and bytes of another version of the file are never decoded.
        let b = st2.backend.clone();
        let fetched = blocking(st2.budgets.io(&prefix)?, move || b.fetch(&loc, index0, &req)).await?;
        if fetched.validator != validator {
            return Err(BackendError::ChangedUpstream("the file changed since its metadata was read".into()));
        }
        let memory = match req.format {
            FrameFormat::Sample => None,
            _ => Some(st2.budgets.memory(work_bytes(native, output)).await?),
        };
        let backend = st2.backend.clone();
        blocking(&st2.budgets.decode, move || {
            let _memory = memory;
            backend.decode(fetched, &req)
        })
        .await
    };
    let (frame, lookup) = st.frames.get_or_compute(key, compute).await?;
    let counter = match lookup {
        Lookup::Hit => &st.metrics.frame_cache_hits,
        Lookup::Miss => &st.metrics.frame_cache_misses,
    };
    counter.fetch_add(1, Ordering::Relaxed);

    let mut resp = frame.bytes.clone().into_response();
    let h = resp.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(header::CONTENT_TYPE, &frame.content_type);
    set(header::CACHE_CONTROL, cache_control);
    set(header::VARY, VARY);
    if let Some(tag) = &tag {
        set(header::ETAG, tag);
    }
    set(HeaderName::from_static("x-frame-number"), &(index0 + 1).to_string());
    set(HeaderName::from_static("x-cache"), if lookup == Lookup::Hit { "HIT" } else { "MISS" });
    if req.format != FrameFormat::Sample {
        set(HeaderName::from_static("x-image-width"), &frame.width.to_string());
        set(HeaderName::from_static("x-image-height"), &frame.height.to_string());
    }
    if req.format == FrameFormat::Rgba {
        set(HeaderName::from_static("x-pixel-format"), "RGBA8");
    }
    Ok(resp)
}
