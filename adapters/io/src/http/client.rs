//! What every source of the process shares: one reqwest client (and so one keep-alive
//! pool) per distinct timeout setting, and which servers refuse multi-range requests.

use std::time::Duration;

use parking_lot::Mutex;
use reqwest::blocking::Client;

/// Clients built so far, keyed by (connect timeout, read timeout).
static CLIENTS: Mutex<Vec<((Duration, Duration), Client)>> = Mutex::new(Vec::new());

/// The shared client for these options.
pub(crate) fn shared(opts: &crate::SourceOptions) -> Result<Client, reqwest::Error> {
    let key = (opts.connect_timeout, opts.read_timeout);
    let mut clients = CLIENTS.lock();
    if let Some((_, c)) = clients.iter().find(|(k, _)| *k == key) {
        return Ok(c.clone());
    }
    let client = Client::builder()
        .connect_timeout(opts.connect_timeout)
        .timeout(opts.read_timeout)
        .pool_max_idle_per_host(32)
        .tcp_nodelay(true)
        .user_agent(concat!("lazyqt/", env!("CARGO_PKG_VERSION")))
        .build()?;
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
