//! Mounts: URL prefixes of this server mapped to upstream or local directories, parsed from
//! `PREFIX=URL_OR_DIR` strings or `[[mount]]` tables, and checked before the server starts.

use std::path::PathBuf;

use serde::Deserialize;
use url::Url;

use super::ConfigError;

/// Routes of the server itself; no mount may use or shadow them.
const RESERVED: &[&str] = &["/healthz", "/metrics", "/readyz", "/openapi.json", "/info", "/_ah", "/view"];

/// URL prefix of the mount served when none is configured: go-lazycache's path for the
/// OOI raw-data archive (host name reversed, then the path).
pub const OOI_PREFIX: &str = "/v1/org/oceanobservatories/rawdata/files";
/// The OOI raw-data archive, served at [`OOI_PREFIX`] when no mount is configured.
pub const OOI_URL: &str = "https://rawdata.oceanobservatories.org/files/";

/// Where a mount's files come from.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum MountTarget {
    /// A directory on an HTTP(S) server with an HTML autoindex; the URL ends with `/`.
    Upstream(Url),
    /// A local directory.
    Local(PathBuf),
}

impl TryFrom<String> for MountTarget {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        MountTarget::parse(&s)
    }
}

impl MountTarget {
    /// Parses `http(s)://…` as an upstream (adding a trailing `/` to its path), anything else
    /// without a scheme as a local directory. An upstream URL may carry credentials (userinfo)
    /// and a query (e.g. an access token): both are sent upstream with every request of the
    /// mount and never shown (see [`lazyqt_io::redact_url`]).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("empty target".into());
        }
        if lazyqt_io::is_url(s) {
            let mut url = Url::parse(s).map_err(|e| format!("bad URL: {e}"))?;
            if url.fragment().is_some() {
                return Err("upstream URL must not have a fragment".into());
            }
            if !url.path().ends_with('/') {
                let path = format!("{}/", url.path());
                url.set_path(&path);
            }
            Ok(Self::Upstream(url))
        } else if let Some((scheme, _)) = s.split_once("://") {
            Err(format!("unsupported scheme {scheme:?}"))
        } else {
            Ok(Self::Local(PathBuf::from(s)))
        }
    }
}

/// A URL prefix of this server mapped to an upstream directory or a local directory.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mount {
    /// URL prefix, e.g. `/v1/org/oceanobservatories/rawdata/files` (no trailing slash).
    pub prefix: String,
    /// What it serves.
    pub target: MountTarget,
    /// Follow redirects of the upstream to other origins (scheme, host, port). Off by default:
    /// the server then fetches only from the origin it was configured with.
    #[serde(default)]
    pub allow_cross_origin_redirects: bool,
}

impl Mount {
    /// The mount go-lazycache configured by default: [`OOI_PREFIX`] → [`OOI_URL`].
    pub fn ooi() -> Self {
        let url = Url::parse(OOI_URL).unwrap_or_else(|e| unreachable!("OOI_URL is a constant URL: {e}"));
        Self {
            prefix: OOI_PREFIX.to_string(),
            target: MountTarget::Upstream(url),
            allow_cross_origin_redirects: false,
        }
    }

    /// Parses a `PREFIX=URL_OR_DIR` command-line value.
    pub fn parse(spec: &str) -> Result<Self, ConfigError> {
        let (prefix, target) = spec
            .split_once('=')
            .ok_or_else(|| ConfigError::Mount(spec.into(), "expected PREFIX=URL_OR_DIR".into()))?;
        let target = MountTarget::parse(target).map_err(|e| ConfigError::Mount(spec.into(), e))?;
        Ok(Self { prefix: prefix.to_string(), target, allow_cross_origin_redirects: false })
    }

    /// Normalizes the prefix (leading `/`, no trailing `/`) and, for local mounts, makes the root
    /// canonical (it must be an existing directory).
    pub(super) fn normalize(&mut self) -> Result<(), ConfigError> {
        let original = self.prefix.clone();
        let err = |m: &str| ConfigError::Mount(original.clone(), m.to_string());
        let trimmed = self.prefix.trim().trim_end_matches('/');
        let prefix = if trimmed.starts_with('/') { trimmed.to_string() } else { format!("/{trimmed}") };
        if prefix.len() < 2 {
            return Err(err("the prefix must not be empty or `/`"));
        }
        for seg in prefix[1..].split('/') {
            let ok = !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c));
            if !ok {
                return Err(err("prefix segments may hold only letters, digits and -._~"));
            }
        }
        if RESERVED.iter().any(|r| prefix == *r || prefix.starts_with(&format!("{r}/"))) {
            return Err(err("the prefix collides with a built-in route"));
        }
        self.prefix = prefix;
        if let MountTarget::Local(dir) = &self.target {
            let canon = std::fs::canonicalize(dir)
                .map_err(|e| err(&format!("local directory {}: {e}", dir.display())))?;
            if !canon.is_dir() {
                return Err(err(&format!("{} is not a directory", canon.display())));
            }
            self.target = MountTarget::Local(canon);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_spec_parses_upstream_and_local() {
        let m = Mount::parse("/v1/x=https://example.org/files").expect("parses");
        assert_eq!(m.target, MountTarget::Upstream(Url::parse("https://example.org/files/").expect("url")));
        let l = Mount::parse("/local=./media").expect("parses");
        assert_eq!(l.target, MountTarget::Local(PathBuf::from("./media")));
        assert!(Mount::parse("no-equals").is_err());
        assert!(Mount::parse("/x=ftp://example.org/").is_err());
        assert!(Mount::parse("/x=https://example.org/#frag").is_err());
        // A token in the query is kept (and sent with every upstream request of the mount).
        let t = Mount::parse("/x=https://u:p@example.org/f?token=1").expect("parses");
        assert_eq!(
            t.target,
            MountTarget::Upstream(Url::parse("https://u:p@example.org/f/?token=1").expect("url"))
        );
    }
}
