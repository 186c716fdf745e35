//! Options every command that reads a movie shares: where and how long to cache, and how
//! long one read of a remote movie may take.

use std::path::PathBuf;
use std::time::Duration;

use lazyqt_io::SourceOptions;

/// Cache and timeout options for reading a movie from a path or an `http(s)://` URL.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// Directory of the persistent HTTP cache (headers and moov of remote movies are kept
    /// there, so a second run re-reads nothing). Default: the platform cache directory.
    #[arg(long, env = "LAZYQT_CACHE_DIR", value_name = "DIR", global = true)]
    pub cache_dir: Option<PathBuf>,

    /// Do not use the persistent cache (the in-memory cache of this run stays).
    #[arg(long, env = "LAZYQT_NO_CACHE", global = true)]
    pub no_cache: bool,

    /// How long cached metadata is trusted without asking the server again, e.g. "1h",
    /// "30min", or "forever" for archives of immutable files.
    #[arg(long, env = "LAZYQT_CACHE_TTL", value_name = "DURATION", default_value = "1h", value_parser = parse_ttl, global = true)]
    pub cache_ttl: Ttl,

    /// Longest one read of a remote movie may take, every retry and slow transfer
    /// included, e.g. "30s" or "2min" (default: 1 min). A server that sends nothing for
    /// 20 s fails sooner; a read still waiting after 5 s says on stderr which URL is slow.
    /// Running out exits with status 4.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, global = true)]
    pub timeout: Option<Duration>,
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if d.is_zero() => Err("must be longer than 0 s".into()),
        Ok(d) => Ok(d),
        Err(e) => Err(format!("{e} (try \"30s\" or \"2min\")")),
    }
}

/// A cache lifetime: a duration or forever.
#[derive(Debug, Clone, Copy)]
pub struct Ttl(pub Option<Duration>);

fn parse_ttl(s: &str) -> Result<Ttl, String> {
    if s.eq_ignore_ascii_case("forever") || s.eq_ignore_ascii_case("inf") {
        return Ok(Ttl(None));
    }
    humantime::parse_duration(s).map(|d| Ttl(Some(d))).map_err(|e| format!("{e} (try \"1h\" or \"forever\")"))
}

impl SourceArgs {
    /// The source options these flags describe.
    pub fn options(&self) -> SourceOptions {
        let mut opts = SourceOptions::default();
        opts.cache.dir.clone_from(&self.cache_dir);
        opts.cache.no_disk = self.no_cache;
        opts.cache.ttl = self.cache_ttl.0;
        if let Some(t) = self.timeout {
            opts.http.timeouts.deadline = t;
        }
        opts
    }
}
