//! The HTTP semantics answers follow (RFC 9110): what a `Range` header asks for, the
//! `multipart/byteranges` body of several ranges, and how `If-Match` and `If-None-Match`
//! compare entity tags.

/// What a `Range` header asks for, per RFC 9110.
pub(crate) enum RangeSpec {
    /// No usable Range header: answer the whole file.
    Whole,
    /// Satisfiable ranges, inclusive, sorted, overlapping and adjacent ones merged.
    Ranges(Vec<(u64, u64)>),
    /// A syntactically valid header whose ranges all lie outside the file.
    Unsatisfiable,
}

/// One `first-last`, `first-` or `-suffix` spec: `Some(None)` if outside the file,
/// `None` if malformed.
fn parse_one(spec: &str, len: u64) -> Option<Option<(u64, u64)>> {
    let (a, b) = spec.trim().split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        let n = b.parse::<u64>().ok()?;
        if n == 0 || len == 0 {
            return Some(None);
        }
        return Some(Some((len.saturating_sub(n), len - 1)));
    }
    let start = a.parse::<u64>().ok()?;
    let end = if b.is_empty() {
        u64::MAX
    } else {
        match b.parse::<u64>() {
            Ok(e) if e >= start => e,
            _ => return None,
        }
    };
    if start >= len {
        return Some(None);
    }
    Some(Some((start, end.min(len - 1))))
}

pub(crate) fn parse_range(value: Option<&str>, len: u64) -> RangeSpec {
    let Some(specs) = value.and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return RangeSpec::Whole;
    };
    let mut ranges = Vec::new();
    for spec in specs.split(',') {
        match parse_one(spec, len) {
            None => return RangeSpec::Whole,
            Some(Some(r)) => ranges.push(r),
            Some(None) => {}
        }
    }
    if ranges.is_empty() {
        return RangeSpec::Unsatisfiable;
    }
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some((_, e)) if a <= e.saturating_add(1) => *e = (*e).max(b),
            _ => merged.push((a, b)),
        }
    }
    RangeSpec::Ranges(merged)
}

/// Boundary of the `multipart/byteranges` answers.
pub(crate) const BOUNDARY: &str = "lazyqt-testserver-boundary";

/// A `multipart/byteranges` body of `parts` (first byte, bytes) of a file of `len` bytes.
pub(crate) fn multipart(parts: &[(u64, Vec<u8>)], len: u64) -> Vec<u8> {
    let mut body = Vec::new();
    for (start, bytes) in parts {
        let last = start + bytes.len() as u64 - 1;
        body.extend_from_slice(
            format!(
                "\r\n--{BOUNDARY}\r\nContent-Type: application/octet-stream\r\n\
                 Content-Range: bytes {start}-{last}/{len}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
    }
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Does an `If-Match` list match this entity tag under strong comparison?
pub(crate) fn if_match_ok(list: &str, etag: Option<&str>) -> bool {
    let list = list.trim();
    if list == "*" {
        return true;
    }
    let Some(etag) = etag.filter(|e| !e.starts_with("W/")) else { return false };
    list.split(',').map(str::trim).any(|t| t == etag)
}

/// Does an `If-None-Match` list match this entity tag under weak comparison?
pub(crate) fn if_none_match_hit(list: &str, etag: Option<&str>) -> bool {
    let list = list.trim();
    let Some(etag) = etag else { return false };
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    list == "*" || list.split(',').any(|t| bare(t) == bare(etag))
}

/// The reason phrase of a status code.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        412 => "Precondition Failed",
        416 => "Range Not Satisfiable",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
