//! `mvhd`, `tkhd` and `mdhd`: movie, track and media headers (versions 0 and 1).

use super::{full_box, read_body, truncated, Res};
use crate::atom::AtomHeader;
use crate::error::{Error, ErrorKind, Result};
use crate::read_at::ReadAt;
use nom::bytes::complete::take;
use nom::number::complete::{be_u16, be_u32, be_u64};

/// Times and durations are 32-bit in version 0 and 64-bit in version 1.
fn time(version: u8) -> impl Fn(&[u8]) -> Res<'_, u64> {
    move |i| {
        if version == 1 {
            be_u64(i)
        } else {
            let (i, v) = be_u32(i)?;
            Ok((i, u64::from(v)))
        }
    }
}

fn check_version<E>(version: u8, h: &AtomHeader) -> Result<(), E> {
    if version > 1 {
        return Err(Error::format(ErrorKind::UnsupportedVersion, h.kind, h.offset));
    }
    Ok(())
}

/// The movie header: time base and duration of the whole movie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MovieHeader {
    /// Creation time in seconds since 1904-01-01 UTC (QuickTime epoch); 0 if unset.
    pub creation_time: u64,
    /// Modification time, same epoch.
    pub modification_time: u64,
    /// Units per second of `duration` and of edit-list segment durations.
    pub timescale: u32,
    /// Movie duration in `timescale` units.
    pub duration: u64,
}

/// Parse `mvhd`.
pub fn parse_mvhd<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<MovieHeader, R::Error> {
    let (buf, len) = read_body::<R, 32>(r, h)?;
    let body = buf.get(..len).ok_or_else(|| truncated(h))?;
    let (i, (version, _)) = full_box(body).map_err(|_| truncated(h))?;
    check_version(version, h)?;
    let t = time(version);
    let parsed = (|| -> Res<'_, MovieHeader> {
        let (i, creation_time) = t(i)?;
        let (i, modification_time) = t(i)?;
        let (i, timescale) = be_u32(i)?;
        let (i, duration) = t(i)?;
        Ok((i, MovieHeader { creation_time, modification_time, timescale, duration }))
    })();
    parsed.map(|(_, m)| m).map_err(|_| truncated(h))
}

/// The track header: id, flags and presentation size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrackHeader {
    /// Track flags (1 = enabled, 2 = in movie, 4 = in preview).
    pub flags: u32,
    /// Track id, unique in the movie.
    pub track_id: u32,
    /// Duration in the movie's timescale.
    pub duration: u64,
    /// Presentation width, 16.16 fixed point.
    pub width: u32,
    /// Presentation height, 16.16 fixed point.
    pub height: u32,
}

/// Parse `tkhd`.
pub fn parse_tkhd<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<TrackHeader, R::Error> {
    let (buf, len) = read_body::<R, 96>(r, h)?;
    let body = buf.get(..len).ok_or_else(|| truncated(h))?;
    let (i, (version, flags)) = full_box(body).map_err(|_| truncated(h))?;
    check_version(version, h)?;
    let t = time(version);
    let parsed = (|| -> Res<'_, TrackHeader> {
        let (i, _creation) = t(i)?;
        let (i, _modification) = t(i)?;
        let (i, track_id) = be_u32(i)?;
        let (i, _reserved) = be_u32(i)?;
        let (i, duration) = t(i)?;
        // reserved(8) layer(2) alternate group(2) volume(2) reserved(2) matrix(36)
        let (i, _) = take(52usize)(i)?;
        let (i, width) = be_u32(i)?;
        let (i, height) = be_u32(i)?;
        Ok((i, TrackHeader { flags, track_id, duration, width, height }))
    })();
    parsed.map(|(_, t)| t).map_err(|_| truncated(h))
}

/// The media header: the track's own time base.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MediaHeader {
    /// Units per second of every timestamp in the track's sample tables.
    pub timescale: u32,
    /// Media duration in `timescale` units.
    pub duration: u64,
    /// ISO-639-2/T language packed in 15 bits (or a Macintosh language code).
    pub language: u16,
}

/// Parse `mdhd`.
pub fn parse_mdhd<R: ReadAt + ?Sized>(r: &R, h: &AtomHeader) -> Result<MediaHeader, R::Error> {
    let (buf, len) = read_body::<R, 40>(r, h)?;
    let body = buf.get(..len).ok_or_else(|| truncated(h))?;
    let (i, (version, _)) = full_box(body).map_err(|_| truncated(h))?;
    check_version(version, h)?;
    let t = time(version);
    let parsed = (|| -> Res<'_, MediaHeader> {
        let (i, _creation) = t(i)?;
        let (i, _modification) = t(i)?;
        let (i, timescale) = be_u32(i)?;
        let (i, duration) = t(i)?;
        let (i, language) = be_u16(i)?;
        Ok((i, MediaHeader { timescale, duration, language }))
    })();
    parsed.map(|(_, m)| m).map_err(|_| truncated(h))
}
