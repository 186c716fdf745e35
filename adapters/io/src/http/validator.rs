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
    /// An unquoted entity tag (`ETag: abc123`, a bare token some servers send): still a
    /// validator, compared with the `ETag` of every answer before its body is used. It is
    /// not sent (a server that writes it bare may not compare a quoted one); the
    /// `Last-Modified` seen with it, if any, is sent as `If-Unmodified-Since`.
    BareETag {
        /// The tag as the server sent it.
        tag: String,
        /// The `Last-Modified` date sent with it.
        last_modified: Option<String>,
    },
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
    h.get(name).and_then(|v| v.to_str().ok()).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A usable `Last-Modified` date of an answer.
fn last_modified(h: &HeaderMap) -> Option<String> {
    header(h, LAST_MODIFIED).filter(|lm| httpdate::parse_http_date(lm).is_ok())
}

impl Identity {
    /// Read the validators of an answer.
    pub fn from_headers(size: u64, h: &HeaderMap) -> Self {
        let etag = header(h, ETAG);
        let (validator, weak) = match etag {
            Some(e) if e.starts_with("W/") => (None, Some(e)),
            Some(e) if e.starts_with('"') => (Some(Validator::ETag(e)), None),
            Some(tag) => (Some(Validator::BareETag { tag, last_modified: last_modified(h) }), None),
            None => (None, None),
        };
        let validator =
            validator.or_else(|| last_modified(h).map(Validator::LastModified)).unwrap_or(Validator::None);
        Self { size, validator, weak_etag: weak }
    }

    /// The conditional header that pins a request to this version.
    pub fn condition(&self) -> Option<(reqwest::header::HeaderName, &str)> {
        match &self.validator {
            Validator::ETag(e) => Some((reqwest::header::IF_MATCH, e.as_str())),
            Validator::LastModified(d) | Validator::BareETag { last_modified: Some(d), .. } => {
                Some((reqwest::header::IF_UNMODIFIED_SINCE, d.as_str()))
            }
            Validator::BareETag { last_modified: None, .. } | Validator::None => None,
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
            Validator::BareETag { tag, .. } => format!("ETag {tag}"),
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
        let changed = |what: &str, old: &str, new: &str| Some(format!("{what} was {old}, is now {new}"));
        let last_modified = || header(h, LAST_MODIFIED);
        match (&self.validator, &etag) {
            (Validator::ETag(old), Some(new)) if old != new => return changed("ETag", old, new),
            // A proxy may quote a bare tag on the way: the token is what counts.
            (Validator::BareETag { tag: old, .. }, Some(new))
                if old.trim_matches('"') != new.trim_matches('"') =>
            {
                return changed("ETag", old, new);
            }
            (Validator::LastModified(old), _) => {
                if let Some(new) = last_modified().filter(|n| n != old) {
                    return changed("Last-Modified", old, &new);
                }
            }
            (Validator::BareETag { last_modified: Some(old), .. }, _) => {
                if let Some(new) = last_modified().filter(|n| n != old) {
                    return changed("Last-Modified", old, &new);
                }
            }
            _ => {}
        }
        if let (Some(old), Some(new)) = (&self.weak_etag, &etag) {
            if old != new {
                return changed("ETag", old, new);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, IF_MATCH, IF_UNMODIFIED_SINCE};

    fn headers(pairs: &[(reqwest::header::HeaderName, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_static(v))).collect()
    }

    const LM: &str = "Wed, 01 Jan 2020 00:00:00 GMT";

    #[test]
    fn each_kind_of_validator_pins_requests_its_own_way() {
        let strong = Identity::from_headers(9, &headers(&[(ETAG, "\"a\""), (LAST_MODIFIED, LM)]));
        assert_eq!(strong.condition(), Some((IF_MATCH, "\"a\"")));
        let bare = Identity::from_headers(9, &headers(&[(ETAG, "a1"), (LAST_MODIFIED, LM)]));
        assert_eq!(bare.condition(), Some((IF_UNMODIFIED_SINCE, LM)));
        assert!(bare.is_cacheable());
        let bare_alone = Identity::from_headers(9, &headers(&[(ETAG, "a1")]));
        assert_eq!(bare_alone.condition(), None);
        assert!(bare_alone.is_cacheable(), "a bare ETag still names one version");
        assert_eq!(bare_alone.describe(), "ETag a1");
        let weak = Identity::from_headers(9, &headers(&[(ETAG, "W/\"a\"")]));
        assert_eq!((weak.condition(), weak.is_cacheable()), (None, false));
    }

    #[test]
    fn a_changed_bare_etag_or_its_date_is_a_mismatch() {
        let bare = Identity::from_headers(9, &headers(&[(ETAG, "a1"), (LAST_MODIFIED, LM)]));
        assert_eq!(bare.mismatch(Some(9), &headers(&[(ETAG, "a1"), (LAST_MODIFIED, LM)])), None);
        assert_eq!(bare.mismatch(Some(9), &headers(&[])), None);
        assert_eq!(bare.mismatch(Some(9), &headers(&[(ETAG, "\"a1\"")])), None);
        let why = bare.mismatch(Some(9), &headers(&[(ETAG, "a2")])).unwrap();
        assert_eq!(why, "ETag was a1, is now a2");
        let later = "Thu, 02 Jan 2020 00:00:00 GMT";
        assert!(bare.mismatch(None, &headers(&[(ETAG, "a1"), (LAST_MODIFIED, later)])).is_some());
        assert!(bare.mismatch(Some(8), &headers(&[(ETAG, "a1")])).is_some());
    }
}
