//! Contact sheets: frames of one movie or of many, scaled to one width and laid out in a
//! grid, each with a line of text under it (its UTC time, or its time and number in the
//! movie) — a file or a day at one glance. The CLI (`lazyqt sheet`) and the server
//! (`<dir>/sheet`) both draw them here.
//!
//! Tiles are decoded by the one [`Pipeline`] with the conversion `lazyqt frame --scale Wx0`
//! uses (RGB24, [`fit_size`], swscale's default flags, the stream's colour matrix), so each
//! tile is byte for byte that frame's picture: a PNG sheet can be cut up and compared.
//!
//! Text is drawn with the 8x8 bitmap font of the `font8x8` crate (Daniel Hepper's public
//! domain font; the crate is `no_std`, has no dependencies, and only its ASCII table is
//! used): a font whose every glyph is eight bytes is drawn by a dozen lines and reads well
//! at tile widths of 160 px and up, where a vector font would need a rasterizer.

use lazyqt_decode::{fit_size, ColorMatrix, ConvertOptions, Image, PixelFormat};

use crate::{Media, MediaError, Pipeline, PipelineOptions, Result};

/// Most tiles one sheet holds.
pub const MAX_TILES: usize = 1000;

/// Most pixels one sheet has (about 150 MB of RGB while it is drawn).
pub const MAX_SHEET_PIXELS: u64 = 50_000_000;

/// Widest tile asked for.
pub const MAX_TILE_WIDTH: u32 = 3840;

/// Most columns.
pub const MAX_COLUMNS: usize = 100;

/// Tile width when none is asked for.
pub const DEFAULT_TILE_WIDTH: u32 = 320;

/// Pixels between tiles and around the sheet.
const GAP: u32 = 4;
/// Pixels of a glyph (square).
const GLYPH: u32 = 8;
/// The strip under a tile that holds its label: the glyphs and a margin above and below.
const LABEL_HEIGHT: u32 = GLYPH + 4;
/// Background colour.
const PAPER: [u8; 3] = [0x20, 0x20, 0x20];
/// Text colour.
const INK: [u8; 3] = [0xff, 0xff, 0xff];

/// One frame of a sheet and the text under it.
#[derive(Debug, Clone)]
pub struct Tile {
    /// The movie.
    pub media: Media,
    /// The frame (0-based, presentation order).
    pub frame: u64,
    /// The text under the tile (ASCII; other characters show as `?`; clipped to the tile).
    pub label: String,
}

/// How a sheet is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetOptions {
    /// Width of every tile in pixels (the height follows each movie's aspect ratio).
    pub width: u32,
    /// Tiles per row; 0 picks about a square (the ceiling of the square root of the count).
    pub columns: usize,
    /// YUV->RGB matrix, as for single frames.
    pub matrix: ColorMatrix,
    /// How the frames are fetched and decoded (results are always taken in order).
    pub pipeline: PipelineOptions,
}

impl Default for SheetOptions {
    fn default() -> Self {
        Self {
            width: DEFAULT_TILE_WIDTH,
            columns: 0,
            matrix: ColorMatrix::default(),
            pipeline: PipelineOptions::default(),
        }
    }
}

impl SheetOptions {
    /// The conversion each tile gets: what `lazyqt frame --scale Wx0` asks for.
    pub fn convert(&self) -> ConvertOptions {
        ConvertOptions {
            format: PixelFormat::Rgb24,
            size: Some((self.width, 0)),
            matrix: self.matrix,
            ..ConvertOptions::default()
        }
    }
}

/// Where the tiles of a sheet go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Tiles per row.
    pub columns: u32,
    /// Rows.
    pub rows: u32,
    /// The box every tile is drawn in (the largest tile), without its label.
    pub cell: (u32, u32),
    /// The sheet's width and height.
    pub size: (u32, u32),
}

impl Layout {
    /// The layout of `count` tiles of at most `cell` pixels in `columns` columns (0: about a
    /// square), or why it is refused: no tiles, more than [`MAX_TILES`], a width of 0 or
    /// over [`MAX_TILE_WIDTH`], more than [`MAX_COLUMNS`], or over [`MAX_SHEET_PIXELS`].
    pub fn new(count: usize, cell: (u32, u32), columns: usize) -> Result<Self> {
        if count == 0 {
            return Err(MediaError::InvalidArgument(
                "no frames for the sheet: nothing was recorded in the range".into(),
            ));
        }
        if count > MAX_TILES {
            return Err(MediaError::OverLimit(format!(
                "{count} tiles: a sheet holds at most {MAX_TILES}; ask for fewer (a longer interval, a smaller count)"
            )));
        }
        if cell.0 == 0 || cell.0 > MAX_TILE_WIDTH {
            return Err(MediaError::InvalidArgument(format!(
                "tile width {} is not in 1..={MAX_TILE_WIDTH}",
                cell.0
            )));
        }
        if columns > MAX_COLUMNS {
            return Err(MediaError::InvalidArgument(format!("{columns} columns: at most {MAX_COLUMNS}")));
        }
        let columns = match columns {
            0 => (1..=count).find(|c| c * c >= count).unwrap_or(count),
            c => c.min(count),
        };
        let rows = count.div_ceil(columns);
        let (cols, rows) = (columns as u64, rows as u64);
        let width = cols * u64::from(cell.0) + (cols + 1) * u64::from(GAP);
        let height = rows * u64::from(cell.1 + LABEL_HEIGHT) + (rows + 1) * u64::from(GAP);
        if width.saturating_mul(height) > MAX_SHEET_PIXELS {
            return Err(MediaError::OverLimit(format!(
                "a sheet of {width}x{height} pixels is over the limit of {MAX_SHEET_PIXELS}: ask for smaller tiles or fewer of them"
            )));
        }
        // Both fit: the product of each with the other (at least 1) is under the limit.
        let size = (u32::try_from(width).unwrap_or(u32::MAX), u32::try_from(height).unwrap_or(u32::MAX));
        Ok(Self { columns: columns as u32, rows: rows as u32, cell, size })
    }

    /// The top-left corner of tile `i` (its label is under the cell).
    pub fn origin(&self, i: usize) -> (u32, u32) {
        let (col, row) = ((i % self.columns as usize) as u32, (i / self.columns as usize) as u32);
        (GAP + col * (self.cell.0 + GAP), GAP + row * (self.cell.1 + LABEL_HEIGHT + GAP))
    }
}

/// The size a frame of `media` gets as a tile `width` pixels wide (from the video track's
/// dimensions: what [`fit_size`] gives the decoder's picture of them).
pub fn tile_size(media: &Media, width: u32) -> Result<(u32, u32)> {
    let video = media.video()?;
    Ok(fit_size((video.width(), video.height()), (width, 0)))
}

/// The layout `tiles` will get with `opts`, from their movies' dimensions, before anything
/// is decoded: what a front end checks (and counts against its budgets) first.
pub fn plan(tiles: &[Tile], opts: &SheetOptions) -> Result<Layout> {
    let mut cell = (opts.width, 0);
    let mut seen: Vec<&Media> = Vec::new();
    for t in tiles.iter().take(MAX_TILES) {
        if seen.iter().any(|m| std::ptr::eq(m.movie(), t.media.movie())) {
            continue;
        }
        seen.push(&t.media);
        cell.1 = cell.1.max(tile_size(&t.media, opts.width)?.1);
    }
    Layout::new(tiles.len(), cell, opts.columns)
}

/// Decode `tiles` (through the [`Pipeline`]) and draw the sheet: an RGB24 picture, tiles in
/// order left to right and top to bottom, each label under its tile, and where they are. A
/// frame that fails fails the sheet (never a sheet with a hole that looks complete).
pub fn render(tiles: &[Tile], opts: &SheetOptions) -> Result<(Image, Layout)> {
    let planned = plan(tiles, opts)?;
    let jobs: Vec<(Media, u64)> = tiles.iter().map(|t| (t.media.clone(), t.frame)).collect();
    let popts = PipelineOptions { ordered: true, ..opts.pipeline };
    let mut images = Vec::with_capacity(tiles.len());
    for done in Pipeline::with_finish(jobs, opts.convert(), popts, |_, image| image) {
        images.push(done.value?);
    }
    // The decoder's pictures may differ from the track's dimensions: lay out what came.
    let cell = images.iter().fold(planned.cell, |(w, h), i| (w.max(i.width), h.max(i.height)));
    let layout = Layout::new(images.len(), cell, opts.columns)?;
    let labels: Vec<&str> = tiles.iter().map(|t| t.label.as_str()).collect();
    Ok((compose(&layout, &images, &labels)?, layout))
}

/// Draw `images` (RGB24) and their `labels` as `layout` places them.
pub fn compose(layout: &Layout, images: &[Image], labels: &[&str]) -> Result<Image> {
    let (w, h) = layout.size;
    let stride = w as usize * 3;
    let mut data = PAPER.repeat(w as usize * h as usize);
    for (i, image) in images.iter().enumerate() {
        if image.format != PixelFormat::Rgb24 || image.width > layout.cell.0 || image.height > layout.cell.1 {
            return Err(MediaError::InvalidArgument(format!(
                "tile {i} ({}x{} {:?}) does not fit a {}x{} RGB24 cell",
                image.width, image.height, image.format, layout.cell.0, layout.cell.1
            )));
        }
        let (x, y) = layout.origin(i);
        let row_bytes = image.stride();
        for (r, src) in image.data.chunks_exact(row_bytes).enumerate() {
            let at = (y as usize + r) * stride + x as usize * 3;
            data[at..at + row_bytes].copy_from_slice(src);
        }
        let label = labels.get(i).copied().unwrap_or_default();
        draw_text(
            &mut data,
            stride,
            (x, y + layout.cell.1 + (LABEL_HEIGHT - GLYPH) / 2),
            layout.cell.0,
            label,
        );
    }
    Ok(Image { width: w, height: h, format: PixelFormat::Rgb24, data })
}

/// Draw `text` in [`INK`] at `(x, y)` of an RGB24 picture, clipped to `max_width` pixels.
fn draw_text(data: &mut [u8], stride: usize, (x, y): (u32, u32), max_width: u32, text: &str) {
    let fits = (max_width / GLYPH) as usize;
    for (k, c) in text.chars().take(fits).enumerate() {
        let code = if c.is_ascii() && !c.is_ascii_control() { c as usize } else { usize::from(b'?') };
        let glyph = font8x8::legacy::BASIC_LEGACY[code];
        let left = x as usize + k * GLYPH as usize;
        for (dy, bits) in glyph.iter().enumerate() {
            for dx in 0..GLYPH as usize {
                // Bit 0 is the leftmost pixel of a row.
                if bits & (1 << dx) != 0 {
                    let at = (y as usize + dy) * stride + (left + dx) * 3;
                    if let Some(px) = data.get_mut(at..at + 3) {
                        px.copy_from_slice(&INK);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: u32, h: u32, v: u8) -> Image {
        Image { width: w, height: h, format: PixelFormat::Rgb24, data: vec![v; (w * h * 3) as usize] }
    }

    #[test]
    fn layouts_are_bounded_and_about_square() {
        let l = Layout::new(10, (160, 90), 0).expect("layout");
        assert_eq!((l.columns, l.rows), (4, 3));
        assert_eq!(l.size, (4 * 160 + 5 * GAP, 3 * (90 + LABEL_HEIGHT) + 4 * GAP));
        assert_eq!(Layout::new(3, (160, 90), 8).expect("layout").columns, 3, "never more columns than tiles");
        assert!(matches!(Layout::new(0, (160, 90), 0), Err(MediaError::InvalidArgument(_))));
        assert!(matches!(Layout::new(MAX_TILES + 1, (16, 9), 0), Err(MediaError::OverLimit(_))));
        assert!(matches!(Layout::new(400, (3840, 2160), 0), Err(MediaError::OverLimit(_))));
        assert!(matches!(Layout::new(4, (0, 0), 0), Err(MediaError::InvalidArgument(_))));
        assert!(matches!(Layout::new(4, (16, 9), MAX_COLUMNS + 1), Err(MediaError::InvalidArgument(_))));
        assert_eq!(MediaError::OverLimit(String::new()).kind(), crate::ErrorKind::TooLarge);
    }

    #[test]
    fn tiles_are_copied_exactly_and_labels_drawn_below_them() {
        let layout = Layout::new(3, (16, 9), 2).expect("layout");
        let images = [solid(16, 9, 10), solid(16, 9, 20), solid(16, 8, 30)];
        let sheet = compose(&layout, &images, &["AB", "", "W"]).expect("sheet");
        let stride = sheet.width as usize * 3;
        let px = |x: u32, y: u32| &sheet.data[y as usize * stride + x as usize * 3..][..3];
        for (i, img) in images.iter().enumerate() {
            let (x, y) = layout.origin(i);
            for r in 0..img.height {
                for c in 0..img.width {
                    assert_eq!(px(x + c, y + r), [img.data[0]; 3], "tile {i} at {c},{r}");
                }
            }
        }
        // The label strip of tile 0 has ink, that of tile 1 (no label) none.
        let strip = |i: usize| {
            let (x, y) = layout.origin(i);
            (0..LABEL_HEIGHT).flat_map(move |r| (0..16).map(move |c| (x + c, y + 9 + r)))
        };
        assert!(strip(0).any(|(x, y)| px(x, y) == INK));
        assert!(strip(1).all(|(x, y)| px(x, y) == PAPER));
        // 'A' of font8x8 is 0x0C 0x1E 0x33 0x33 0x3F 0x33 0x33 0x00: row 0 has pixels 2 and 3.
        let (x, y) = layout.origin(0);
        let top = y + 9 + (LABEL_HEIGHT - GLYPH) / 2;
        let row: Vec<bool> = (0..8).map(|c| px(x + c, top) == INK).collect();
        assert_eq!(row, [false, false, true, true, false, false, false, false]);
        assert!(compose(&layout, &[solid(17, 9, 0)], &[""]).is_err(), "a tile larger than the cell");
    }
}
