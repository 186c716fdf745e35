//! Prometheus metrics: requests by route and status, latency histograms by route, frame-cache
//! and conditional-request counters, and whatever the backend exports.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Response extension naming the route that answered, used as the `route` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RouteLabel(pub &'static str);

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Tables {
    requests: BTreeMap<(&'static str, u16), u64>,
    latency: BTreeMap<&'static str, Histogram>,
}

/// The server's own metrics.
#[derive(Default)]
pub(crate) struct Metrics {
    tables: Mutex<Tables>,
    /// Frames served from the in-memory frame cache.
    pub frame_cache_hits: AtomicU64,
    /// Frames that had to be produced by the backend.
    pub frame_cache_misses: AtomicU64,
    /// Answers 304 Not Modified.
    pub not_modified: AtomicU64,
}

impl Metrics {
    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.tables.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn observe(&self, route: &'static str, status: u16, seconds: f64) {
        let mut t = self.tables();
        *t.requests.entry((route, status)).or_default() += 1;
        let h = t.latency.entry(route).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The Prometheus text exposition, with the backend's pairs appended.
    pub(crate) fn render(&self, backend: &[(String, f64)]) -> String {
        let mut out = String::new();
        let t = self.tables();
        out.push_str("# HELP lazyqt_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE lazyqt_http_requests_total counter\n");
        for ((route, status), n) in &t.requests {
            let _ = writeln!(out, "lazyqt_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP lazyqt_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE lazyqt_http_request_duration_seconds histogram\n");
        for (route, h) in &t.latency {
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "lazyqt_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "lazyqt_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "lazyqt_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ =
                writeln!(out, "lazyqt_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        drop(t);
        for (name, help, v) in [
            (
                "lazyqt_frame_cache_hits_total",
                "Frames served from the in-memory cache.",
                &self.frame_cache_hits,
            ),
            ("lazyqt_frame_cache_misses_total", "Frames produced by the backend.", &self.frame_cache_misses),
            ("lazyqt_http_not_modified_total", "Answers 304 Not Modified.", &self.not_modified),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                v.load(Ordering::Relaxed)
            );
        }
        for (name, value) in backend {
            if valid_name(name) && value.is_finite() {
                let _ = writeln!(out, "# TYPE {name} untyped\n{name} {value}");
            }
        }
        out
    }
}

/// A Prometheus metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Middleware recording every request's route, status and latency.
pub(crate) async fn track(State(m): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let resp = next.run(req).await;
    let route = resp.extensions().get::<RouteLabel>().map_or("unmatched", |l| l.0);
    m.observe(route, resp.status().as_u16(), start.elapsed().as_secs_f64());
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_backend_pairs() {
        let m = Metrics::default();
        m.observe("frame", 200, 0.003);
        m.observe("frame", 200, 2.0);
        let text = m.render(&[("lazyqt_upstream_bytes_total".into(), 42.0), ("bad name".into(), 1.0)]);
        assert!(text.contains("lazyqt_http_requests_total{route=\"frame\",status=\"200\"} 2"));
        assert!(text.contains("lazyqt_http_request_duration_seconds_bucket{route=\"frame\",le=\"0.005\"} 1"));
        assert!(text.contains("lazyqt_http_request_duration_seconds_bucket{route=\"frame\",le=\"+Inf\"} 2"));
        assert!(text.contains("lazyqt_upstream_bytes_total 42"));
        assert!(!text.contains("bad name"));
    }
}
