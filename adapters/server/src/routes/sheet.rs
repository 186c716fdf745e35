//! `GET <dir>/sheet?from=&to=&every=|count=[&width=&columns=&format=&quality=&matrix=]`: a
//! contact sheet of an archive directory's time range, drawn by `lazyqt_media::sheet` as
//! `lazyqt sheet` draws it (each tile the frame's picture at that width, its UTC time
//! under it; instants no recording covers left out, counted in `X-Lazyqt-Gaps`).
//! `format=json` answers where the tiles are (and the gaps) without decoding anything.
//!
//! A sheet is many decodes: it is refused (422) past `limits.max_sheet_tiles` tiles or
//! `limits.max_pixels` pixels, and runs on [`DECODERS`] frame workers and [`FETCHERS`]
//! permits of the mount's I/O pool, within the decode memory budget, like that many
//! frame requests.

use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use lazyqt_archive::names::{parse_interval, rfc3339};
use lazyqt_archive::{OffsetDateTime, SheetPlan, SheetTile, Spacing};
use lazyqt_media::decoding::{encode, EncodeOptions, Format};
use lazyqt_media::sheet::{self, Layout, SheetOptions, Tile, DEFAULT_TILE_WIDTH, MAX_COLUMNS};
use lazyqt_media::{MediaError, PipelineOptions};
use serde_json::json;

use super::archive::{range, resolved, shown, Dir, ARCHIVE_CACHE_CONTROL};
use super::mount::not_modified_response;
use super::request::{bad, parse_wanted, DEFAULT_JPEG_QUALITY};
use super::AppState;
use crate::budget::work_bytes;
use crate::conditional::{etag, not_modified};
use crate::config::Mount;
use crate::errors::BackendError;

/// Frames a sheet decodes at once (each holds a frame worker).
const DECODERS: usize = 2;
/// Frames a sheet reads at once (each holds a permit of the mount's I/O pool).
const FETCHERS: usize = 4;
/// Frames fetched and not yet drawn, at most.
const AHEAD: usize = 2 * FETCHERS;

/// What a sheet request asks for.
struct Query {
    from: OffsetDateTime,
    to: OffsetDateTime,
    spacing: Spacing,
    /// `jpg` (default), `png` or `json`.
    format: Option<Format>,
    opts: SheetOptions,
    quality: u8,
}

fn parse(query: Option<&str>, headers: &HeaderMap, max_dim: u32) -> Result<Query, BackendError> {
    let (from, to) = range(query)?;
    let wanted = parse_wanted(query, headers, max_dim)?;
    if wanted.height.is_some() {
        return Err(bad("a sheet's tiles are sized by width= alone (the height follows)".into()));
    }
    let (mut every, mut count, mut columns, mut format) = (None, None, 0, Some(Format::Jpeg));
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "every" => every = Some(parse_interval(&v).map_err(bad)?),
            "count" => {
                count = Some(v.parse::<usize>().map_err(|_| bad(format!("count {v:?} is not a number")))?)
            }
            "columns" => {
                columns = v.parse::<usize>().ok().filter(|c| *c <= MAX_COLUMNS).ok_or_else(|| {
                    bad(format!("columns must be an integer in 0..={MAX_COLUMNS}, got {v:?}"))
                })?
            }
            "format" => {
                format = match v.to_ascii_lowercase().as_str() {
                    "json" => None,
                    f => match Format::from_extension(f) {
                        Some(f @ (Format::Jpeg | Format::Png)) => Some(f),
                        _ => return Err(bad(format!("format must be jpg, png or json, got {v:?}"))),
                    },
                }
            }
            _ => {}
        }
    }
    let spacing = match (every, count) {
        (Some(d), None) => Spacing::Every(d),
        (None, Some(n)) => Spacing::Count(n),
        _ => return Err(bad("a sheet needs one of ?every=DURATION (e.g. 10min) or ?count=N".into())),
    };
    let opts = SheetOptions {
        width: wanted.width.unwrap_or(DEFAULT_TILE_WIDTH),
        columns,
        matrix: wanted.matrix,
        pipeline: PipelineOptions { ahead: AHEAD, fetchers: FETCHERS, decoders: DECODERS, ordered: true },
    };
    Ok(Query { from, to, spacing, format, opts, quality: wanted.quality.unwrap_or(DEFAULT_JPEG_QUALITY) })
}

fn media_error(e: &MediaError) -> BackendError {
    BackendError::of_kind(e.kind(), e.to_string())
}

/// The ETag of a sheet: the versions of its movies, its tiles and how it is drawn (`None`
/// when a movie has no validator).
fn sheet_etag(plan: &SheetPlan, q: &Query) -> Option<String> {
    let mut versions = String::new();
    let mut parts = vec![
        "sheet".to_string(),
        q.format.map_or("json", Format::extension).to_string(),
        q.opts.width.to_string(),
        q.opts.columns.to_string(),
        q.quality.to_string(),
        q.opts.matrix.name().to_string(),
    ];
    for t in &plan.tiles {
        versions.push_str(&t.media.source().version()?);
        versions.push('\n');
        parts.push(format!("{}\t{}\t{}", t.url, t.frame, t.utc.map(rfc3339).unwrap_or_default()));
    }
    parts.extend(plan.gaps.iter().map(|g| rfc3339(*g)));
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    etag(if plan.tiles.is_empty() { "empty" } else { &versions }, &parts)
}

/// `format=json`: the sheet's size, its tiles (utc, file as a path here, frame, label,
/// x, y) and the gaps.
fn tiles_json(mount: &Mount, plan: &SheetPlan, layout: &Layout) -> Result<Response, BackendError> {
    let mut tiles = Vec::with_capacity(plan.tiles.len());
    for (i, t) in plan.tiles.iter().enumerate() {
        let file = resolved(mount, &t.url)
            .ok_or_else(|| BackendError::Upstream("the archive named a movie by a bad URL".into()))?;
        let (x, y) = layout.origin(i);
        tiles.push(json!({"utc": t.utc.map(rfc3339), "file": shown(mount, &file)?, "frame": t.frame,
            "label": t.label(), "x": x, "y": y}));
    }
    let gaps: Vec<String> = plan.gaps.iter().map(|g| rfc3339(*g)).collect();
    let body = json!({"width": layout.size.0, "height": layout.size.1, "tiles": tiles, "gaps": gaps});
    Ok(axum::Json(body).into_response())
}

/// `GET <dir>/sheet`.
pub(super) async fn sheet(
    d: Dir<'_>,
    query: Option<&str>,
    headers: &HeaderMap,
) -> Result<Response, BackendError> {
    let (st, mount, limits) = (d.st, d.mount, &d.st.config.limits);
    let q = parse(query, headers, limits.max_dimension)?;
    let (from, to, spacing) = (q.from, q.to, q.spacing);
    let plan = d.archive(move |a| a.sheet(from, to, spacing)).await?;
    if plan.tiles.len() > limits.max_sheet_tiles {
        return Err(BackendError::TooLarge(format!(
            "{} tiles: this server draws at most {} in a sheet; ask for fewer (a longer every=, a smaller count=)",
            plan.tiles.len(),
            limits.max_sheet_tiles
        )));
    }
    let tiles: Vec<Tile> = plan.tiles.iter().map(SheetTile::tile).collect();
    let layout = sheet::plan(&tiles, &q.opts).map_err(|e| media_error(&e))?;
    let sheet_pixels = u64::from(layout.size.0) * u64::from(layout.size.1);
    if sheet_pixels > limits.max_pixels {
        return Err(BackendError::TooLarge(format!(
            "a sheet of {}x{} pixels is over this server's limit of {} pixels: smaller tiles or fewer",
            layout.size.0, layout.size.1, limits.max_pixels
        )));
    }
    let tag = sheet_etag(&plan, &q);
    if let Some(tag) = tag.as_deref().filter(|t| not_modified(headers, t)) {
        return Ok(not_modified_response(st, tag, ARCHIVE_CACHE_CONTROL));
    }
    let mut resp = match q.format {
        None => tiles_json(mount, &plan, &layout)?,
        Some(format) => draw(st, &mount.prefix, tiles, &layout, &q, format).await?,
    };
    let h = resp.headers_mut();
    let mut set = |name: HeaderName, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    set(header::CACHE_CONTROL, ARCHIVE_CACHE_CONTROL);
    if let Some(tag) = &tag {
        set(header::ETAG, tag);
    }
    set(HeaderName::from_static("x-lazyqt-tiles"), &plan.tiles.len().to_string());
    set(HeaderName::from_static("x-lazyqt-gaps"), &plan.gaps.len().to_string());
    Ok(resp)
}

/// Decode and draw the sheet within the server's budgets: [`DECODERS`] frame workers,
/// [`FETCHERS`] I/O permits of the mount, and the decode memory of the frames in flight
/// plus the sheet.
async fn draw(
    st: &AppState,
    prefix: &str,
    tiles: Vec<Tile>,
    layout: &Layout,
    q: &Query,
    format: Format,
) -> Result<Response, BackendError> {
    let native = tiles
        .iter()
        .filter_map(|t| t.media.video().ok().map(|v| u64::from(v.width()) * u64::from(v.height())))
        .max()
        .unwrap_or(0);
    let tile_pixels = u64::from(layout.cell.0) * u64::from(layout.cell.1);
    let sheet_pixels = u64::from(layout.size.0) * u64::from(layout.size.1);
    let memory = st
        .budgets
        .memory(work_bytes(native, tile_pixels) * AHEAD as u64 + work_bytes(0, sheet_pixels))
        .await?;
    let io = st.budgets.io(prefix)?.acquire_many(FETCHERS).await?;
    let workers = st.budgets.decode.acquire_many(DECODERS).await?;
    let (opts, encode_opts) = (q.opts, EncodeOptions { jpeg_quality: q.quality, ..EncodeOptions::default() });
    let (bytes, size) = tokio::task::spawn_blocking(move || {
        let _held = (memory, io, workers);
        let (image, _) = sheet::render(&tiles, &opts).map_err(|e| media_error(&e))?;
        let bytes =
            encode(&image, format, &encode_opts).map_err(|e| BackendError::Internal(e.to_string()))?;
        Ok::<_, BackendError>((bytes, (image.width, image.height)))
    })
    .await
    .map_err(|e| BackendError::Internal(format!("sheet task failed: {e}")))??;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(format.mime_type()));
    for (name, v) in [("x-image-width", size.0), ("x-image-height", size.1)] {
        if let Ok(v) = HeaderValue::from_str(&v.to_string()) {
            h.insert(HeaderName::from_static(name), v);
        }
    }
    Ok(resp)
}
