//! Routes of a mounted directory seen as an archive of movies addressed by UTC time
//! (lazyqt-archive through the [`Backend`](crate::Backend)):
//! `<dir>/utc/<instant>[.ext]` (the frame shown then) and `<dir>/catalog?from=&to=`
//! (`lazyqt ls --json`'s rows as one JSON array), and [`Dir`], how every archive route
//! (`<dir>/sheet` too) asks the backend: on the mount's I/O pool, through the mount's
//! listing cache. Movies are always named by their path on this server, never by an
//! upstream URL or a local path.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use lazyqt_archive::names::{parse_instant, rfc3339};
use lazyqt_archive::OffsetDateTime;
use serde_json::{json, Value};
use url::Url;

use super::mount::not_modified_response;
use super::{blocking, frames, AppState};
use crate::backend::{ArchiveDir, Backend, FrameFormat, Instant, Neighbour, Resolved};
use crate::conditional::{etag, not_modified};
use crate::config::{Mount, MountTarget};
use crate::errors::BackendError;
use crate::media_archive::backend_error;
use crate::paths::{mount_path, resolve, segments_below};

/// Which movie covers an instant, and what a catalog holds, change when the archive does:
/// clients revalidate with the ETag after this.
pub(super) const ARCHIVE_CACHE_CONTROL: &str = "public, max-age=60";

/// The longest range one catalog request covers (a month of CamHD is 240 movies, each
/// opened once): longer ones are asked for in parts.
const MAX_CATALOG_DAYS: i64 = 31;

fn bad(msg: String) -> BackendError {
    BackendError::BadRequest(msg)
}

/// The archive directory at `segs` and how the backend names it (shown as the mount path).
pub(super) fn archive_dir(mount: &Mount, segs: &[String]) -> Result<(Resolved, String), BackendError> {
    let dir = resolve(mount, segs, true)?;
    if let Resolved::File(p) = &dir {
        if !p.is_dir() {
            return Err(BackendError::NotFound(format!("/{}/", segs.join("/"))));
        }
    }
    // With a trailing `/`, as the mount path it is replaced by in messages.
    let named = match &dir {
        Resolved::Url(u) => u.as_str().to_owned(),
        Resolved::File(p) => format!("{}/", p.to_string_lossy().trim_end_matches('/')),
    };
    Ok((dir, named))
}

/// An archive directory a request names: the mount and the directory's segments below it.
#[derive(Clone, Copy)]
pub(super) struct Dir<'a> {
    pub st: &'a AppState,
    pub mount: &'a Mount,
    pub segs: &'a [String],
}

impl Dir<'_> {
    /// Run `f` with the backend and the archive directory (with the mount's listing cache)
    /// on the mount's I/O pool; its messages name the directory by its path on this server.
    pub(super) async fn run<T: Send + 'static>(
        self,
        f: impl FnOnce(&dyn Backend, &ArchiveDir) -> Result<T, BackendError> + Send + 'static,
    ) -> Result<T, BackendError> {
        let (dir, named) = archive_dir(self.mount, self.segs)?;
        let dir_path = format!("{}/", mount_path(&self.mount.prefix, self.segs));
        let at = ArchiveDir {
            mount_prefix: self.mount.prefix.clone(),
            dir,
            listings: self.st.archive_listings(&self.mount.prefix)?,
        };
        let backend = self.st.backend.clone();
        blocking(self.st.budgets.io(&self.mount.prefix)?, move || f(&*backend, &at))
            .await
            .map_err(|e| e.map_message(|m| m.replace(&named, &dir_path)))
    }

    /// `text` with the directory's upstream URL or local path replaced by its path here.
    fn shown_text(self, text: &str) -> String {
        match archive_dir(self.mount, self.segs) {
            Ok((_, named)) => {
                text.replace(&named, &format!("{}/", mount_path(&self.mount.prefix, self.segs)))
            }
            Err(_) => text.to_owned(),
        }
    }

    /// The archive's calls, as [`Dir::run`] runs them.
    pub(super) async fn archive<T: Send + 'static>(
        self,
        f: impl FnOnce(lazyqt_archive::Archive) -> Result<T, lazyqt_archive::ArchiveError> + Send + 'static,
    ) -> Result<T, BackendError> {
        self.run(move |backend, at| f(backend.archive(at)?).map_err(|e| backend_error(&e))).await
    }
}

/// The file a backend named by its URL or path, as a [`Resolved`] of the mount's kind.
pub(super) fn resolved(mount: &Mount, uri: &str) -> Option<Resolved> {
    match &mount.target {
        MountTarget::Upstream(_) => Url::parse(uri).ok().map(Resolved::Url),
        MountTarget::Local(_) => Some(Resolved::File(uri.into())),
    }
}

/// The path on this server of a file the backend found, or a 502 when it is outside the mount.
pub(super) fn shown(mount: &Mount, file: &Resolved) -> Result<String, BackendError> {
    segments_below(mount, file)
        .map(|segs| mount_path(&mount.prefix, &segs))
        .ok_or_else(|| BackendError::Upstream("the archive named a movie outside the mount".into()))
}

/// `?name=1|true|yes` / `0|false|no` (absent: false).
fn flag(query: Option<&str>, name: &str) -> Result<bool, BackendError> {
    let mut on = false;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if k == name {
            on = match v.as_ref() {
                "" | "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                other => return Err(bad(format!("{name} must be 1 or 0, got {other:?}"))),
            };
        }
    }
    Ok(on)
}

/// Splits `INSTANT[.ext]`: a known extension selects the format, PNG otherwise (so
/// `…T01:02:03.5Z` is an instant with a fraction, not a format).
fn split_instant(spec: &str) -> (&str, FrameFormat) {
    spec.rsplit_once('.')
        .and_then(|(stem, ext)| FrameFormat::from_extension(ext).map(|f| (stem, f)))
        .unwrap_or((spec, FrameFormat::Png))
}

/// `GET <dir>/utc/<instant>[.ext]`: the frame shown at the instant, named by the headers
/// `X-Lazyqt-File` (its movie's path here), `X-Lazyqt-Frame` (0-based; `X-Frame-Number` is
/// 1-based as for `frame/`), `X-Lazyqt-Utc` (the instant asked for) and `X-Lazyqt-Offset`
/// (seconds from the movie's start). Outside a recording: 404 naming the recordings before
/// and after, or with `?nearest=1` the closest frame.
pub(super) async fn utc(
    d: Dir<'_>,
    spec: &str,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let (st, mount) = (d.st, d.mount);
    let (text, format) = split_instant(spec);
    let at = parse_instant(text).map_err(bad)?;
    let nearest = flag(query, "nearest")?;
    let found = d.run(move |backend, dir| backend.locate(dir, at, nearest)).await?;
    let (file, index0, offset) = match found {
        Instant::Frame { file, index0, offset } => (file, index0, offset),
        Instant::Gap { before, after } => return gap(mount, at, before, after),
    };
    let file_segs = segments_below(mount, &file)
        .ok_or_else(|| BackendError::Upstream("the archive named a movie outside the mount".into()))?;
    let mut resp = frames::indexed(st, mount, &file_segs, index0, format, query, headers).await?;
    let h = resp.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(HeaderName::from_static("x-lazyqt-file"), &mount_path(&mount.prefix, &file_segs));
    set(HeaderName::from_static("x-lazyqt-frame"), &index0.to_string());
    set(HeaderName::from_static("x-lazyqt-utc"), &rfc3339(at));
    set(HeaderName::from_static("x-lazyqt-offset"), &offset.to_string());
    set(header::CACHE_CONTROL, ARCHIVE_CACHE_CONTROL);
    Ok(resp)
}

/// The 404 of an instant no recording covers: `{"error", "status", "before": {"file",
/// "end"} | null, "after": {"file", "start"} | null}`.
fn gap(
    mount: &Mount,
    at: OffsetDateTime,
    before: Option<Neighbour>,
    after: Option<Neighbour>,
) -> Result<Response, BackendError> {
    let side = |n: Option<Neighbour>, key: &str| -> Result<Value, BackendError> {
        n.map_or(Ok(Value::Null), |n| Ok(json!({"file": shown(mount, &n.file)?, key: rfc3339(n.at)})))
    };
    let (before, after) = (side(before, "end")?, side(after, "start")?);
    let name = |v: &Value, key: &str, none: &str| match (v["file"].as_str(), v[key].as_str()) {
        (Some(f), Some(t)) => format!("{f} ({key} {t})"),
        _ => none.to_owned(),
    };
    let error = format!(
        "no recording at {}: before it {}; after it {} (ask with ?nearest=1 for the closest frame)",
        rfc3339(at),
        name(&before, "end", "none within a day"),
        name(&after, "start", "none within a day"),
    );
    let body = json!({"error": error, "status": 404, "before": before, "after": after});
    Ok((StatusCode::NOT_FOUND, axum::Json(body)).into_response())
}

/// The closed range `from`..`to` of a catalog or sheet query: both required, `from <= to`, at most
/// [`MAX_CATALOG_DAYS`] apart.
pub(super) fn range(query: Option<&str>) -> Result<(OffsetDateTime, OffsetDateTime), BackendError> {
    let (mut from, mut to) = (None, None);
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "from" => from = Some(parse_instant(&v).map_err(bad)?),
            "to" => to = Some(parse_instant(&v).map_err(bad)?),
            _ => {}
        }
    }
    let (Some(from), Some(to)) = (from, to) else {
        return Err(bad("the range needs ?from=&to= (RFC 3339 instants or dates)".into()));
    };
    if from > to {
        return Err(bad(format!("from ({}) is after to ({})", rfc3339(from), rfc3339(to))));
    }
    if to - from > time::Duration::days(MAX_CATALOG_DAYS) {
        return Err(bad(format!("a range covers at most {MAX_CATALOG_DAYS} days: ask for it in parts")));
    }
    Ok((from, to))
}

/// `GET <dir>/catalog?from=&to=`: the catalog of the range as a JSON array of
/// `lazyqt ls --json`'s rows (url, start, end, duration, frames, size, codec, status,
/// start_from, error), `url` being the movie's path on this server. The ETag is derived
/// from the rows.
pub(super) async fn catalog(
    d: Dir<'_>,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let (st, mount) = (d.st, d.mount);
    let (from, to) = range(query)?;
    let records = d.archive(move |a| a.catalog(Some(from), Some(to))).await?;
    let mut rows = Vec::with_capacity(records.len());
    for mut r in records {
        let Some(file) = resolved(mount, &r.url) else {
            tracing::warn!(mount = mount.prefix, "the archive named a movie by a bad URL: left out");
            continue;
        };
        r.url = shown(mount, &file)?;
        r.error = r.error.map(|e| d.shown_text(&e));
        rows.push(r);
    }
    let body = serde_json::to_string(&rows).map_err(|e| BackendError::Internal(e.to_string()))?;
    let tag = etag(&body, &["catalog"]);
    if let Some(tag) = &tag {
        if not_modified(headers, tag) {
            return Ok(not_modified_response(st, tag, ARCHIVE_CACHE_CONTROL));
        }
    }
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(ARCHIVE_CACHE_CONTROL));
    if let Some(v) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        h.insert(header::ETAG, v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_formats_and_ranges() {
        assert_eq!(split_instant("2016-11-13T01:02:03Z.jpg"), ("2016-11-13T01:02:03Z", FrameFormat::Jpeg));
        assert_eq!(split_instant("2016-11-13T01:02:03.5Z"), ("2016-11-13T01:02:03.5Z", FrameFormat::Png));
        assert_eq!(
            split_instant("2016-11-13T01:02:03.5Z.rgba"),
            ("2016-11-13T01:02:03.5Z", FrameFormat::Rgba)
        );
        assert_eq!(flag(Some("nearest=1"), "nearest"), Ok(true));
        assert_eq!(flag(Some("width=3"), "nearest"), Ok(false));
        assert!(flag(Some("nearest=maybe"), "nearest").is_err());
        assert!(range(Some("from=2016-11-13")).is_err(), "to is required");
        assert!(range(Some("from=2016-11-14&to=2016-11-13")).is_err(), "from after to");
        assert!(range(Some("from=2016-01-01&to=2016-03-01")).is_err(), "over a month");
        let (f, t) = range(Some("from=2016-11-13&to=2016-11-13T23:59:59Z")).expect("a day");
        assert_eq!((rfc3339(f), rfc3339(t)), ("2016-11-13T00:00:00Z".into(), "2016-11-13T23:59:59Z".into()));
    }
}
