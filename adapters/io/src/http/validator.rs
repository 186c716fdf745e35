//! What identifies one version of a remote file: size plus a strong ETag or a
//! Last-Modified date, and the conditional header that pins later requests to it.

use reqwest::header::{HeaderMap, ETAG, LAST_MODIFIED};

/// The validator a source pins its requests to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Validator {
    /// A strong entity tag (sent as `If-Match`).
    ETag(String),
    /// A modification date (sent as `If-Unmodified-Since`).
    LastModified(String),
    /// Nothing usable: changes are detected only by size or a weak ETag changing.
    None,
}

/// The version of a remote file as first seen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Identity {
    /// Total length.
    pub size: u64,
    /// The validator requests carry.
    pub validator: Validator,
    /// A weak ETag seen at open (compared on every answer, never sent).
    pub weak_etag: Option<String>,
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string())
}

impl Identity {
    /// Read the validators of an answer.
    pub fn from_headers(size: u64, h: &HeaderMap) -> Self {
        let etag = header(h, ETAG);
        let last_modified = header(h, LAST_MODIFIED);
        let (strong, weak) = match etag {
            Some(e) if e.starts_with("W/") => (None, Some(e)),
            Some(e) if e.starts_with('"') => (Some(e), None),
            _ => (None, None),
        };
        let validator = match (strong, last_modified) {
            (Some(e), _) => Validator::ETag(e),
            (None, Some(lm)) if httpdate::parse_http_date(&lm).is_ok() => Validator::LastModified(lm),
            _ => Validator::None,
        };
        Self { size, validator, weak_etag: weak }
    }

    /// The conditional header that pins a request to this version.
    pub fn condition(&self) -> Option<(reqwest::header::HeaderName, &str)> {
        match &self.validator {
            Validator::ETag(e) => Some((reqwest::header::IF_MATCH, e.as_str())),
            Validator::LastModified(d) => Some((reqwest::header::IF_UNMODIFIED_SINCE, d.as_str())),
            Validator::None => None,
        }
    }

    /// Is the validator strong enough to key a persistent cache?
    pub fn is_cacheable(&self) -> bool {
        !matches!(self.validator, Validator::None)
    }

    /// A short description, for messages.
    pub fn describe(&self) -> String {
        match &self.validator {
            Validator::ETag(e) => format!("ETag {e}"),
            Validator::LastModified(d) => format!("Last-Modified {d}"),
            Validator::None => format!("size {}", self.size),
        }
    }

    /// Why an answer shows a different version, if it does.
    pub fn mismatch(&self, size: Option<u64>, h: &HeaderMap) -> Option<String> {
        if let Some(size) = size.filter(|s| *s != self.size) {
            return Some(format!("size was {}, is now {size}", self.size));
        }
        let etag = header(h, ETAG);
        match (&self.validator, &etag) {
            (Validator::ETag(old), Some(new)) if old != new => {
                return Some(format!("ETag was {old}, is now {new}"));
            }
            (Validator::LastModified(old), _) => {
                if let Some(new) = header(h, LAST_MODIFIED).filter(|n| n != old) {
                    return Some(format!("Last-Modified was {old}, is now {new}"));
                }
            }
            _ => {}
        }
        if let (Some(old), Some(new)) = (&self.weak_etag, &etag) {
            if old != new {
                return Some(format!("ETag was {old}, is now {new}"));
            }
        }
        None
    }
}
