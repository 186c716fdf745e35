//! The checks of fuzz target `http_wire` (fuzz/fuzz_targets/http_wire.rs), shared with
//! the regression replay (`tests/wire_regressions.rs`) so a crash file replays on stable
//! through the same code.
//!
//! Input: a header value, a newline, then a body. The value is parsed as a
//! `Content-Range` and as a `Content-Type`; the body as `multipart/byteranges` with the
//! value's boundary (or `B`). Every result is checked for what the parsers promise.

use lazyqt_io::wire::{byteranges, byteranges_boundary, content_range, ContentRange};

/// Most parts the source accepts in an answer (as in `http/fetch.rs`).
const MAX_PARTS: usize = 4;

/// Run every parser over `data` and check its promises; panics on a broken one.
pub fn check(data: &[u8]) {
    let split = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (value, body) = (&data[..split], data.get(split + 1..).unwrap_or_default());
    let value = String::from_utf8_lossy(value);

    if let Some(cr) = content_range(&value) {
        if let Some((a, b)) = cr.range {
            assert!(a <= b, "{cr:?} from {value:?}");
            assert!(cr.total.is_none_or(|t| b < t), "{cr:?} from {value:?}");
        }
        // What we parsed prints back to the same thing.
        let printed = format!(
            "bytes {}/{}",
            cr.range.map_or("*".to_string(), |(a, b)| format!("{a}-{b}")),
            cr.total.map_or("*".to_string(), |t| t.to_string())
        );
        assert_eq!(content_range(&printed), Some(cr), "{printed:?}");
    } else if let Some(cr) = strict(&value) {
        panic!("{value:?} refused though it reads as {cr:?}");
    }

    let boundary = byteranges_boundary(&value);
    if let Some(b) = boundary {
        assert!((1..=70).contains(&b.len()) && value.contains(b), "{b:?} from {value:?}");
    }
    if let Ok(parts) = byteranges(body, boundary.unwrap_or("B"), MAX_PARTS) {
        assert!((1..=MAX_PARTS).contains(&parts.len()));
        let (lo, hi) = (body.as_ptr() as usize, body.as_ptr() as usize + body.len());
        let mut after = lo;
        for p in &parts {
            assert_eq!(p.total, parts[0].total, "parts agree on the length");
            assert!(!p.data.is_empty(), "a range holds at least one byte");
            assert!(p.start + p.data.len() as u64 <= p.total, "{} + {} > {}", p.start, p.data.len(), p.total);
            // Each part is a slice of the body, after the previous one.
            let at = p.data.as_ptr() as usize;
            assert!(at >= after && at + p.data.len() <= hi, "part outside the body");
            after = at + p.data.len();
        }
    }
}

/// A strict reading of `bytes A-B/T` (digits only, single spaces), to cross-check the
/// parser: it must accept everything this does.
fn strict(s: &str) -> Option<ContentRange> {
    let rest = s.strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (a, b) = range.split_once('-')?;
    let num = |x: &str| -> Option<u64> {
        if x.is_empty() || !x.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        x.parse().ok()
    };
    let (a, b, t) = (num(a)?, num(b)?, num(total)?);
    (a <= b && b < t).then_some(ContentRange { range: Some((a, b)), total: Some(t) })
}
