//! `lazyqt`: single frames out of huge QuickTime/MP4 movies, local or on plain HTTP
//! servers, without downloading them.

#![forbid(unsafe_code)]

mod cmd;
mod exit;
mod output;
mod source_args;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use lazyqt_media::Media;

use exit::Exit;
use source_args::SourceArgs;

const SOURCES_AND_EXAMPLES: &str = "\
SOURCES:
  Every SRC is a local path (any bytes the system allows) or an http(s):// URL. Over HTTP
  lazyqt reads only the atom headers, the moov atom and the exact bytes of the frames asked
  for, with range requests; metadata is cached on disk (see --cache-dir, --cache-ttl).

OUTPUT:
  -o replaces a regular file atomically (a hidden .NAME.PID.tmp sibling, then a rename);
  a FIFO or a device such as /dev/null is written into, never replaced; a symlink stays
  and what it points at is written.

EXAMPLES:
  lazyqt info movie.mov
  lazyqt info --json --stats https://example.org/files/CAMHDA301-20160101T000000Z.mov
  lazyqt samples movie.mov --json | head
  lazyqt frame movie.mov 5000 -o frame.png
  lazyqt frame https://example.org/movie.mov --time 60 --scale 640x0 --format jpg -o - > small.jpg
  lazyqt frames https://example.org/movie.mov --every 1800 -o stills/
  lazyqt ls https://example.org/files/06-CAMHDA301/ --from 2016-11-13 --to 2016-11-14 --json
  lazyqt frame https://example.org/files/06-CAMHDA301/ --utc 2016-11-13T01:23:45Z -o x.png
  lazyqt frames https://example.org/files/06-CAMHDA301/ --from 2016-11-13 --to 2016-11-14 --every 10min -o day/
  lazyqt frames https://example.org/files/06-CAMHDA301/ --utc-list instants.txt --nearest -o picks/
  lazyqt sheet https://example.org/files/06-CAMHDA301/ --from 2016-11-13 --to 2016-11-14 --every 3h -o day.jpg
  lazyqt serve --listen 127.0.0.1:8080 --mount /local=./media
  lazyqt serve --mount /v1/org/oceanobservatories/rawdata/files=https://host/files/
";

const LOGGING: &str = "\
LOGGING:
  -v / -vv, or LAZYQT_LOG=debug (a tracing filter, e.g. lazyqt_io=debug) for details on stderr.";

/// The text after the options in `--help`: sources, output, examples, the exit status table.
fn after_help() -> String {
    format!("{SOURCES_AND_EXAMPLES}\n{}\n{LOGGING}", Exit::help())
}

/// Pull single frames out of huge QuickTime/MP4 movies, local or over HTTP.
#[derive(Debug, Parser)]
#[command(name = "lazyqt", version, about = "Pull single frames out of huge QuickTime/MP4 movies, local or on plain HTTP servers, without downloading them.", after_help = after_help())]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    source: SourceArgs,
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Summarize a movie: size, duration, creation time, tracks (codec, size, frames, fps).
    Info(cmd::info::InfoArgs),
    /// List every sample of a track in decode order: offset, size, timestamps, keyframe.
    Samples(cmd::samples::SamplesArgs),
    /// Write one frame as an image: lazyqt frame SRC 5000 -o f.png (or --time 60.5).
    Frame(cmd::frame::FrameArgs),
    /// Catalog an archive (a directory or autoindex URL of movies, day directories
    /// YYYY/MM/DD/) over a UTC range: start, end, duration, frames, size, codec, status.
    Ls(cmd::ls::LsArgs),
    /// Write many frames to a directory, in parallel: --every K, --list, --range A..B, --times.
    Frames(cmd::frames::FramesArgs),
    /// Draw a contact sheet: scaled frames of a movie or of an archive's time range in a
    /// grid, with their UTC times under them (--every DURATION or --count N).
    Sheet(cmd::sheet::SheetArgs),
    /// Serve frames over HTTP (REST API compatible with go-lazycache clients) and a browser
    /// viewer at /view/.
    Serve(cmd::serve::ServeCommand),
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAZYQT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
}

/// The error and its causes on one line, without repeating a cause its parent already quotes.
fn message(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: &Cli) -> anyhow::Result<()> {
    let opts = cli.source.options();
    if let Command::Frame(cmd::frame::FrameArgs { src, .. })
    | Command::Frames(cmd::frames::FramesArgs { src, .. })
    | Command::Sheet(cmd::sheet::SheetArgs { src, .. }) = &cli.command
    {
        Media::prepare_to_decode(src, &opts);
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match &cli.command {
        Command::Info(a) => cmd::info::run(a, &Media::open(&a.src, &opts)?, &mut out)?,
        Command::Samples(a) => cmd::samples::run(a, &Media::open(&a.src, &opts)?, &mut out)?,
        Command::Frame(a) => match a.utc {
            Some(utc) => cmd::utc::run(a, utc, &opts)?,
            None => cmd::frame::run(a, &Media::open(&a.src, &opts)?)?,
        },
        Command::Ls(a) => cmd::ls::run(a, &opts, &mut out)?,
        Command::Frames(a) if a.archive.from.is_some() || a.select.utc_list.is_some() => {
            cmd::archive_frames::run(a, &opts)?
        }
        Command::Frames(a) => cmd::frames::run(a, &Media::open(&a.src, &opts)?)?,
        Command::Sheet(a) => cmd::sheet::run(a, &opts, &mut out)?,
        Command::Serve(a) => cmd::serve::run(a, &cli.source)?,
    }
    out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lazyqt: error: {}", message(&e));
            ExitCode::from(Exit::of_error(&e) as u8)
        }
    }
}
