//! Budgets and isolation: a hung upstream mount, oversized pictures, redirects to other
//! origins, a bounded shutdown.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::common::{get_json, get_json_ok, TestServer, UP};

/// Four requests hanging on one mount's upstream (its I/O pool of 4 full) leave the local
/// mount answering at once; `/readyz` names the saturated pool while `/healthz` stays live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_upstream_leaves_other_mounts_answering() {
    let s = TestServer::start(|c| {
        c.limits.max_concurrent_metadata = 4;
        c.timeouts.request_secs = 2;
    })
    .await;
    let hung: Vec<_> = (0..4)
        .map(|i| {
            let url = s.url(&format!("{UP}/hang{i}.mov"));
            tokio::spawn(async move { get_json(&url).await.0 })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (st, ready) = get_json(&s.url("/readyz")).await;
    assert_eq!(st, 503, "{ready}");
    assert_eq!(ready["Saturated"], serde_json::json!([UP]), "{ready}");
    assert_eq!(get_json(&s.url("/healthz")).await.0, 200);

    let t = Instant::now();
    let (st, meta) = get_json(&s.url("/local/m.mov")).await;
    assert_eq!(st, 200, "{meta}");
    let r = reqwest::get(s.url("/local/m.mov/frame/2")).await.expect("frame");
    assert_eq!(r.status(), 200);
    let _ = get_json_ok(&s.url("/local/sub/")).await;
    assert!(t.elapsed() < Duration::from_secs(1), "local mount waited {:?}", t.elapsed());

    for h in hung {
        assert_eq!(h.await.expect("join"), 504);
    }
    s.backend.release.store(true, Ordering::SeqCst);
    // The hung calls return once released, and with them their permits.
    let t = Instant::now();
    while get_json(&s.url("/readyz")).await.0 != 200 {
        assert!(t.elapsed() < Duration::from_secs(5), "pool never drained");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A picture beyond the pixel budget is a clear 422 before anything is decoded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_pictures_are_refused_with_422() {
    let s = TestServer::start(|_| {}).await;
    let (st, e) = get_json(&s.url("/local/m.mov/frame/1?width=8192&height=8192")).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(e["status"], 422);
    let msg = e["error"].as_str().expect("message");
    assert!(msg.contains("8192x8192") && msg.contains("pixels"), "{msg}");
    assert_eq!(s.backend.frames(), 0, "nothing decoded");
    let (st, _) = get_json(&s.url("/local/m.mov/frame/1?width=4096&height=4096")).await;
    assert_eq!(st, 200, "16 MP is within the default budget");
}

/// A listing redirected to another origin is a 502 and nothing is fetched there, unless the
/// mount allows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_listing_redirects_need_the_mounts_consent() {
    let s = TestServer::start(|_| {}).await;
    let other = s.upstream.other.as_ref().expect("second origin");
    let (st, e) = get_json(&s.url(&format!("{UP}/away/"))).await;
    assert_eq!(st, 502, "{e}");
    assert!(e["error"].as_str().is_some_and(|m| m.contains("allow_cross_origin_redirects")), "{e}");
    assert_eq!(other.hits.load(Ordering::SeqCst), 0, "fetched from the other origin");

    let allowed = TestServer::start(|c| c.mounts[0].allow_cross_origin_redirects = true).await;
    let other = allowed.upstream.other.as_ref().expect("second origin");
    let (st, l) = get_json(&allowed.url(&format!("{UP}/away/"))).await;
    assert_eq!(st, 200, "{l}");
    assert_eq!(l["Directories"], serde_json::json!(["2016", "RS03ASHS"]));
    assert_eq!(other.hits.load(Ordering::SeqCst), 1);
}

/// A stop signal with a request stuck in the backend stops the server within the grace
/// (`timeouts.shutdown_secs`), not when the stuck call returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_is_bounded_by_the_grace() {
    let s = TestServer::start(|c| c.timeouts.shutdown_secs = 1).await;
    let url = s.url(&format!("{UP}/hang.mov"));
    let stuck = tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let backend = s.backend.clone();
    let t = Instant::now();
    s.stop().await.expect("stops");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(3), "stopped after {took:?}");
    backend.release.store(true, Ordering::SeqCst);
    // The abandoned client sees its connection end rather than hang.
    assert!(tokio::time::timeout(Duration::from_secs(5), stuck).await.is_ok());
}
