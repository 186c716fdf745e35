//! The viewer's static files at `/view/`: content types, validators, the security policy.
//! (What the pages do in a browser is tested with headless Chromium in python/tests/test_viewer.py
//! and test_viewer_day.py.)

use reqwest::header::{CONTENT_TYPE, ETAG, IF_NONE_MATCH, LOCATION};
use reqwest::StatusCode;

use crate::common::{get_json, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_assets_have_types_validators_and_a_strict_policy() {
    let s = TestServer::start(|_| {}).await;
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let r = client.get(s.url("/view")).send().await.expect("get");
    assert_eq!((r.status(), r.headers()[LOCATION].to_str().ok()), (StatusCode::FOUND, Some("/view/")));

    for (path, content_type, needle) in [
        ("/view/", "text/html; charset=utf-8", "<script type=\"module\" src=\"viewer.js\"></script>"),
        ("/view/index.html", "text/html; charset=utf-8", "id=\"slider\""),
        ("/view/viewer.js", "text/javascript; charset=utf-8", "AbortController"),
        ("/view/util.js", "text/javascript; charset=utf-8", "export function spacedFrames"),
        ("/view/day.js", "text/javascript; charset=utf-8", "IntersectionObserver"),
        ("/view/viewer.css", "text/css; charset=utf-8", ":focus-visible"),
        ("/view/icon.svg", "image/svg+xml", "<svg"),
    ] {
        let r = client.get(s.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers().clone();
        assert_eq!(h[CONTENT_TYPE], content_type, "{path}");
        assert_eq!(h["cache-control"], "no-cache", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        let csp = h["content-security-policy"].to_str().expect("csp");
        assert!(csp.starts_with("default-src 'none'; script-src 'self'; style-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe") && !csp.contains('*'), "{csp}");
        let tag = h[ETAG].clone();
        assert!(r.text().await.expect("body").contains(needle), "{path}");
        let again = client.get(s.url(path)).header(IF_NONE_MATCH, tag.clone()).send().await.expect("get");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()[ETAG], tag);
    }
    let (st, e) = get_json(&s.url("/view/other.js")).await;
    assert_eq!((st, e["status"].as_u64()), (404, Some(404)));
    let head = client.head(s.url("/view/viewer.js")).send().await.expect("head");
    assert_eq!(head.status(), 200);
}

#[test]
fn no_mount_may_shadow_the_viewer() {
    for prefix in ["/view", "/view/x"] {
        let mut cfg = lazyqt_server::ServerConfig::default();
        cfg.mounts.push(lazyqt_server::Mount::parse(&format!("{prefix}=.")).expect("parse"));
        let backend: std::sync::Arc<dyn lazyqt_server::Backend> = crate::common::FakeBackend::new();
        assert!(lazyqt_server::router(&cfg, backend).is_err(), "{prefix}");
    }
}
