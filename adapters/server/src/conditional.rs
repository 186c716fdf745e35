//! HTTP validators: strong ETags derived from the movie's validator and the representation,
//! and `If-None-Match` matching.

use axum::http::{header, HeaderMap};

/// Bump when encoders or pixels change, so caches in front of the server see new ETags
/// (2: untagged HD is BT.601, FFmpeg's rule, no longer BT.709).
const RENDER_VERSION: &str = "lazyqt-2";

/// A strong ETag (quoted) over the given parts, or `None` when `validator` is empty (unknown
/// file version: no validator can be promised).
pub(crate) fn etag(validator: &str, parts: &[&str]) -> Option<String> {
    if validator.is_empty() {
        return None;
    }
    // Two FNV-1a 64-bit hashes with different offsets: 128 stable bits across builds.
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    for part in std::iter::once(RENDER_VERSION).chain(std::iter::once(validator)).chain(parts.iter().copied())
    {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            a = (a ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
            b = (b ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    Some(format!("\"{a:016x}{b:016x}\""))
}

/// True when the request's `If-None-Match` matches `etag` (weak comparison, `*` matches).
pub(crate) fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn etags_differ_by_part_and_version() {
        let a = etag("v1", &["frame", "1"]).expect("etag");
        assert_ne!(Some(a.clone()), etag("v2", &["frame", "1"]));
        assert_ne!(Some(a.clone()), etag("v1", &["frame", "2"]));
        assert_ne!(etag("v1", &["ab", "c"]), etag("v1", &["a", "bc"]));
        assert!(a.starts_with('"') && a.ends_with('"'));
        assert_eq!(etag("", &["x"]), None);
    }

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        let mut h = HeaderMap::new();
        assert!(!not_modified(&h, "\"x\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"a\", W/\"x\""));
        assert!(not_modified(&h, "\"x\""));
        assert!(!not_modified(&h, "\"y\""));
        h.insert(header::IF_NONE_MATCH, HeaderValue::from_static("*"));
        assert!(not_modified(&h, "\"y\""));
    }
}
