//! What every source of the process shares: the I/O runtime the requests run on, one
//! reqwest client (and so one keep-alive pool) per distinct setting, the redirect
//! policy, and which servers refuse multi-range requests.
//!
//! Requests are async underneath so that one read can be bounded three ways at once
//! (headers in time, no stalled body, a total deadline) and say what is slow while it
//! waits; callers stay blocking: [`run`] hands a future to the runtime's threads and
//! waits for its result.

use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use reqwest::redirect::{Attempt, Policy};
use reqwest::Client;

use crate::redact::redact_url;

/// Most redirects followed for one request.
pub(crate) const MAX_REDIRECTS: usize = 5;

/// The runtime every request of the process runs on (two threads: requests wait on
/// the network, not on the CPU).
fn runtime() -> Option<&'static tokio::runtime::Runtime> {
    static RUNTIME: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("lazyqt-http")
                .enable_all()
                .build()
                .map_err(|e| tracing::error!(error = %e, "cannot start the HTTP runtime"))
                .ok()
        })
        .as_ref()
}

/// Run `fut` on the I/O runtime and wait for its output until `until` (a bound the
/// future keeps by itself; this one holds even if the runtime is gone, as in a child
/// after `fork`); `None` if the runtime could not start, the future panicked or the
/// time ran out. Safe to call from any thread, async ones included (it blocks that
/// thread, so async callers use `spawn_blocking`).
pub(crate) fn run<T: Send + 'static>(
    until: Instant,
    fut: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let rt = runtime()?;
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv_timeout(until.saturating_duration_since(Instant::now())).ok()
}

/// A redirect not followed, with the reason shown to the user (target redacted).
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Follow at most [`MAX_REDIRECTS`] redirects, never one back to a URL already asked
/// (a loop), and, unless allowed, none to an origin other than the first URL's.
fn redirect_policy(allow_cross_origin: bool) -> Policy {
    Policy::custom(move |attempt: Attempt<'_>| {
        let target = redact_url(attempt.url().as_str());
        let previous = attempt.previous();
        if previous.len() > MAX_REDIRECTS {
            let why = format!("more than {MAX_REDIRECTS} redirects (the last to {target})");
            return attempt.error(Refused(why));
        }
        if previous.contains(attempt.url()) {
            return attempt.error(Refused(format!("redirect loop back to {target}")));
        }
        let first = previous.first().map(|u| u.origin());
        if !allow_cross_origin && first.is_some_and(|o| o != attempt.url().origin()) {
            let why = format!(
                "redirect to another origin ({target}); only same-origin redirects are followed \
                 unless cross-origin redirects are allowed"
            );
            return attempt.error(Refused(why));
        }
        attempt.follow()
    })
}

/// Clients built so far, keyed by (connect timeout, cross-origin redirects allowed).
static CLIENTS: Mutex<Vec<((Duration, bool), Client)>> = Mutex::new(Vec::new());

/// The shared client for these options. No overall timeout is set on it: each request
/// carries its own bounds (see `exchange`).
pub(crate) fn shared(opts: &crate::HttpOptions) -> Result<Client, String> {
    let key = (opts.timeouts.connect, opts.allow_cross_origin_redirects);
    let mut clients = CLIENTS.lock();
    if let Some((_, c)) = clients.iter().find(|(k, _)| *k == key) {
        return Ok(c.clone());
    }
    let rt = runtime().ok_or("the HTTP runtime did not start")?;
    let _in_runtime = rt.enter();
    let client = Client::builder()
        .connect_timeout(opts.timeouts.connect)
        .redirect(redirect_policy(opts.allow_cross_origin_redirects))
        .pool_max_idle_per_host(32)
        .tcp_nodelay(true)
        .user_agent(concat!("lazyqt/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.without_url().to_string())?;
    clients.push((key, client.clone()));
    Ok(client)
}

/// Origins (scheme, host, port) seen refusing multi-range requests.
static NO_MULTIRANGE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Most origins remembered (a process talking to more servers forgets the oldest).
const MAX_ORIGINS: usize = 256;

fn origin(url: &str) -> String {
    url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_else(|_| url.to_string())
}

/// Has the server of `url` refused a multi-range request in this process?
pub(crate) fn refuses_multirange(url: &str) -> bool {
    let origin = origin(url);
    NO_MULTIRANGE.lock().contains(&origin)
}

/// Remember that the server of `url` refuses multi-range requests, so the next files
/// opened there skip straight to single ranges.
pub(crate) fn note_refuses_multirange(url: &str) {
    let origin = origin(url);
    let mut seen = NO_MULTIRANGE.lock();
    if !seen.contains(&origin) {
        if seen.len() >= MAX_ORIGINS {
            seen.remove(0);
        }
        seen.push(origin);
    }
}
