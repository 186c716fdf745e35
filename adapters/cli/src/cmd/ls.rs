//! `lazyqt ls`: the catalog of an archive over a time range, one row per movie.

use std::io::Write;

use lazyqt_archive::names::{parse_instant, rfc3339};
use lazyqt_archive::{Archive, OffsetDateTime, Record};
use lazyqt_io::SourceOptions;

/// Examples of `lazyqt ls`, for its `--help`.
const EXAMPLES: &str = "\
ROOT is a local directory or the http(s):// URL of an HTML autoindex (nginx, Apache, the
OOI raw-data server), holding movies directly or in day directories YYYY/MM/DD/. A movie's
start is the UTC time in its name (CAMHDA301-20161113T012345Z.mov, ISO-like stamps), else
its mvhd creation time. Only the day directories the range needs are listed; every movie
is opened once (8 at a time) and its metadata kept in the disk cache, so a second run
costs only the listings. A movie that does not open is a row with status malformed or
unreachable, not an error.

EXAMPLES:
  lazyqt ls https://rawdata.oceanobservatories.org/files/RS03ASHS/PN03B/06-CAMHDA301/ \\
      --from 2016-11-13 --to 2016-11-13T23:59:59Z
  lazyqt ls ./archive --json | jq -r 'select(.status != \"ok\") | .url'

EXIT STATUS:
  0 the catalog was written (rows may be malformed or unreachable), 2 bad usage (a time
  that does not parse, --from after --to), 4 a listing could not be read.";

/// Options of `lazyqt ls`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct LsArgs {
    /// Archive root: a directory or an http(s):// URL of an autoindex.
    pub root: String,
    /// List movies recording at or after this UTC time (RFC 3339, or a date = its midnight).
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub from: Option<OffsetDateTime>,
    /// List movies that started at or before this UTC time.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub to: Option<OffsetDateTime>,
    /// One JSON object per line: url, start, end, duration, frames, size, codec, status,
    /// start_from (name or mvhd), error.
    #[arg(long)]
    pub json: bool,
    /// Movies opened at once.
    #[arg(long, value_name = "N", default_value_t = lazyqt_archive::DEFAULT_PARALLEL)]
    pub parallel: usize,
}

/// Run `lazyqt ls`.
pub fn run(args: &LsArgs, opts: &SourceOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let archive = Archive::new(&args.root, opts)?.with_parallel(args.parallel);
    let records = archive.catalog(args.from, args.to)?;
    if args.json {
        for r in &records {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        }
    } else {
        writeln!(
            out,
            "{:<27} {:>10} {:>7} {:>14} {:<5} {:<11} URL",
            "START", "DURATION", "FRAMES", "SIZE", "CODEC", "STATUS"
        )?;
        for r in &records {
            writeln!(out, "{}", text_row(r))?;
        }
    }
    tracing::info!(movies = records.len(), "catalog written");
    Ok(())
}

/// One row of the text table.
fn text_row(r: &Record) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let mut row = format!(
        "{:<27} {:>10} {:>7} {:>14} {:<5} {:<11} {}",
        opt(r.start.map(rfc3339)),
        opt(r.duration.map(|d| format!("{d:.3}s"))),
        opt(r.frames.map(|f| f.to_string())),
        opt(r.size.map(|s| s.to_string())),
        opt(r.codec.clone()),
        r.status.to_string(),
        r.url
    );
    if let Some(e) = &r.error {
        row.push_str(&format!("  ({e})"));
    }
    row
}
