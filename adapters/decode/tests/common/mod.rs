//! Test helpers: generated media, packets and codec params via ffprobe, reference frames via
//! the ffmpeg CLI. Until the parser crate lands, ffprobe stands in for it.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;
use std::process::Command;

use lazyqt_decode::{CodecParams, ColorInfo, Packet};

/// One video packet as ffprobe reports it.
#[derive(Debug, Clone, Copy)]
pub struct PacketInfo {
    pub pts: i64,
    pub dts: i64,
    pub pos: usize,
    pub size: usize,
    pub key: bool,
    pub discard: bool,
}

/// A test movie read into memory with its packet table.
pub struct Movie {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub params: CodecParams,
    /// Packets in decode (file) order.
    pub packets: Vec<PacketInfo>,
}

pub use lazyqt_testkit::generated as media;

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("spawn ffmpeg/ffprobe");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split('|')
        .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key} in {line}"))
}

/// The payload of the first `avcC`/`hvcC` box in the file (configurationVersion 1).
fn find_config(bytes: &[u8], kind: &[u8; 4]) -> Option<Vec<u8>> {
    bytes.windows(4).enumerate().find_map(|(i, w)| {
        if w != kind || i < 4 {
            return None;
        }
        let size = u32::from_be_bytes(bytes[i - 4..i].try_into().ok()?) as usize;
        let body = bytes.get(i + 4..i - 4 + size)?;
        (size > 8 && body.first() == Some(&1)).then(|| body.to_vec())
    })
}

/// The sample entry's `colr` (`nclc`/`nclx`), found the way `find_config` finds `avcC`.
fn find_colr(bytes: &[u8]) -> Option<ColorInfo> {
    let i = bytes.windows(4).position(|w| w == b"colr")?;
    let body = bytes.get(i + 4..i + 15)?;
    let be16 = |k: usize| u16::from_be_bytes([body[k], body[k + 1]]);
    let nclx = &body[..4] == b"nclx";
    (nclx || &body[..4] == b"nclc").then(|| ColorInfo {
        primaries: be16(4),
        transfer: be16(6),
        matrix: be16(8),
        full_range: nclx.then(|| body[10] & 0x80 != 0),
    })
}

/// ffprobe's text for `show_entries` (e.g. `stream=width,height`) of the first video
/// stream of `path`, written as `output_format` (e.g. `compact=p=0`).
fn ffprobe_v0(path: &std::path::Path, show_entries: &str, output_format: &str) -> String {
    let out = run(Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", show_entries])
        .args(["-of", output_format])
        .arg(path));
    String::from_utf8(out).expect("utf8")
}

/// What ffprobe says of the first video stream's `entry` (e.g. `color_space`: `unknown`
/// when untagged).
pub fn probe(path: &std::path::Path, entry: &str) -> String {
    ffprobe_v0(path, &format!("stream={entry}"), "default=nw=1:nk=1").trim().to_owned()
}

/// Makes a one-off movie with the ffmpeg CLI in the temp dir (for cases the shared test media
/// do not cover) and opens it; the test removes it.
pub fn make_movie(name: &str, args: &[&str]) -> Movie {
    let path = std::env::temp_dir().join(format!("lazyqt-decode-{}-{name}", std::process::id()));
    run(Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-y"]).args(args).arg(&path));
    open(path)
}

/// Opens a generated movie: bytes, params of its first video track, packets.
pub fn movie(name: &str) -> Movie {
    open(media(name))
}

fn open(path: PathBuf) -> Movie {
    let bytes = std::fs::read(&path).expect("read movie");
    let stream = ffprobe_v0(&path, "stream=codec_tag_string,width,height", "compact=p=0");
    let line = stream.lines().next().expect("a video stream");
    let tag: [u8; 4] =
        format!("{:<4}", field(line, "codec_tag_string")).as_bytes()[..4].try_into().expect("fourcc");
    let mut params = CodecParams::new(
        tag,
        field(line, "width").parse().expect("width"),
        field(line, "height").parse().expect("height"),
    );
    params.extradata = match &tag {
        b"avc1" | b"avc3" => find_config(&bytes, b"avcC"),
        b"hvc1" | b"hev1" => find_config(&bytes, b"hvcC"),
        _ => None,
    };
    params.color = find_colr(&bytes);
    let table = ffprobe_v0(&path, "packet=pts,dts,pos,size,flags", "compact=p=0");
    let packets = table
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let flags = field(l, "flags");
            PacketInfo {
                pts: field(l, "pts").parse().expect("pts"),
                dts: field(l, "dts").parse().expect("dts"),
                pos: field(l, "pos").parse().expect("pos"),
                size: field(l, "size").parse().expect("size"),
                key: flags.starts_with('K'),
                discard: flags.contains('D'),
            }
        })
        .collect();
    Movie { path, bytes, params, packets }
}

impl Movie {
    /// The packet as the decoder takes it.
    pub fn packet(&self, i: usize) -> Packet<'_> {
        let p = self.packets[i];
        Packet { data: &self.bytes[p.pos..p.pos + p.size], pts: p.pts, dts: p.dts, keyframe: p.key }
    }

    /// Presentation order (as ffmpeg outputs frames): indices into `packets`, sorted by pts,
    /// without the packets an edit list discards.
    pub fn presentation(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.packets.len()).filter(|&i| !self.packets[i].discard).collect();
        order.sort_by_key(|&i| self.packets[i].pts);
        order
    }

    /// The decode-order index of the sync sample at or before packet `i`.
    pub fn sync_before(&self, i: usize) -> usize {
        (0..=i).rev().find(|&k| self.packets[k].key).expect("a sync sample")
    }

    /// Packets from the sync sample before packet `i` up to and including `i`, in decode order:
    /// all a decoder needs (later packets only matter for reordering, which draining covers).
    pub fn run_for(&self, i: usize) -> impl Iterator<Item = Packet<'_>> {
        (self.sync_before(i)..=i).map(|k| self.packet(k))
    }

    /// Every frame decoded by the ffmpeg CLI (`-vsync 0`, so frame n is `select=eq(n\,N)`),
    /// converted with its default swscale settings; `extra` goes before the output options.
    pub fn ffmpeg_frames(&self, pix_fmt: &str, extra: &[&str]) -> Vec<u8> {
        run(Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(&self.path)
            .args(extra)
            .args(["-map", "0:v:0", "-vsync", "0", "-pix_fmt", pix_fmt, "-f", "rawvideo", "-"]))
    }
}

/// Largest absolute difference between two byte buffers of the same length.
pub fn max_abs_diff(a: &[u8], b: &[u8]) -> u8 {
    assert_eq!(a.len(), b.len(), "buffer lengths differ");
    a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0)
}
