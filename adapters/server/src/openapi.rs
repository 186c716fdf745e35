//! The OpenAPI 3.1 document served at `/openapi.json`, built from the configured mounts.

use serde_json::{json, Map, Value};

use crate::config::ServerConfig;

/// Paths of the built-in routes, in OpenAPI template form.
pub(crate) const SERVICE_ROUTES: [&str; 5] = ["/", "/healthz", "/readyz", "/metrics", "/openapi.json"];

/// Sub-paths every mount answers, in OpenAPI template form, appended to the mount prefix.
pub(crate) const MOUNT_ROUTES: [&str; 6] =
    ["", "/", "/{dir}/", "/{file}", "/{file}/frame/{frame}", "/{file}/time/{seconds}"];

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

/// The OpenAPI document for `config`.
pub fn openapi(config: &ServerConfig) -> Value {
    let json_ok = |schema: &str| json!({"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let image_ok = json!({"description": "The frame; image/png, image/jpeg, image/bmp, application/octet-stream (rgba: X-Image-Width, X-Image-Height, X-Pixel-Format headers; raw: the undecoded sample)",
        "content": {"image/png": {}, "image/jpeg": {}, "image/bmp": {}, "application/octet-stream": {}}});
    let size_params = || {
        vec![
            query_param(
                "width",
                "Output width; the aspect ratio is kept when only one of width/height is given",
            ),
            query_param("height", "Output height"),
            query_param("quality", "JPEG quality 1-100"),
        ]
    };
    let mut paths = Map::new();
    paths.insert("/".into(), op("The configured mounts", json!([]), json_ok("Mounts"), &[]));
    paths.insert("/healthz".into(), op("Liveness", json!([]), json_ok("Health"), &[]));
    let mut ready = op("Readiness: 503 while a worker pool is full", json!([]), json_ok("Health"), &[]);
    ready["get"]["responses"]["503"] = json!({"description": "A pool is saturated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}});
    paths.insert("/readyz".into(), ready);
    paths.insert(
        "/metrics".into(),
        op(
            "Prometheus metrics",
            json!([]),
            json!({"description": "Prometheus text format", "content": {"text/plain": {}}}),
            &[],
        ),
    );
    paths.insert(
        "/openapi.json".into(),
        op(
            "This document",
            json!([]),
            json!({"description": "OpenAPI 3.1", "content": {"application/json": {}}}),
            &[],
        ),
    );
    let list_errors = ["400", "404", "502", "504"];
    let movie_errors = ["304", "400", "404", "415", "416", "422", "502", "503", "504"];
    for m in &config.mounts {
        let p = &m.prefix;
        let dir = path_param("dir", "Directory below the mount (may contain `/`)");
        let file = path_param("file", "Movie below the mount (may contain `/`)");
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
        paths.insert(
            format!("{p}/{{file}}"),
            op(
                "Movie metadata (a directory without its trailing slash is listed)",
                json!([file]),
                json_ok("Movie"),
                &movie_errors,
            ),
        );
        let mut fp = vec![
            file.clone(),
            path_param(
                "frame",
                "1-based frame number, optionally with .png .jpg .jpeg .bmp .rgba .raw (default PNG)",
            ),
        ];
        fp.extend(size_params());
        paths.insert(
            format!("{p}/{{file}}/frame/{{frame}}"),
            op("One frame", Value::Array(fp), image_ok.clone(), &movie_errors),
        );
        let mut tp =
            vec![file, path_param("seconds", "Seconds from the start, optionally with an image extension")];
        tp.extend(size_params());
        paths.insert(
            format!("{p}/{{file}}/time/{{seconds}}"),
            op("The frame shown at a time", Value::Array(tp), image_ok.clone(), &movie_errors),
        );
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
            "Mounts": {"type": "object", "properties": {"Service": {"type": "string"}, "Version": {"type": "string"},
                       "Mounts": {"type": "array", "items": {"type": "object", "properties": {
                           "Prefix": {"type": "string"}, "Kind": {"type": "string"}, "Upstream": {"type": "string"}}}}}},
            "Listing": {"type": "object", "required": ["Path", "Files", "Directories"], "properties": {
                "Path": {"type": "string"}, "Files": {"type": "array", "items": {"type": "string"}},
                "Directories": {"type": "array", "items": {"type": "string"}}}},
            "Movie": {"type": "object", "required": ["URL", "NumFrames", "Duration", "FileSize"], "properties": {
                "URL": {"type": "string"}, "NumFrames": {"type": "integer"}, "Duration": {"type": "number"},
                "FileSize": {"type": "integer"}, "Width": {"type": "integer"}, "Height": {"type": "integer"},
                "Codec": {"type": "string"}, "Fps": {"type": "number"}, "CreationTime": {"type": ["string", "null"]},
                "Tracks": {"type": "array", "items": {"type": "object"}}}}
        }}
    })
}
