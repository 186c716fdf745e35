//! `lazyqt serve`: the REST server over local directories and upstream HTTP servers.

use std::sync::Arc;
use std::time::Duration;

use lazyqt_server::{MediaBackend, Mount};

use super::serve_args::ServeArgs;

/// Options of `lazyqt serve`. Every option can also come from the `LAZYQT_*` variable its
/// help names; a command-line option wins over its variable.
#[derive(Debug, clap::Args)]
pub struct ServeCommand {
    #[command(flatten)]
    pub server: ServeArgs,
    /// Movies kept open at once (each holds its moov in the source's cache).
    #[arg(long, env = "LAZYQT_MAX_MOVIES", default_value_t = 512, value_name = "N")]
    pub max_movies: u64,
}

/// Run the server until ctrl-c or SIGTERM.
pub fn run(args: &ServeCommand, source: &crate::source_args::SourceArgs) -> anyhow::Result<()> {
    lazyqt_media::decoding::set_ffmpeg_log(lazyqt_media::decoding::FfmpegLog::Quiet);
    let config = args.server.to_config()?;
    if config.mounts == [Mount::ooi()] {
        let m = Mount::ooi();
        eprintln!(
            "lazyqt serve: mounting {} -> {} (the OOI raw-data archive; the default without --mount)",
            m.prefix,
            lazyqt_server::OOI_URL
        );
    }
    // Reopen movies at least as often as their cached metadata expires.
    let ttl = source.cache_ttl.0.unwrap_or(Duration::from_secs(24 * 3600));
    // Movies are read under the server's upstream deadline (capped by the request deadline).
    let backend = MediaBackend::new(config.source_options(&source.options()), args.max_movies, ttl)
        .with_cross_origin_mounts(config.cross_origin_mounts());
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(lazyqt_server::serve(config, Arc::new(backend), std::future::pending()));
    // Calls still waiting on an upstream after the shutdown grace are not waited for.
    runtime.shutdown_background();
    served?;
    Ok(())
}
