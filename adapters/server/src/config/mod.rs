//! Server configuration: mounts, limits, caches and timeouts, from a TOML file or built in
//! code (the CLI's `serve` options fill it), with go-lazycache's OOI mount when none is given.

mod limits;
mod mount;
mod timeouts;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use limits::{CacheConfig, WorkLimits};
pub use mount::{Mount, MountTarget, OOI_PREFIX, OOI_URL};
pub use timeouts::ServerTimeouts;

/// A configuration error, reported before the server starts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A `--mount` value or `[[mount]]` entry is malformed.
    #[error("bad mount {0:?}: {1}")]
    Mount(String, String),
    /// The config file could not be read.
    #[error("cannot read config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    /// The config file is not valid TOML for [`ServerConfig`].
    #[error("bad config file {0}: {1}")]
    Parse(PathBuf, String),
    /// A limit or cache size is out of bounds.
    #[error("bad setting {0}: {1}")]
    Setting(&'static str, String),
}

/// Everything `serve` needs. Deserializes from TOML (see `ServerConfig::from_toml`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// The mounts, as `[[mount]]` tables in TOML.
    #[serde(rename = "mount")]
    pub mounts: Vec<Mount>,
    /// Concurrency limits.
    pub limits: WorkLimits,
    /// Cache sizes.
    pub cache: CacheConfig,
    /// Timeouts.
    pub timeouts: ServerTimeouts,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            mounts: Vec::new(),
            limits: WorkLimits::default(),
            cache: CacheConfig::default(),
            timeouts: ServerTimeouts::default(),
        }
    }
}

impl ServerConfig {
    /// Parses a TOML document; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::Parse(origin.to_path_buf(), e.to_string()))
    }

    /// Reads and parses a TOML config file.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_path_buf(), e))?;
        Self::from_toml(&text, path)
    }

    /// The HTTP options of every upstream request of this server (movie reads and
    /// listings alike): `base` with this server's upstream deadline as the overall read
    /// deadline and as the bound of the per-answer and no-progress timeouts, and its connect
    /// timeout. The upstream deadline never exceeds the request deadline, so no upstream
    /// call outlives the request that made it.
    pub fn http_options(&self, base: &lazyqt_io::HttpOptions) -> lazyqt_io::HttpOptions {
        let upstream = self.timeouts.upstream();
        let mut http = base.clone();
        let t = &mut http.timeouts;
        t.connect = self.timeouts.connect();
        t.headers = t.headers.min(upstream);
        t.stall = t.stall.min(upstream);
        t.deadline = upstream;
        http
    }

    /// The options of the movie sources behind the mounts: `base` (the process's cache
    /// settings) with [`ServerConfig::http_options`].
    pub fn source_options(&self, base: &lazyqt_io::SourceOptions) -> lazyqt_io::SourceOptions {
        lazyqt_io::SourceOptions { cache: base.cache.clone(), http: self.http_options(&base.http) }
    }

    /// Prefixes of the mounts that allow their upstream to redirect to other origins.
    pub fn cross_origin_mounts(&self) -> Vec<String> {
        self.mounts.iter().filter(|m| m.allow_cross_origin_redirects).map(|m| m.prefix.clone()).collect()
    }

    /// Checks and normalizes the configuration: prefixes, local roots (made canonical), no
    /// duplicate or nested prefixes, sane limits. `router` and `serve` call it.
    pub fn validate(&mut self) -> Result<(), ConfigError> {
        for m in &mut self.mounts {
            m.normalize()?;
        }
        for (i, a) in self.mounts.iter().enumerate() {
            for b in &self.mounts[i + 1..] {
                let nested = a.prefix == b.prefix
                    || a.prefix.starts_with(&format!("{}/", b.prefix))
                    || b.prefix.starts_with(&format!("{}/", a.prefix));
                if nested {
                    return Err(ConfigError::Mount(b.prefix.clone(), format!("overlaps mount {}", a.prefix)));
                }
            }
        }
        if self.limits.max_concurrent_metadata == 0 {
            return Err(ConfigError::Setting("limits.max_concurrent_metadata", "must be at least 1".into()));
        }
        if self.limits.max_dimension == 0 || self.limits.max_dimension > 65_535 {
            return Err(ConfigError::Setting("limits.max_dimension", "must be 1..=65535".into()));
        }
        if self.limits.max_pixels == 0 {
            return Err(ConfigError::Setting("limits.max_pixels", "must be at least 1".into()));
        }
        if self.limits.max_decode_bytes
            < crate::budget::work_bytes(self.limits.max_pixels, self.limits.max_pixels)
        {
            return Err(ConfigError::Setting(
                "limits.max_decode_bytes",
                "must hold at least one decode of limits.max_pixels".into(),
            ));
        }
        if self.timeouts.request_secs == 0 || self.timeouts.upstream_secs == 0 {
            return Err(ConfigError::Setting("timeouts", "must be at least 1 s".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn validate_rejects_bad_prefixes() {
        let dir = std::env::temp_dir();
        let target = dir.to_string_lossy().into_owned();
        for bad in ["/", "/a/../b", "/metrics", "/a b", "/healthz/x"] {
            let mut cfg = ServerConfig {
                mounts: vec![Mount::parse(&format!("{bad}={target}")).expect("spec")],
                ..ServerConfig::default()
            };
            assert!(cfg.validate().is_err(), "{bad} accepted");
        }
        let mut nested = ServerConfig {
            mounts: vec![
                Mount::parse(&format!("/a={target}")).expect("spec"),
                Mount::parse(&format!("/a/b={target}")).expect("spec"),
            ],
            ..ServerConfig::default()
        };
        assert!(nested.validate().is_err());
        let mut ok = ServerConfig {
            mounts: vec![Mount::parse(&format!("a/b/={target}")).expect("spec")],
            ..ServerConfig::default()
        };
        ok.validate().expect("valid");
        assert_eq!(ok.mounts[0].prefix, "/a/b");
    }

    #[test]
    fn upstream_deadline_reaches_movie_reads_and_never_outlives_the_request() {
        let base = lazyqt_io::SourceOptions::default();
        let mut cfg = ServerConfig::default();
        cfg.timeouts.upstream_secs = 2;
        let o = cfg.source_options(&base);
        assert_eq!(
            (o.http.timeouts.deadline, o.http.timeouts.headers),
            (Duration::from_secs(2), Duration::from_secs(2))
        );
        assert!(o.http.timeouts.connect <= Duration::from_secs(2));
        // A request deadline below the upstream timeout caps the upstream reads too.
        cfg.timeouts = ServerTimeouts { request_secs: 3, upstream_secs: 20, ..ServerTimeouts::default() };
        let o = cfg.source_options(&base);
        assert_eq!(
            (o.http.timeouts.deadline, o.http.timeouts.headers),
            (Duration::from_secs(3), Duration::from_secs(3))
        );
        // Defaults: a 20 s read deadline inside the 60 s request deadline.
        let d = ServerConfig::default().source_options(&base);
        assert_eq!(d.http.timeouts.deadline, Duration::from_secs(20));
        assert!(d.http.timeouts.deadline <= ServerConfig::default().timeouts.request());
    }

    #[test]
    fn missing_local_dir_is_an_error() {
        let mut cfg = ServerConfig {
            mounts: vec![Mount::parse("/x=./does-not-exist-lazyqt").expect("spec")],
            ..ServerConfig::default()
        };
        assert!(matches!(cfg.validate(), Err(ConfigError::Mount(..))));
    }

    #[test]
    fn toml_sets_every_table() {
        let cfg = ServerConfig::from_toml(
            r#"
listen = "127.0.0.1:9000"
[[mount]]
prefix = "/up"
target = "http://127.0.0.1:1/files/"
allow_cross_origin_redirects = true
[limits]
workers = 3
max_pixels = 2073600
[timeouts]
shutdown_secs = 1
[cache]
listing_ttl_secs = 5
"#,
            Path::new("t"),
        )
        .expect("config");
        assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 9000)));
        assert_eq!(cfg.mounts[0].prefix, "/up");
        assert!(cfg.mounts[0].allow_cross_origin_redirects);
        assert_eq!((cfg.limits.workers, cfg.limits.max_pixels), (3, 1920 * 1080));
        assert_eq!((cfg.timeouts.shutdown_secs, cfg.cache.listing_ttl_secs), (1, 5));
        assert!(ServerConfig::from_toml("bogus = 1", Path::new("t")).is_err());
    }
}
