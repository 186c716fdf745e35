//! `lazyqt serve`'s server options ([`ServeArgs`]) and how they fill a
//! [`ServerConfig`] on top of a config file. Clap stays here: the server library takes a
//! plain `ServerConfig`.

use std::net::SocketAddr;
use std::path::PathBuf;

use lazyqt_server::{ConfigError, Mount, ServerConfig};

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
    use lazyqt_server::MountTarget;
    use url::Url;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    /// Held by every test that parses options: one of them sets `LAZYQT_*` variables.
    static ENV: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn help_explains_mounts() {
        use clap::CommandFactory;
        let help = Cli::command().render_help().to_string();
        assert!(help.contains("--mount <PREFIX=URL_OR_DIR>"), "{help}");
        assert!(help.contains("--config <FILE>"), "{help}");
    }

    /// go-lazycache bound 0.0.0.0; lazyqt listens on loopback unless told otherwise.
    #[test]
    fn compat_default_listen_is_loopback() {
        let _env = ENV.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let cfg = Cli::try_parse_from(["x"]).expect("args").serve.to_config().expect("config");
        assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
    }

    /// With no mount at all, go-lazycache's OOI mount; any mount (option or file) replaces it.
    #[test]
    fn without_mounts_the_ooi_archive_is_mounted() {
        let _env = ENV.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
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
    fn toml_and_args_merge() {
        let _env = ENV.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("serve.toml");
        let toml =
            "listen = \"127.0.0.1:9000\"\n[[mount]]\nprefix = \"/up\"\ntarget = \"http://127.0.0.1:1/f/\"\n\
                    [limits]\nworkers = 3\n[timeouts]\nrequest_secs = 30\nupstream_secs = 4\n";
        std::fs::write(&path, toml).expect("write");
        let config = path.to_str().expect("utf8");
        let args = [
            "x",
            "--config",
            config,
            "--mount",
            "/local=.",
            "--frame-cache-mb",
            "2",
            "--request-timeout",
            "7",
        ];
        let cfg = Cli::try_parse_from(args).expect("args").serve.to_config().expect("config");
        // The file's settings, the options on top, mounts from both.
        assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 9000)));
        let prefixes: Vec<&str> = cfg.mounts.iter().map(|m| m.prefix.as_str()).collect();
        assert_eq!(prefixes, ["/up", "/local"]);
        assert_eq!((cfg.limits.workers, cfg.cache.frame_cache_bytes), (3, 2 << 20));
        assert_eq!((cfg.timeouts.request_secs, cfg.timeouts.upstream_secs), (7, 4));
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "bogus = 1").expect("write");
        let args = ["x", "--config", bad.to_str().expect("utf8")];
        assert!(Cli::try_parse_from(args).expect("args").serve.to_config().is_err());
    }

    /// Every option also comes from its `LAZYQT_*` variable; a command-line option wins over
    /// it; go-lazycache's `LAZYCACHE_*` variables are not read (compatibility table).
    #[test]
    fn options_come_from_the_environment() {
        let _env = ENV.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let config_from = |args: &[&str]| {
            let all = std::iter::once("lazyqt-serve").chain(args.iter().copied());
            Cli::try_parse_from(all).expect("options parse").serve.to_config().expect("config")
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let dir = dir.path().to_str().expect("utf8");
        let vars = [
            ("LAZYQT_LISTEN", "127.0.0.1:9797".to_string()),
            ("LAZYQT_MOUNT", format!("/a={dir};/b=http://127.0.0.1:1/files")),
            ("LAZYQT_WORKERS", "5".into()),
            ("LAZYQT_REQUEST_TIMEOUT", "9".into()),
            ("LAZYQT_UPSTREAM_TIMEOUT", "2".into()),
            ("LAZYCACHE_PORT", "1234".into()),
        ];
        for (k, v) in &vars {
            std::env::set_var(k, v);
        }
        let cfg = config_from(&[]);
        assert_eq!(cfg.listen, SocketAddr::from(([127, 0, 0, 1], 9797)));
        let prefixes: Vec<&str> = cfg.mounts.iter().map(|m| m.prefix.as_str()).collect();
        assert_eq!(prefixes, ["/a", "/b"], "no OOI mount once mounts are configured");
        assert_eq!((cfg.limits.workers, cfg.timeouts.request_secs, cfg.timeouts.upstream_secs), (5, 9, 2));
        let cli =
            config_from(&["--listen", "127.0.0.1:9798", "--workers", "2", "--mount", &format!("/c={dir}")]);
        assert_eq!(cli.listen, SocketAddr::from(([127, 0, 0, 1], 9798)));
        assert_eq!(cli.limits.workers, 2);
        assert_eq!(cli.mounts.len(), 1);
        assert_eq!(cli.mounts[0].prefix, "/c");
        std::env::remove_var("LAZYQT_LISTEN");
        assert_eq!(config_from(&[]).listen, SocketAddr::from(([127, 0, 0, 1], 8080)));
        for (k, _) in &vars {
            std::env::remove_var(k);
        }
    }
}
