//! The `[timeouts]` table: how long a request, an upstream read, a connect and a shutdown may
//! take. Upstream reads get their bounds from here through [`super::ServerConfig::http_options`].

use std::time::Duration;

use serde::Deserialize;

/// The server's timeouts, in seconds (the `[timeouts]` table).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerTimeouts {
    /// Whole-request deadline; past it the client gets 504.
    pub request_secs: u64,
    /// Deadline of one upstream read made by the server (a listing, a movie's metadata, a
    /// frame's bytes), retries included; capped by `request_secs`, so no read outlives the
    /// request that asked for it.
    pub upstream_secs: u64,
    /// Deadline to connect to an upstream.
    pub upstream_connect_secs: u64,
    /// After a stop signal (SIGTERM, ctrl-c), how long requests in flight may take to finish
    /// before the server stops anyway.
    pub shutdown_secs: u64,
}

impl Default for ServerTimeouts {
    fn default() -> Self {
        Self { request_secs: 60, upstream_secs: 20, upstream_connect_secs: 5, shutdown_secs: 3 }
    }
}

impl ServerTimeouts {
    /// The request deadline as a [`Duration`].
    pub fn request(&self) -> Duration {
        Duration::from_secs(self.request_secs)
    }

    /// The deadline of one upstream read: `upstream_secs`, but never past the request deadline.
    pub fn upstream(&self) -> Duration {
        Duration::from_secs(self.upstream_secs.min(self.request_secs))
    }

    /// The time allowed to connect to an upstream (at least 1 s, at most the read deadline).
    pub fn connect(&self) -> Duration {
        Duration::from_secs(self.upstream_connect_secs.max(1)).min(self.upstream())
    }
}
