//! Server configuration: mounts, limits, caches and timeouts, from `--mount` strings, a TOML file
//! and the [`ServeArgs`] command-line options (each also a `LAZYQT_*` environment variable), with
//! go-lazycache's OOI mount when none is given. Over 400 lines with its tests, which check how
//! these three sources merge and so stay beside the code.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

/// Routes of the server itself; no mount may use or shadow them.
const RESERVED: &[&str] = &["/healthz", "/metrics", "/readyz", "/openapi.json", "/info", "/_ah"];

/// URL prefix of the mount served when none is configured: go-lazycache's path for the
/// OOI raw-data archive (host name reversed, then the path).
pub const OOI_PREFIX: &str = "/v1/org/oceanobservatories/rawdata/files";
/// The OOI raw-data archive, served at [`OOI_PREFIX`] when no mount is configured.
pub const OOI_URL: &str = "https://rawdata.oceanobservatories.org/files/";

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

/// Where a mount's files come from.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum MountTarget {
    /// A directory on an HTTP(S) server with an HTML autoindex; the URL ends with `/`.
    Upstream(Url),
    /// A local directory.
    Local(PathBuf),
}

impl TryFrom<String> for MountTarget {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        MountTarget::parse(&s)
    }
}

impl MountTarget {
    /// Parses `http(s)://…` as an upstream (adding a trailing `/` to its path), anything else
    /// without a scheme as a local directory. An upstream URL may carry credentials (userinfo)
    /// and a query (e.g. an access token): both are sent upstream with every request of the
    /// mount and never shown (see [`lazyqt_io::redact_url`]).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty target".into());
        }
        if lazyqt_io::is_url(s) {
            let mut url = Url::parse(s).map_err(|e| format!("bad URL: {e}"))?;
            if url.fragment().is_some() {
                return Err("upstream URL must not have a fragment".into());
            }
            if !url.path().ends_with('/') {
                let path = format!("{}/", url.path());
                url.set_path(&path);
            }
            Ok(Self::Upstream(url))
        } else if let Some((scheme, _)) = s.split_once("://") {
            Err(format!("unsupported scheme {scheme:?}"))
        } else {
            Ok(Self::Local(PathBuf::from(s)))
        }
    }
}

/// A URL prefix of this server mapped to an upstream directory or a local directory.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    /// URL prefix, e.g. `/v1/org/oceanobservatories/rawdata/files` (no trailing slash).
    pub prefix: String,
    /// What it serves.
    pub target: MountTarget,
    /// Follow redirects of the upstream to other origins (scheme, host, port). Off by default:
    /// the server then fetches only from the origin it was configured with.
    #[serde(default)]
    pub allow_cross_origin_redirects: bool,
}

impl Mount {
    /// The mount go-lazycache configured by default: [`OOI_PREFIX`] → [`OOI_URL`].
    pub fn ooi() -> Self {
        let url = Url::parse(OOI_URL).unwrap_or_else(|e| unreachable!("OOI_URL is a constant URL: {e}"));
        Self {
            prefix: OOI_PREFIX.to_string(),
            target: MountTarget::Upstream(url),
            allow_cross_origin_redirects: false,
        }
    }

    /// Parses a `PREFIX=URL_OR_DIR` command-line value.
    pub fn parse(spec: &str) -> Result<Self, ConfigError> {
        let (prefix, target) = spec
            .split_once('=')
            .ok_or_else(|| ConfigError::Mount(spec.into(), "expected PREFIX=URL_OR_DIR".into()))?;
        let target = MountTarget::parse(target).map_err(|e| ConfigError::Mount(spec.into(), e))?;
        Ok(Self { prefix: prefix.to_string(), target, allow_cross_origin_redirects: false })
    }

    /// Normalizes the prefix (leading `/`, no trailing `/`) and, for local mounts, makes the root
    /// canonical (it must be an existing directory).
    fn normalize(&mut self) -> Result<(), ConfigError> {
        let original = self.prefix.clone();
        let err = |m: &str| ConfigError::Mount(original.clone(), m.to_string());
        let trimmed = self.prefix.trim().trim_end_matches('/');
        let prefix = if trimmed.starts_with('/') { trimmed.to_string() } else { format!("/{trimmed}") };
        if prefix.len() < 2 {
            return Err(err("the prefix must not be empty or `/`"));
        }
        for seg in prefix[1..].split('/') {
            let ok = !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
            if !ok {
                return Err(err("prefix segments may hold only letters, digits and -._~"));
            }
        }
        if RESERVED.iter().any(|r| prefix == *r || prefix.starts_with(&format!("{r}/"))) {
            return Err(err("the prefix collides with a built-in route"));
        }
        self.prefix = prefix;
        if let MountTarget::Local(dir) = &self.target {
            let canon = std::fs::canonicalize(dir)
                .map_err(|e| err(&format!("local directory {}: {e}", dir.display())))?;
            if !canon.is_dir() {
                return Err(err(&format!("{} is not a directory", canon.display())));
            }
            self.target = MountTarget::Local(canon);
        }
        Ok(())
    }
}

/// Limits on work done at once.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Concurrent frame decodes in the backend; 0 means three per core. A frame's bytes are
    /// fetched before it takes a worker (on the I/O pool below), so workers only decode.
    pub workers: usize,
    /// Concurrent metadata/time lookups, frame fetches and listing fetches, per mount: each
    /// mount has its own I/O pool of this size, so a hung upstream exhausts only its own.
    pub max_concurrent_metadata: usize,
    /// Largest width or height a client may ask for.
    pub max_dimension: u32,
    /// Largest picture (width × height, after scaling) one request may produce; larger asks,
    /// and movies whose native frames are larger, are answered 422.
    pub max_pixels: u64,
    /// Memory that the frames being decoded at once may take (decoded planes, converted
    /// pixels, encoded output, estimated from their sizes); a decode waits until its share
    /// is free, so many large requests queue instead of exhausting memory.
    pub max_decode_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            workers: 0,
            max_concurrent_metadata: 64,
            max_dimension: 8192,
            max_pixels: 16 << 20,
            max_decode_bytes: 1 << 30,
        }
    }
}

impl Limits {
    /// The effective number of frame workers (resolves 0 to three per core).
    pub fn effective_workers(&self) -> usize {
        if self.workers > 0 {
            self.workers
        } else {
            3 * std::thread::available_parallelism().map_or(2, |n| n.get())
        }
    }
}

/// In-memory cache sizes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    /// Bytes of encoded frames kept in memory (LRU); 0 disables the frame cache.
    pub frame_cache_bytes: u64,
    /// How long an upstream directory listing is reused, in seconds.
    pub listing_ttl_secs: u64,
    /// How many upstream directory listings are kept.
    pub listing_cache_entries: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self { frame_cache_bytes: 256 << 20, listing_ttl_secs: 60, listing_cache_entries: 1024 }
    }
}

/// Timeouts, in seconds.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timeouts {
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

impl Default for Timeouts {
    fn default() -> Self {
        Self { request_secs: 60, upstream_secs: 20, upstream_connect_secs: 5, shutdown_secs: 3 }
    }
}

impl Timeouts {
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
    pub limits: Limits,
    /// Cache sizes.
    pub cache: CacheConfig,
    /// Timeouts.
    pub timeouts: Timeouts,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            mounts: Vec::new(),
            limits: Limits::default(),
            cache: CacheConfig::default(),
            timeouts: Timeouts::default(),
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

    /// The options of the movie sources behind the mounts: `base` (the process's cache
    /// settings) with this server's upstream deadline as the per-answer timeout, the no-progress
    /// timeout and the overall read deadline, and its connect timeout.
    pub fn source_options(&self, base: &lazyqt_io::SourceOptions) -> lazyqt_io::SourceOptions {
        let upstream = self.timeouts.upstream();
        lazyqt_io::SourceOptions {
            connect_timeout: self.timeouts.connect(),
            read_timeout: base.read_timeout.min(upstream),
            stall_timeout: base.stall_timeout.min(upstream),
            deadline: upstream,
            ..base.clone()
        }
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

/// Options of `lazyqt serve`; flatten into the CLI's subcommand and call
/// [`ServeArgs::to_config`]. Each can also be set by the `LAZYQT_*` environment variable named
/// in its help (a command-line option wins over its variable).
#[derive(clap::Args, Clone, Debug, Default, PartialEq, Eq)]
pub struct ServeArgs {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "LAZYQT_LISTEN", value_name = "ADDR:PORT")]
    pub listen: Option<SocketAddr>,
    /// Serve a directory under a URL prefix; repeat for several mounts. The target is an
    /// http(s) URL of a directory with an HTML autoindex, or a local directory, e.g.
    /// `--mount /v1/org/oceanobservatories/rawdata/files=https://rawdata.oceanobservatories.org/files/`
    /// or `--mount /local=./media`. Added to the mounts of --config. Values are split at `;`
    /// (so LAZYQT_MOUNT can hold several). With no mount at all, the OOI raw-data archive is
    /// served at /v1/org/oceanobservatories/rawdata/files, as go-lazycache did.
    #[arg(long = "mount", env = "LAZYQT_MOUNT", value_name = "PREFIX=URL_OR_DIR", value_delimiter = ';')]
    pub mounts: Vec<String>,
    /// TOML config file (keys: listen, [[mount]] prefix/target, [limits], [cache], [timeouts]);
    /// command-line options override it.
    #[arg(long, env = "LAZYQT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Frames decoded at once (their bytes are fetched beforehand, on the I/O pool) [default: 3 per core].
    #[arg(long, env = "LAZYQT_WORKERS", value_name = "N")]
    pub workers: Option<usize>,
    /// Memory for encoded hot frames, in MiB; 0 disables the frame cache [default: 256].
    #[arg(long, env = "LAZYQT_FRAME_CACHE_MB", value_name = "MIB")]
    pub frame_cache_mb: Option<u64>,
    /// Seconds an upstream directory listing is reused [default: 60].
    #[arg(long, env = "LAZYQT_LISTING_TTL", value_name = "SECS")]
    pub listing_ttl: Option<u64>,
    /// Seconds before a request is answered 504 [default: 60].
    #[arg(long, env = "LAZYQT_REQUEST_TIMEOUT", value_name = "SECS")]
    pub request_timeout: Option<u64>,
    /// Seconds one upstream read may take, retries included — a listing, a movie's metadata,
    /// a frame's bytes — before the request fails with 504; never more than
    /// --request-timeout [default: 20].
    #[arg(long, env = "LAZYQT_UPSTREAM_TIMEOUT", value_name = "SECS")]
    pub upstream_timeout: Option<u64>,
}

impl ServeArgs {
    /// Builds the configuration: the config file if given, then these options on top; with
    /// no mount from either, [`Mount::ooi`]. The result is not yet validated (`serve` does it).
    pub fn to_config(&self) -> Result<ServerConfig, ConfigError> {
        let mut cfg = match &self.config {
            Some(path) => ServerConfig::from_file(path)?,
            None => ServerConfig::default(),
        };
        if let Some(listen) = self.listen {
            cfg.listen = listen;
        }
        for spec in &self.mounts {
            cfg.mounts.push(Mount::parse(spec)?);
        }
        if let Some(w) = self.workers {
            cfg.limits.workers = w;
        }
        if let Some(mb) = self.frame_cache_mb {
            cfg.cache.frame_cache_bytes = mb.saturating_mul(1 << 20);
        }
        if let Some(ttl) = self.listing_ttl {
            cfg.cache.listing_ttl_secs = ttl;
        }
        if let Some(t) = self.request_timeout {
            cfg.timeouts.request_secs = t;
        }
        if let Some(t) = self.upstream_timeout {
            cfg.timeouts.upstream_secs = t;
        }
        if cfg.mounts.is_empty() {
            cfg.mounts.push(Mount::ooi());
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn help_explains_mounts() {
        use clap::CommandFactory;
        let help = Cli::command().render_help().to_string();
        assert!(help.contains("--mount <PREFIX=URL_OR_DIR>"), "{help}");
        assert!(help.contains("--config <FILE>"), "{help}");
    }

    #[test]
    fn mount_spec_parses_upstream_and_local() {
        let m = Mount::parse("/v1/x=https://example.org/files").expect("parses");
        assert_eq!(m.target, MountTarget::Upstream(Url::parse("https://example.org/files/").expect("url")));
        let l = Mount::parse("/local=./media").expect("parses");
        assert_eq!(l.target, MountTarget::Local(PathBuf::from("./media")));
        assert!(Mount::parse("no-equals").is_err());
        assert!(Mount::parse("/x=ftp://example.org/").is_err());
        assert!(Mount::parse("/x=https://example.org/#frag").is_err());
        // A token in the query is kept (and sent with every upstream request of the mount).
        let t = Mount::parse("/x=https://u:p@example.org/f?token=1").expect("parses");
        assert_eq!(
            t.target,
            MountTarget::Upstream(Url::parse("https://u:p@example.org/f/?token=1").expect("url"))
        );
    }

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

    /// go-lazycache bound 0.0.0.0; lazyqt listens on loopback unless told otherwise.
    #[test]
    fn compat_default_listen_is_loopback() {
        let cfg = Cli::try_parse_from(["x"]).expect("args").serve.to_config().expect("config");
        assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
    }

    /// With no mount at all, go-lazycache's OOI mount; any mount (option or file) replaces it.
    #[test]
    fn without_mounts_the_ooi_archive_is_mounted() {
        let mut cfg = Cli::try_parse_from(["x"]).expect("args").serve.to_config().expect("config");
        assert_eq!(cfg.mounts, vec![Mount::ooi()]);
        assert_eq!(cfg.mounts[0].prefix, "/v1/org/oceanobservatories/rawdata/files");
        let url = Url::parse("https://rawdata.oceanobservatories.org/files/").expect("url");
        assert_eq!(cfg.mounts[0].target, MountTarget::Upstream(url));
        cfg.validate().expect("the default mount is valid");
        let cli = Cli::try_parse_from(["x", "--mount", "/local=."]).expect("args");
        let cfg = cli.serve.to_config().expect("config");
        assert_eq!(cfg.mounts.len(), 1);
        assert_eq!(cfg.mounts[0].prefix, "/local");
        let cli = Cli::try_parse_from(["x", "--mount", "/a=.;/b=http://127.0.0.1:1/f"]).expect("args");
        let prefixes: Vec<String> =
            cli.serve.to_config().expect("config").mounts.into_iter().map(|m| m.prefix).collect();
        assert_eq!(prefixes, ["/a", "/b"], "mount values are split at ';'");
    }

    #[test]
    fn help_names_every_environment_variable() {
        use clap::CommandFactory;
        // Whitespace collapsed: with clap's `wrap_help` a line may break inside `[env: …]`.
        let help = Cli::command().render_help().to_string();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for var in [
            "LAZYQT_LISTEN",
            "LAZYQT_MOUNT",
            "LAZYQT_CONFIG",
            "LAZYQT_WORKERS",
            "LAZYQT_FRAME_CACHE_MB",
            "LAZYQT_LISTING_TTL",
            "LAZYQT_REQUEST_TIMEOUT",
            "LAZYQT_UPSTREAM_TIMEOUT",
        ] {
            assert!(help.contains(&format!("[env: {var}")), "{var} missing from:\n{help}");
        }
    }

    #[test]
    fn upstream_deadline_reaches_movie_reads_and_never_outlives_the_request() {
        let base = lazyqt_io::SourceOptions::default();
        let mut cfg = ServerConfig::default();
        cfg.timeouts.upstream_secs = 2;
        let o = cfg.source_options(&base);
        assert_eq!((o.deadline, o.read_timeout), (Duration::from_secs(2), Duration::from_secs(2)));
        assert!(o.connect_timeout <= Duration::from_secs(2));
        // A request deadline below the upstream timeout caps the upstream reads too.
        cfg.timeouts = Timeouts { request_secs: 3, upstream_secs: 20, ..Timeouts::default() };
        let o = cfg.source_options(&base);
        assert_eq!((o.deadline, o.read_timeout), (Duration::from_secs(3), Duration::from_secs(3)));
        // Defaults: a 20 s read deadline inside the 60 s request deadline.
        let d = ServerConfig::default().source_options(&base);
        assert_eq!(d.deadline, Duration::from_secs(20));
        assert!(d.deadline <= ServerConfig::default().timeouts.request());
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
    fn toml_and_args_merge() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("serve.toml");
        std::fs::write(
            &path,
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
        )
        .expect("write");
        let cli = Cli::try_parse_from([
            "x",
            "--config",
            path.to_str().expect("utf8"),
            "--mount",
            "/local=.",
            "--frame-cache-mb",
            "2",
            "--request-timeout",
            "7",
        ])
        .expect("args");
        let cfg = cli.serve.to_config().expect("config");
        assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 9000)));
        assert_eq!(cfg.mounts.len(), 2);
        assert_eq!(cfg.mounts[0].prefix, "/up");
        assert_eq!(cfg.limits.workers, 3);
        assert!(cfg.mounts[0].allow_cross_origin_redirects && !cfg.mounts[1].allow_cross_origin_redirects);
        assert_eq!((cfg.limits.max_pixels, cfg.timeouts.shutdown_secs), (1920 * 1080, 1));
        assert_eq!(cfg.cache.listing_ttl_secs, 5);
        assert_eq!(cfg.cache.frame_cache_bytes, 2 << 20);
        assert_eq!(cfg.timeouts.request_secs, 7);
        assert!(ServerConfig::from_toml("bogus = 1", Path::new("t")).is_err());
    }
}
