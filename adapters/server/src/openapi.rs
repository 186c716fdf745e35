//! The OpenAPI 3.1 document served at `/openapi.json`, built from the configured mounts.

use lazyqt_media::decoding::ColorMatrix;
use serde_json::{json, Map, Value};

use crate::config::ServerConfig;

/// Paths of the built-in routes, in OpenAPI template form.
pub(crate) const SERVICE_ROUTES: [&str; 10] = [
    "/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/info",
    "/info/",
    "/metrics/",
    "/_ah/health",
    "/view/",
];

/// Sub-paths every mount answers, in OpenAPI template form, appended to the mount prefix.
pub(crate) const MOUNT_ROUTES: [&str; 12] = [
    "",
    "/",
    "/{dir}/",
    "/{file}",
    "/{file}/frame/{frame}",
    "/{file}/time/{seconds}",
    "/utc/{instant}",
    "/{dir}/utc/{instant}",
    "/catalog",
    "/{dir}/catalog",
    "/sheet",
    "/{dir}/sheet",
];

/// Every path template the server answers for `config` (the keys of the OpenAPI `paths`).
pub fn route_templates(config: &ServerConfig) -> Vec<String> {
    let mut out: Vec<String> = SERVICE_ROUTES.iter().map(|s| s.to_string()).collect();
    for m in &config.mounts {
        out.extend(MOUNT_ROUTES.iter().map(|r| format!("{}{r}", m.prefix)));
    }
    out
}

fn error_responses(codes: &[&str]) -> Map<String, Value> {
    let mut m = Map::new();
    for code in codes {
        m.insert(
            (*code).to_string(),
            json!({"description": "Error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    m
}

fn op(summary: &str, params: Value, ok: Value, errors: &[&str]) -> Value {
    let mut responses = error_responses(errors);
    responses.insert("200".into(), ok);
    if errors.contains(&"304") {
        responses.insert("304".into(), json!({"description": "Not modified (If-None-Match)"}));
    }
    json!({"get": {"summary": summary, "parameters": params, "responses": responses}})
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description,
           "schema": {"type": "string"}})
}

fn query_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description,
           "schema": {"type": "integer", "minimum": 1}})
}

fn header_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "header", "required": false, "description": description,
           "schema": {"type": "integer", "minimum": 1}})
}

/// The OpenAPI document for `config`.
pub fn openapi(config: &ServerConfig) -> Value {
    let json_ok = |schema: &str| json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let image_ok = json!({"description": "The frame; image/png, image/jpeg, image/bmp, image/x-raw-rgba (.rgba and .raw: RGBA8 rows, size in X-Image-Width, X-Image-Height, X-Pixel-Format: RGBA8), application/octet-stream (.sample: the undecoded sample). Vary: X-lazycache-output-width, X-lazycache-output-height",
        "content": {"image/png": {}, "image/jpeg": {}, "image/bmp": {}, "image/x-raw-rgba": {}, "application/octet-stream": {}}});
    let size_params = || {
        vec![
            query_param(
                "width",
                "Output width; the aspect ratio is kept when only one of width/height is given",
            ),
            query_param("height", "Output height"),
            query_param("quality", "JPEG quality 1-100"),
            header_param(
                "X-lazycache-output-width",
                "Output width as go-lazycache clients ask for it; used only when the query has neither width nor height",
            ),
            header_param("X-lazycache-output-height", "Output height, like X-lazycache-output-width"),
            json!({"name": "matrix", "in": "query", "required": false,
                   "description": "YUV->RGB matrix: stream (default: the stream's matrix and range, BT.601 when untagged, as the ffmpeg CLI), bt601, bt709, bt2020, auto (BT.709 for untagged HD)",
                   "schema": {"type": "string", "enum": ColorMatrix::ALL.map(ColorMatrix::name)}}),
        ]
    };
    let mut paths = Map::new();
    paths.insert("/".into(), op("The configured mounts", json!([]), json_ok("Mounts"), &[]));
    paths.insert("/healthz".into(), op("Liveness", json!([]), json_ok("Health"), &[]));
    let mut ready = op("Readiness: 503 while a worker pool is full", json!([]), json_ok("Health"), &[]);
    ready["get"]["responses"]["503"] = json!({"description": "A pool is saturated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}});
    paths.insert("/readyz".into(), ready);
    paths.insert(
        "/_ah/health".into(),
        op("Liveness (go-lazycache's path)", json!([]), json_ok("Health"), &[]),
    );
    for info in ["/info", "/info/"] {
        paths.insert(info.into(), op("Component versions", json!([]), json_ok("Info"), &[]));
    }
    for metrics in ["/metrics", "/metrics/"] {
        paths.insert(
            metrics.into(),
            op(
                "Prometheus metrics",
                json!([]),
                json!({"description": "Prometheus text format", "content": {"text/plain": {}}}),
                &[],
            ),
        );
    }
    paths.insert(
        "/openapi.json".into(),
        op(
            "This document",
            json!([]),
            json!({"description": "OpenAPI 3.1", "content": {"application/json": {}}}),
            &[],
        ),
    );
    paths.insert(
        "/view/".into(),
        op(
            "The browser viewer: browse the mounts, scrub a movie (an HTML page; its script and style sheet are /view/viewer.js and /view/viewer.css)",
            json!([]),
            json!({"description": "The page", "content": {"text/html": {}}}),
            &[],
        ),
    );
    let list_errors = ["400", "404", "502", "504"];
    let movie_errors = ["304", "400", "404", "415", "416", "422", "502", "503", "504"];
    for m in &config.mounts {
        let p = &m.prefix;
        let dir = path_param("dir", "Directory below the mount (may contain `/`)");
        let file = path_param("file", "Movie below the mount (may contain `/`; a trailing `/` is ignored)");
        paths.insert(
            p.clone(),
            op("Listing of the mount's root", json!([]), json_ok("Listing"), &list_errors),
        );
        paths.insert(
            format!("{p}/"),
            op("Listing of the mount's root", json!([]), json_ok("Listing"), &list_errors),
        );
        paths.insert(
            format!("{p}/{{dir}}/"),
            op("Directory listing", json!([dir]), json_ok("Listing"), &list_errors),
        );
        let mut entry = op(
            "Movie metadata (.mov .mp4 .m4v .qt); another file is redirected (302) to the upstream or \
             served from the local mount; a directory without its trailing slash is listed",
            json!([file]),
            json_ok("Movie"),
            &movie_errors,
        );
        entry["get"]["responses"]["302"] =
            json!({"description": "A non-movie file under an upstream mount: Location is the upstream file"});
        entry["get"]["responses"]["403"] = json!({"description": "A non-movie file under an upstream mount whose URL holds credentials (never redirected)",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        paths.insert(format!("{p}/{{file}}"), entry);
        let mut fp = vec![
            file.clone(),
            path_param(
                "frame",
                "1-based frame number, optionally with .png .jpg .jpeg .bmp .rgba .raw (RGBA, as .rgba) .sample (the compressed sample) (default PNG)",
            ),
        ];
        fp.extend(size_params());
        paths.insert(
            format!("{p}/{{file}}/frame/{{frame}}"),
            op("One frame", Value::Array(fp), image_ok.clone(), &movie_errors),
        );
        let mut tp =
            vec![file, path_param("seconds", "Seconds in [0, Duration), optionally with an image extension")];
        tp.extend(size_params());
        paths.insert(
            format!("{p}/{{file}}/time/{{seconds}}"),
            op("The frame shown at a time", Value::Array(tp), image_ok.clone(), &movie_errors),
        );
        for (at, dir_param) in [("", None), ("/{dir}", Some(&dir))] {
            let mut up: Vec<Value> = dir_param.into_iter().cloned().collect();
            up.push(path_param(
                "instant",
                "UTC instant (RFC 3339, e.g. 2016-11-13T01:23:45Z; a date alone is its midnight), optionally with an image extension as for frame/",
            ));
            up.push(json!({"name": "nearest", "in": "query", "required": false,
                "description": "1: outside a recording, the closest frame of the nearest recording instead of 404",
                "schema": {"type": "string", "enum": ["0", "1"]}}));
            up.extend(size_params());
            let mut utc = op(
                "The frame shown at a UTC instant in the archive below this directory (day directories YYYY/MM/DD/, movies named by their UTC start or dated by mvhd). Headers: X-Lazyqt-File (the movie's path here), X-Lazyqt-Frame (0-based), X-Lazyqt-Utc (the instant), X-Lazyqt-Offset (seconds into the movie), X-Frame-Number (1-based)",
                Value::Array(up),
                image_ok.clone(),
                &movie_errors,
            );
            utc["get"]["responses"]["404"] = json!({"description": "No such directory, or no recording at the instant: before/after name the nearest recordings",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gap"}}}});
            paths.insert(format!("{p}{at}/utc/{{instant}}"), utc);
            let mut cp: Vec<Value> = dir_param.into_iter().cloned().collect();
            for (name, what) in
                [("from", "Start of the range"), ("to", "End of the range (at most 31 days after from)")]
            {
                cp.push(json!({"name": name, "in": "query", "required": true,
                    "description": format!("{what}: RFC 3339 instant or date"), "schema": {"type": "string"}}));
            }
            let mut sp = cp.clone();
            sp.extend([
                query_param("every", "A tile every DURATION from `from` (seconds, or e.g. 500ms, 10min, 3h); or count="),
                query_param("count", "N tiles spread evenly from `from` to `to` inclusive; or every="),
                query_param("width", "Tile width in pixels (default 320; the height follows the movie)"),
                query_param("columns", "Tiles per row (default: about a square)"),
                query_param("format", "jpg (default), png (tiles exactly the frames' pictures) or json (where the tiles are, and the gaps; nothing decoded)"),
                query_param("quality", "JPEG quality 1-100"),
            ]);
            paths.insert(
                format!("{p}{at}/sheet"),
                op(
                    "A contact sheet of the archive below this directory: the frame shown at each instant, scaled, in a grid, its UTC time under it; instants no recording covers are left out. Headers: X-Lazyqt-Tiles, X-Lazyqt-Gaps, X-Image-Width, X-Image-Height. 422 past the server's limits.max_sheet_tiles or limits.max_pixels",
                    Value::Array(sp),
                    json!({"description": "The sheet (image/jpeg, image/png) or with format=json {width, height, tiles: [{utc, file, frame, label, x, y}], gaps}"}),
                    &["304", "400", "404", "415", "422", "502", "504"],
                ),
            );
            paths.insert(
                format!("{p}{at}/catalog"),
                op(
                    "The movies of the archive below this directory recording in [from, to]: the rows of `lazyqt ls --json`, url being the movie's path on this server",
                    Value::Array(cp),
                    json!({"description": "OK", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/CatalogRow"}}}}}),
                    &["304", "400", "404", "502", "504"],
                ),
            );
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "lazyqt", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Single frames out of QuickTime movies on HTTP servers or local disks"},
        "paths": paths,
        "components": {"schemas": {
            "Error": {"type": "object", "required": ["error", "status"],
                      "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}},
            "Health": {"type": "object", "properties": {"status": {"type": "string"}}},
            "Gap": {"type": "object", "required": ["error", "status", "before", "after"], "properties": {
                "error": {"type": "string"}, "status": {"type": "integer"},
                "before": {"type": ["object", "null"], "properties": {"file": {"type": "string"}, "end": {"type": "string"}}},
                "after": {"type": ["object", "null"], "properties": {"file": {"type": "string"}, "start": {"type": "string"}}}}},
            "CatalogRow": {"type": "object", "required": ["url", "status"], "properties": {
                "url": {"type": "string"}, "start": {"type": ["string", "null"]}, "end": {"type": ["string", "null"]},
                "duration": {"type": ["number", "null"]}, "frames": {"type": ["integer", "null"]},
                "size": {"type": ["integer", "null"]}, "codec": {"type": ["string", "null"]},
                "status": {"type": "string", "enum": ["ok", "malformed", "unreachable"]},
                "start_from": {"type": ["string", "null"], "enum": ["name", "mvhd", null]},
                "error": {"type": ["string", "null"]}}},
            "Info": {"type": "object", "additionalProperties": {"type": "string"}},
            "Mounts": {"type": "object", "properties": {"Service": {"type": "string"}, "Version": {"type": "string"},
                       "Mounts": {"type": "array", "items": {"type": "object", "properties": {
                           "Prefix": {"type": "string"}, "Kind": {"type": "string"}, "Upstream": {"type": "string"}}}}}},
            "Listing": {"type": "object", "required": ["Path", "Files", "Directories"], "properties": {
                "Path": {"type": "string"}, "Files": {"type": "array", "items": {"type": "string"}},
                "Directories": {"type": "array", "items": {"type": "string"}}}},
            "Movie": {"type": "object", "required": ["URL", "NumFrames", "Duration", "FileSize"], "properties": {
                "URL": {"type": "string", "description": "The path below the mount, as go-lazycache wrote it"},
                "SourceURL": {"type": "string", "description": "The upstream file (upstream mounts whose URL holds no credentials)"},
                "NumFrames": {"type": "integer"}, "Duration": {"type": "number"},
                "FileSize": {"type": "integer"}, "Width": {"type": "integer"}, "Height": {"type": "integer"},
                "Codec": {"type": "string"}, "Fps": {"type": "number"}, "CreationTime": {"type": ["string", "null"]},
                "Tracks": {"type": "array", "items": {"type": "object"}},
                "SkippedTracks": {"type": "array", "items": {"type": "object", "properties": {
                    "Id": {"type": ["integer", "null"]}, "Kind": {"type": ["string", "null"]},
                    "Error": {"type": "string"}}}}}}
        }}
    })
}
