//! Parsers for what a server sends back to a range request: the `Content-Range` header
//! and `multipart/byteranges` bodies (RFC 9110 §14.4 and §14.6).
//!
//! They read untrusted bytes, so they are plain functions that never panic and allocate
//! at most one small vector of borrowed parts; they are public so the fuzzer
//! (`fuzz/fuzz_targets/http_wire.rs`) can drive them directly.

use std::fmt;

/// A parsed `Content-Range: bytes first-last/total`; `*` on either side is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    /// First and last byte, inclusive (`None` for `bytes */total`).
    pub range: Option<(u64, u64)>,
    /// The complete length (`None` when the server sent `*`).
    pub total: Option<u64>,
}

/// Parse a `Content-Range` value. `None` when malformed, including a range that ends
/// before it starts or lies past the announced length.
pub fn content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let (range, total) = rest.trim_start().split_once('/')?;
    let total = match total.trim() {
        "*" => None,
        t => Some(number(t)?),
    };
    let range = match range.trim() {
        "*" => None,
        r => {
            let (a, b) = r.split_once('-')?;
            let (a, b) = (number(a.trim())?, number(b.trim())?);
            if b < a || total.is_some_and(|t| b >= t) {
                return None;
            }
            Some((a, b))
        }
    };
    Some(ContentRange { range, total })
}

/// A decimal number of digits only (`u64::from_str` would also take a leading `+`).
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The boundary of a `Content-Type: multipart/byteranges; boundary=…` value, or `None`
/// for any other type. The boundary may be quoted and is 1 to 70 characters (RFC 2046).
pub fn byteranges_boundary(content_type: &str) -> Option<&str> {
    let mut params = content_type.split(';');
    if !params.next()?.trim().eq_ignore_ascii_case("multipart/byteranges") {
        return None;
    }
    let value = params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim().eq_ignore_ascii_case("boundary").then_some(value.trim())
    })?;
    let value = match value.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"')?,
        None => value,
    };
    (1..=70).contains(&value.len()).then_some(value)
}

/// One part of a `multipart/byteranges` body: a range of the file and its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part<'a> {
    /// Offset of the first byte in the file.
    pub start: u64,
    /// The complete length of the file, from the part's `Content-Range`.
    pub total: u64,
    /// The bytes (`Content-Range` says how many).
    pub data: &'a [u8],
}

/// Why a `multipart/byteranges` body was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadMultipart(pub &'static str);

impl fmt::Display for BadMultipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed multipart/byteranges body: {}", self.0)
    }
}

impl std::error::Error for BadMultipart {}

/// Most bytes of header lines one part may carry.
const MAX_PART_HEADERS: usize = 4096;

/// Split a `multipart/byteranges` body into its parts, in the order sent. Each part's
/// length comes from its `Content-Range` (so binary data that happens to contain the
/// boundary is read correctly); every part must announce the same complete length, and
/// at most `max_parts` are accepted.
pub fn byteranges<'a>(
    body: &'a [u8],
    boundary: &str,
    max_parts: usize,
) -> Result<Vec<Part<'a>>, BadMultipart> {
    let delimiter = [b"--", boundary.as_bytes()].concat();
    let first = find(body, &delimiter).ok_or(BadMultipart("no boundary"))?;
    let mut pos = first + delimiter.len();
    let mut parts: Vec<Part<'a>> = Vec::new();
    loop {
        let rest = body.get(pos..).ok_or(BadMultipart("truncated"))?;
        if rest.starts_with(b"--") {
            break;
        }
        pos += line_end(rest).ok_or(BadMultipart("boundary line not ended"))?;
        let (range, header_len) = part_headers(body.get(pos..).unwrap_or_default())?;
        pos += header_len;
        let (Some((a, b)), Some(total)) = (range.range, range.total) else {
            return Err(BadMultipart("part without a complete Content-Range"));
        };
        if parts.first().is_some_and(|p| p.total != total) {
            return Err(BadMultipart("parts disagree on the file length"));
        }
        if parts.len() >= max_parts {
            return Err(BadMultipart("too many parts"));
        }
        let len = usize::try_from(b - a + 1).map_err(|_| BadMultipart("part too long"))?;
        let end = pos.checked_add(len).ok_or(BadMultipart("part too long"))?;
        let data = body.get(pos..end).ok_or(BadMultipart("part shorter than its Content-Range"))?;
        parts.push(Part { start: a, total, data });
        pos = end;
        let rest = body.get(pos..).unwrap_or_default();
        let newline = if rest.starts_with(b"\r\n") { 2 } else { usize::from(rest.starts_with(b"\n")) };
        if !rest[newline..].starts_with(&delimiter) {
            return Err(BadMultipart("part not followed by the boundary"));
        }
        pos += newline + delimiter.len();
    }
    if parts.is_empty() {
        return Err(BadMultipart("no parts"));
    }
    Ok(parts)
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Length of the rest of a boundary line (optional padding, then CRLF or LF).
fn line_end(rest: &[u8]) -> Option<usize> {
    let pad = rest.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    let after = &rest[pad..];
    if after.starts_with(b"\r\n") {
        Some(pad + 2)
    } else if after.starts_with(b"\n") {
        Some(pad + 1)
    } else {
        None
    }
}

/// A part's header lines, up to and including the empty line: its `Content-Range` and
/// how many bytes the headers took.
fn part_headers(rest: &[u8]) -> Result<(ContentRange, usize), BadMultipart> {
    let mut pos = 0;
    let mut range = None;
    loop {
        if pos > MAX_PART_HEADERS {
            return Err(BadMultipart("part headers too long"));
        }
        let line_len = rest
            .get(pos..)
            .and_then(|r| r.iter().position(|&b| b == b'\n'))
            .ok_or(BadMultipart("part headers not ended"))?;
        let line = &rest[pos..pos + line_len];
        pos += line_len + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let text = std::str::from_utf8(line).map_err(|_| BadMultipart("part header not text"))?;
        let Some((name, value)) = text.split_once(':') else {
            return Err(BadMultipart("part header without a colon"));
        };
        if name.trim().eq_ignore_ascii_case("content-range") {
            range = Some(content_range(value).ok_or(BadMultipart("bad Content-Range in a part"))?);
        }
    }
    Ok((range.ok_or(BadMultipart("part without Content-Range"))?, pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_range_forms() {
        let cr = |s| content_range(s);
        assert_eq!(cr("bytes 0-9/100"), Some(ContentRange { range: Some((0, 9)), total: Some(100) }));
        assert_eq!(cr(" bytes  5-5/*"), Some(ContentRange { range: Some((5, 5)), total: None }));
        assert_eq!(cr("bytes */100"), Some(ContentRange { range: None, total: Some(100) }));
        for bad in [
            "bytes 9-0/100",
            "bytes 0-100/100",
            "bytes=0-9/100",
            "bytes0-9/100",
            "bytes +1-9/100",
            "bytes 0-9",
            "items 0-9/10",
            "",
        ] {
            assert_eq!(cr(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn boundary_forms() {
        assert_eq!(byteranges_boundary("multipart/byteranges; boundary=abc"), Some("abc"));
        assert_eq!(byteranges_boundary("Multipart/ByteRanges;BOUNDARY=\"a b\""), Some("a b"));
        assert_eq!(byteranges_boundary("multipart/form-data; boundary=abc"), None);
        assert_eq!(byteranges_boundary("multipart/byteranges"), None);
        assert_eq!(byteranges_boundary("multipart/byteranges; boundary=\"abc"), None);
        assert_eq!(byteranges_boundary(&format!("multipart/byteranges; boundary={}", "x".repeat(71))), None);
    }

    /// A body as Apache and nginx write it, with a part whose data contains the boundary.
    #[test]
    fn parts_are_read_by_their_lengths() {
        let body = b"\r\n--B\r\nContent-Type: video/quicktime\r\nContent-Range: bytes 0-3/20\r\n\r\n--B\r\n\
                     --B\r\nContent-Range: bytes 16-19/20\r\n\r\nwxyz\r\n--B--\r\n";
        let parts = byteranges(body, "B", 8).unwrap();
        assert_eq!(
            parts,
            vec![Part { start: 0, total: 20, data: b"--B\r" }, Part { start: 16, total: 20, data: b"wxyz" },]
        );
    }

    #[test]
    fn malformed_bodies_are_refused() {
        let ok = b"--B\nContent-Range: bytes 0-1/9\n\nab\n--B--";
        assert_eq!(byteranges(ok, "B", 8).unwrap().len(), 1);
        let cases: [(&[u8], &str); 7] = [
            (b"--B\r\nContent-Range: bytes 0-19/20\r\n\r\nab\r\n--B--", "shorter"),
            (b"--B\r\nContent-Range: bytes 0-1/9\r\n\r\nabc\r\n--B--", "not followed"),
            (b"--B\r\nContent-Type: x\r\n\r\nab\r\n--B--", "without Content-Range"),
            (b"--B--", "no parts"),
            (b"--C\r\n", "no boundary"),
            (b"--B\r\nContent-Range: bytes 0-0/9\r\n\r\na\r\n--B\r\nContent-Range: bytes 1-1/8\r\n\r\nb\r\n--B--", "disagree"),
            (b"--B\r\nContent-Range: bytes 0-1/9\r\n", "not ended"),
        ];
        for (body, why) in cases {
            let err = byteranges(body, "B", 8).unwrap_err();
            assert!(err.0.contains(why), "{err} for {:?}", String::from_utf8_lossy(body));
        }
        let two = b"--B\r\nContent-Range: bytes 0-0/9\r\n\r\na\r\n--B\r\nContent-Range: bytes 1-1/9\r\n\r\nb\r\n--B--";
        assert_eq!(byteranges(two, "B", 1).unwrap_err().0, "too many parts");
    }
}
