//! Options every command that reads a movie shares: where and how long to cache.

use std::path::PathBuf;
use std::time::Duration;

use lazyqt_io::SourceOptions;

/// Cache options for reading a movie from a path or an `http(s)://` URL.
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
        SourceOptions {
            cache_dir: self.cache_dir.clone(),
            no_cache: self.no_cache,
            ttl: self.cache_ttl.0,
            ..SourceOptions::default()
        }
    }
}
