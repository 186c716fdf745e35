//! Routes below a mount: dispatch, directory listings and movie metadata.

use std::sync::atomic::Ordering;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::archive::Dir;
use super::frames::By;
use super::{archive, blocking, files, frames, labelled, sheet, AppState};
use crate::backend::{MovieLocation, MovieMeta, Resolved};
use crate::conditional::{etag, not_modified};
use crate::config::{Mount, MountTarget};
use crate::errors::BackendError;
use crate::listing::{display_path, list_local};
use crate::paths::{is_movie_name, parse_rest, resolve, shareable, MountRoute};

/// Metadata may change when the file does; clients revalidate with the ETag after this.
const META_CACHE_CONTROL: &str = "public, max-age=60";

/// Entry point for every request below mount `idx`.
pub(super) async fn handle(st: AppState, idx: usize, uri: Uri, headers: HeaderMap) -> Response {
    let Some(mount) = st.config.mounts.get(idx) else {
        return BackendError::Internal("unknown mount".into()).into_response();
    };
    let raw = uri.path().get(mount.prefix.len()..).unwrap_or_default();
    let route = match parse_rest(raw) {
        Ok(r) => r,
        Err(e) => return labelled("bad_path", e.into_response()),
    };
    let query = uri.query();
    let (label, result) = match route {
        // `movie.mov/` is the movie, as in go-lazycache.
        MountRoute::Listing(segs) if segs.last().is_some_and(|s| is_movie_name(s)) => {
            entry(&st, mount, &segs, &headers).await
        }
        MountRoute::Listing(segs) => ("listing", listing(&st, mount, &segs).await),
        MountRoute::Entry(segs) => entry(&st, mount, &segs, &headers).await,
        MountRoute::Frame(segs, spec) => {
            ("frame", frames::frame(&st, mount, &segs, By::Number, &spec, query, &headers).await)
        }
        MountRoute::Time(segs, spec) => {
            ("time", frames::frame(&st, mount, &segs, By::Time, &spec, query, &headers).await)
        }
        MountRoute::Utc(segs, spec) => {
            ("utc", archive::utc(Dir { st: &st, mount, segs: &segs }, &spec, query, &headers).await)
        }
        MountRoute::Catalog(segs) => {
            ("catalog", archive::catalog(Dir { st: &st, mount, segs: &segs }, query, &headers).await)
        }
        MountRoute::Sheet(segs) => {
            ("sheet", sheet::sheet(Dir { st: &st, mount, segs: &segs }, query, &headers).await)
        }
    };
    // A 404 names the path the client asked for, never an upstream URL or a local path;
    // other messages of an upstream mount have its credentials masked.
    let result = result.map_err(|e| match (e, &mount.target) {
        (BackendError::NotFound(_), _) => BackendError::NotFound(uri.path().to_string()),
        (e, MountTarget::Upstream(url)) => e.map_message(|m| lazyqt_io::redact_secrets(&m, url.as_str())),
        (e, MountTarget::Local(_)) => e,
    });
    labelled(label, result.unwrap_or_else(IntoResponse::into_response))
}

/// A path without trailing slash: a local directory or an upstream name without a dot is
/// listed, a movie (see [`is_movie_name`]) answers its metadata, another file is redirected to
/// the upstream or served from the local disk.
async fn entry(
    st: &AppState,
    mount: &Mount,
    segs: &[String],
    headers: &HeaderMap,
) -> (&'static str, Result<Response, BackendError>) {
    let name = segs.last().map_or("", String::as_str);
    match &mount.target {
        MountTarget::Upstream(_) if !name.contains('.') => ("listing", listing(st, mount, segs).await),
        MountTarget::Upstream(_) if !is_movie_name(name) => match resolve(mount, segs, false) {
            Ok(Resolved::Url(url)) => ("redirect", Ok(files::redirect(&url))),
            Ok(Resolved::File(_)) => ("redirect", Err(BackendError::Internal("mount kind mismatch".into()))),
            Err(e) => ("redirect", Err(e)),
        },
        MountTarget::Upstream(_) => ("metadata", metadata(st, mount, segs, headers).await),
        MountTarget::Local(_) => match resolve(mount, segs, false) {
            Ok(Resolved::File(p)) if p.is_dir() => ("listing", listing(st, mount, segs).await),
            Ok(Resolved::File(p)) if !is_movie_name(name) => ("file", files::local(&p, name).await),
            Ok(_) => ("metadata", metadata(st, mount, segs, headers).await),
            Err(e) => ("metadata", Err(e)),
        },
    }
}

async fn listing(st: &AppState, mount: &Mount, segs: &[String]) -> Result<Response, BackendError> {
    let path = display_path(segs);
    let (listing, cache_control) = match resolve(mount, segs, true)? {
        Resolved::Url(url) => {
            let ttl = st.config.cache.listing_ttl_secs;
            let io = st.budgets.io(&mount.prefix)?;
            let l = st.lister.list(url, path, io, mount.allow_cross_origin_redirects).await?;
            ((*l).clone(), format!("public, max-age={ttl}"))
        }
        Resolved::File(dir) => {
            let MountTarget::Local(root) = mount.target.clone() else {
                return Err(BackendError::Internal("mount kind mismatch".into()));
            };
            let l = blocking(st.budgets.io(&mount.prefix)?, move || list_local(&dir, &root, path)).await?;
            (l, "no-cache".to_string())
        }
    };
    let mut resp = Json(listing).into_response();
    if let Ok(v) = HeaderValue::from_str(&cache_control) {
        resp.headers_mut().insert(header::CACHE_CONTROL, v);
    }
    Ok(resp)
}

/// Resolves a movie and loads its metadata through the backend.
pub(super) async fn load_movie(
    st: &AppState,
    mount: &Mount,
    segs: &[String],
) -> Result<(MovieLocation, MovieMeta), BackendError> {
    let source = resolve(mount, segs, false)?;
    if let Resolved::File(p) = &source {
        if !p.is_file() {
            return Err(BackendError::NotFound(format!("/{}", segs.join("/"))));
        }
    }
    let loc = MovieLocation { mount_prefix: mount.prefix.clone(), rel_path: segs.join("/"), source };
    let backend = st.backend.clone();
    let l = loc.clone();
    let meta = blocking(st.budgets.io(&mount.prefix)?, move || backend.movie(&l)).await?;
    if st.versions.get(&loc.source).is_some_and(|seen| seen != meta.validator) {
        st.frames.forget_other_versions(&loc.source, &meta.validator);
    }
    st.versions.insert(loc.source.clone(), meta.validator.clone());
    Ok((loc, meta))
}

/// A 304 answer carrying the validators.
pub(super) fn not_modified_response(st: &AppState, etag: &str, cache_control: &str) -> Response {
    st.metrics.not_modified.fetch_add(1, Ordering::Relaxed);
    let mut resp = StatusCode::NOT_MODIFIED.into_response();
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(cache_control) {
        h.insert(header::CACHE_CONTROL, v);
    }
    resp
}

async fn metadata(
    st: &AppState,
    mount: &Mount,
    segs: &[String],
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let (loc, meta) = load_movie(st, mount, segs).await?;
    let tag = etag(&meta.validator, &["meta", &loc.source.to_string()]);
    if let Some(tag) = &tag {
        if not_modified(headers, tag) {
            return Ok(not_modified_response(st, tag, META_CACHE_CONTROL));
        }
    }
    // `SourceURL`: the upstream file, when its URL holds no credentials (local paths are
    // never shown).
    let mut body = metadata_json(&loc.rel_path, &meta)?;
    if let Resolved::Url(url) = &loc.source {
        if let Some(url) = shareable(url) {
            body["SourceURL"] = json!(url.as_str());
        }
    }
    let mut resp = Json(body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(META_CACHE_CONTROL));
    if let Some(v) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        h.insert(header::ETAG, v);
    }
    Ok(resp)
}

/// The metadata JSON of a movie, in go-lazycache's names, from its summary: `URL` as
/// go-lazycache wrote it (the path below the mount), the video track's frames, size, codec
/// and rate, and every track (`Width`/`Height` only for pictures).
fn metadata_json(rel_path: &str, meta: &MovieMeta) -> Result<Value, BackendError> {
    let (summary, video) = (&meta.summary, meta.video()?);
    let tracks: Vec<Value> = summary
        .tracks
        .iter()
        .map(|t| {
            let mut v = json!({
                "Id": t.id,
                "Kind": t.kind,
                "Codec": t.codec,
                "NumSamples": t.samples,
                "Duration": t.duration,
            });
            if t.width > 0 {
                v["Width"] = json!(t.width);
            }
            if t.height > 0 {
                v["Height"] = json!(t.height);
            }
            v
        })
        .collect();
    let skipped: Vec<Value> = summary
        .skipped_tracks
        .iter()
        .map(|s| json!({ "Id": s.id, "Kind": s.kind, "Error": s.error }))
        .collect();
    Ok(json!({
        "URL": format!("/{rel_path}"),
        "NumFrames": video.frames,
        "Duration": summary.duration,
        "FileSize": summary.file_size,
        "Width": video.width,
        "Height": video.height,
        "Codec": video.codec,
        "Fps": video.fps().unwrap_or(0.0),
        "CreationTime": summary.creation_time_rfc3339(),
        "Tracks": tracks,
        "SkippedTracks": skipped,
    }))
}
