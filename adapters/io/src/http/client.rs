//! One reqwest client (and so one keep-alive pool) per distinct timeout setting,
//! shared by every source of the process.

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
