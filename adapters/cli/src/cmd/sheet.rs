//! `lazyqt sheet`: a contact sheet of one movie or of an archive's time range — scaled
//! frames in a grid, each with its UTC time (or time in the movie and frame number) under
//! it. The frames are chosen by lazyqt-archive and drawn by `lazyqt_media::sheet`, the
//! same code the server's `<dir>/sheet` uses.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use lazyqt_archive::names::{parse_instant, parse_interval, rfc3339};
use lazyqt_archive::sheet::movie_sheet;
use lazyqt_archive::{Archive, OffsetDateTime, SheetTile, Spacing};
use lazyqt_io::SourceOptions;
use lazyqt_media::decoding::{ColorMatrix, EncodeOptions, Format, DEFAULT_JPEG_QUALITY};
use lazyqt_media::sheet::{self, SheetOptions, DEFAULT_TILE_WIDTH};
use lazyqt_media::{Media, PipelineOptions};

use crate::exit::ExitError;

/// Examples and details of `lazyqt sheet`, for its `--help`.
const EXAMPLES: &str = "\
Every tile is exactly the picture `lazyqt frame SRC N --scale Wx0` gives for its frame
(cut a tile out of a PNG sheet to check); under it, its UTC time (from the movie's name or
its mvhd creation time), or for a movie without a known start its time in the movie and
frame number. With --from/--to SRC is an archive root (see `lazyqt ls --help`): instants
no recording covers are skipped and listed on stderr (and in --json). A sheet holds at
most 1000 tiles and 50 million pixels.

EXAMPLES:
  lazyqt sheet movie.mov --count 12 -o movie.jpg
  lazyqt sheet https://example.org/files/CAMHDA301-20161113T000000Z.mov --every 1min --width 240 -o file.jpg
  lazyqt sheet https://example.org/files/06-CAMHDA301/ --from 2016-11-13 --to 2016-11-13T23:59:59Z \\
      --every 3h --columns 4 -o day.jpg
  lazyqt sheet ./archive --from 2016-11-13T03:00:00Z --to 2016-11-13T03:14:00Z --count 15 -o q.png --json

EXIT STATUS:
  0 the sheet was written, 2 bad usage (no --every/--count, a limit exceeded, nothing
  recorded in the range), 3 a movie is malformed, 4 a listing or movie could not be read.";

/// Options of `lazyqt sheet`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct SheetArgs {
    /// Movie file path or http(s):// URL; with --from, an archive root.
    pub src: OsString,
    /// SRC is an archive root: the sheet covers this UTC time (RFC 3339, or a date = its
    /// midnight) ...
    #[arg(long, value_name = "TIME", value_parser = parse_instant, requires = "to")]
    pub from: Option<OffsetDateTime>,
    /// ... to this one (inclusive).
    #[arg(long, value_name = "TIME", value_parser = parse_instant, requires = "from")]
    pub to: Option<OffsetDateTime>,
    /// A frame every DURATION (seconds, or e.g. 500ms, 10min, 3h) from the start of the
    /// movie or range.
    #[arg(long, value_name = "DURATION", value_parser = parse_interval, required_unless_present = "count", conflicts_with = "count")]
    pub every: Option<time::Duration>,
    /// N frames spread evenly: over a movie at k*duration/N, over a range from --from to
    /// --to inclusive.
    #[arg(long, value_name = "N")]
    pub count: Option<usize>,
    /// Output file; its extension picks the format: .jpg (smaller) or .png (exact tiles).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Width of each tile in pixels; the height keeps the movie's aspect ratio.
    #[arg(long, value_name = "W", default_value_t = DEFAULT_TILE_WIDTH)]
    pub width: u32,
    /// Tiles per row (default: about a square).
    #[arg(long, value_name = "C", default_value_t = 0, hide_default_value = true)]
    pub columns: usize,
    /// JPEG quality 1-100.
    #[arg(long, default_value_t = DEFAULT_JPEG_QUALITY, value_parser = clap::value_parser!(u8).range(1..=100))]
    pub quality: u8,
    /// YUV->RGB matrix, as for `lazyqt frame`.
    #[arg(long, value_name = "MATRIX", value_enum, default_value_t)]
    pub color_matrix: ColorMatrix,
    /// Print the sheet (output, width, height), its tiles (utc, seconds, url, frame, label,
    /// x, y: the tile's top-left pixel) and the skipped instants (gaps) as one JSON object
    /// on stdout.
    #[arg(long)]
    pub json: bool,
    /// Frames fetched and decoded at once (default: the pipeline's, one decoder per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// What `--json` prints.
#[derive(serde::Serialize)]
struct Report<'a> {
    output: String,
    width: u32,
    height: u32,
    tiles: Vec<JsonTile<'a>>,
    #[serde(with = "rfc3339_list")]
    gaps: &'a [OffsetDateTime],
}

#[derive(serde::Serialize)]
struct JsonTile<'a> {
    #[serde(flatten)]
    tile: &'a SheetTile,
    label: String,
    /// Where the tile's top-left pixel is on the sheet.
    x: u32,
    y: u32,
}

mod rfc3339_list {
    pub fn serialize<S: serde::Serializer>(v: &[super::OffsetDateTime], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|t| super::rfc3339(*t)))
    }
}

/// Run `lazyqt sheet`.
pub fn run(args: &SheetArgs, opts: &SourceOptions, out: &mut dyn Write) -> anyhow::Result<()> {
    let format = match args.output.extension().and_then(|e| e.to_str()).and_then(Format::from_extension) {
        Some(f @ (Format::Jpeg | Format::Png)) => f,
        _ => return Err(ExitError::usage("the sheet's file name must end in .jpg, .jpeg or .png")),
    };
    let spacing = match (args.every, args.count) {
        (Some(d), None) => Spacing::Every(d),
        (None, Some(n)) => Spacing::Count(n),
        _ => return Err(ExitError::usage("choose the frames with --every DURATION or --count N")),
    };
    let (tiles, gaps) = match (args.from, args.to) {
        (Some(from), Some(to)) => {
            let root = args.src.to_str().ok_or_else(|| ExitError::usage("the archive root is not UTF-8"))?;
            let plan = Archive::new(root, opts)?.sheet(from, to, spacing)?;
            (plan.tiles, plan.gaps)
        }
        _ => {
            let media = Media::open(&args.src, opts)?;
            (movie_sheet(&media, &args.src.to_string_lossy(), spacing)?, Vec::new())
        }
    };
    if !gaps.is_empty() {
        let shown: Vec<String> = gaps.iter().take(20).map(|t| rfc3339(*t)).collect();
        let more = if gaps.len() > 20 { format!(" and {} more", gaps.len() - 20) } else { String::new() };
        eprintln!("lazyqt: skipped {} instants no recording covers: {}{more}", gaps.len(), shown.join(", "));
    }
    let jobs = args.jobs.map(|j| j.clamp(1, 256)).unwrap_or(0);
    let sheet_opts = SheetOptions {
        width: args.width,
        columns: args.columns,
        matrix: args.color_matrix,
        pipeline: PipelineOptions { fetchers: jobs, decoders: jobs, ..PipelineOptions::default() },
    };
    let drawn: Vec<sheet::Tile> = tiles.iter().map(SheetTile::tile).collect();
    let (image, layout) = sheet::render(&drawn, &sheet_opts)?;
    let encode = EncodeOptions { jpeg_quality: args.quality, ..EncodeOptions::default() };
    let bytes = lazyqt_media::decoding::encode(&image, format, &encode)?;
    crate::output::write_output(&args.output, &bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    tracing::info!(tiles = tiles.len(), width = image.width, height = image.height, "sheet written");
    if args.json {
        let report = Report {
            output: args.output.display().to_string(),
            width: image.width,
            height: image.height,
            tiles: tiles
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let (x, y) = layout.origin(i);
                    JsonTile { tile: t, label: t.label(), x, y }
                })
                .collect(),
            gaps: &gaps,
        };
        serde_json::to_writer(&mut *out, &report)?;
        writeln!(out)?;
    }
    Ok(())
}
