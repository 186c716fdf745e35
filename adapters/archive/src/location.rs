//! Where an archive's directories are, and how one is listed: a local directory
//! (`std::fs`) or an HTTP URL whose answer is an HTML autoindex (fetched with
//! [`lazyqt_io::get_page`], under the same deadline, retry and redirect rules as the
//! reads of movies).

use std::path::PathBuf;

use lazyqt_io::{redact_url, SourceOptions};

use crate::error::ArchiveError;
use crate::listing::{self, Entry};

/// Largest listing page accepted (a day of CamHD is ~3 KB; a year of days ~40 KB).
pub const MAX_LISTING_BYTES: u64 = 16 * 1024 * 1024;

/// A directory of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local directory.
    Local(PathBuf),
    /// A directory URL (its path ends with `/`).
    Http(url::Url),
}

/// A directory's entries, and where it was found (after redirects).
#[derive(Debug, Clone)]
pub struct Listing {
    /// The directory.
    pub at: Location,
    /// Its entries, in page (or name) order.
    pub entries: Vec<Entry>,
}

impl Location {
    /// The root as given: an `http(s)://` URL (a `/` is added to its path when missing),
    /// a `file://` URL or a local path.
    pub fn parse(root: &str) -> Result<Self, ArchiveError> {
        let invalid =
            |why: String| ArchiveError::Invalid(format!("archive root {}: {why}", redact_url(root)));
        if lazyqt_io::is_url(root) {
            let mut url = url::Url::parse(root).map_err(|e| invalid(e.to_string()))?;
            if !url.path().ends_with('/') {
                url.set_path(&format!("{}/", url.path()));
            }
            return Ok(Location::Http(url));
        }
        if root.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("file://")) {
            let url = url::Url::parse(root).map_err(|e| invalid(e.to_string()))?;
            return url
                .to_file_path()
                .map(Location::Local)
                .map_err(|()| invalid("not a local file URL".into()));
        }
        if root.trim().is_empty() {
            return Err(invalid("empty".into()));
        }
        Ok(Location::Local(PathBuf::from(root)))
    }

    /// The URL or path, as given to `Media::open` and shown in records.
    pub fn uri(&self) -> String {
        match self {
            Location::Local(p) => p.display().to_string(),
            Location::Http(u) => u.to_string(),
        }
    }

    /// The path whose last components may name a date (`…/2016/11/13/`).
    pub fn path_text(&self) -> String {
        match self {
            Location::Local(p) => p.to_string_lossy().into_owned(),
            Location::Http(u) => {
                percent_encoding::percent_decode_str(u.path()).decode_utf8_lossy().into_owned()
            }
        }
    }

    /// The entry `e` of this directory. Over HTTP the href is always resolved as a path
    /// on the listing's origin: `file:x.mov` names `./file:x.mov`, never a local file.
    pub fn child(&self, e: &Entry) -> Option<Location> {
        match self {
            Location::Local(p) => Some(Location::Local(p.join(&e.name))),
            Location::Http(u) => {
                let rel = if e.href.starts_with('/') { e.href.clone() } else { format!("./{}", e.href) };
                let child = below(u, &rel)?;
                (child.origin() == u.origin()).then_some(Location::Http(child))
            }
        }
    }

    /// The directory at the relative path `rest` (`2016/11/13/`) below this one.
    pub fn descend(&self, rest: &str) -> Option<Location> {
        match self {
            Location::Local(p) => Some(Location::Local(p.join(rest))),
            Location::Http(u) => below(u, rest).map(Location::Http),
        }
    }

    /// List the directory.
    pub fn list(&self, opts: &SourceOptions) -> Result<Listing, ArchiveError> {
        match self {
            Location::Local(dir) => {
                let shown = dir.display().to_string();
                let err = |source| ArchiveError::LocalListing { dir: shown.clone(), source };
                let mut entries = Vec::new();
                for item in std::fs::read_dir(dir).map_err(err)? {
                    let item = item.map_err(err)?;
                    let Some(name) = item.file_name().to_str().map(str::to_string) else {
                        tracing::warn!(dir = %shown, name = ?item.file_name(), "skipped: the name is not UTF-8");
                        continue;
                    };
                    // Follows symbolic links, as a web server does.
                    let Ok(meta) = std::fs::metadata(item.path()) else { continue };
                    let size = meta.is_file().then_some(meta.len());
                    entries.push(Entry { href: name.clone(), name, is_dir: meta.is_dir(), size });
                }
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(Listing { at: self.clone(), entries })
            }
            Location::Http(url) => {
                let fetched = lazyqt_io::get_page(url.as_str(), &opts.http, MAX_LISTING_BYTES)
                    .map_err(|source| ArchiveError::Listing { dir: redact_url(url.as_str()), source })?;
                let mut at = url::Url::parse(&fetched.url).unwrap_or_else(|_| url.clone());
                if at.query().is_none() {
                    // A redirect dropped the root's query (an access token): keep it.
                    at.set_query(url.query());
                }
                let html = String::from_utf8_lossy(&fetched.body);
                let entries = listing::parse(&html, at.path());
                tracing::debug!(dir = %redact_url(at.as_str()), entries = entries.len(), "listed");
                Ok(Listing { at: Location::Http(at), entries })
            }
        }
    }
}

/// The URL `rel` names relative to the directory `base`, with `base`'s query: the query
/// of an archive root (`https://host/archive/?token=abc`) is how the server lets it in, so
/// every listing and movie below it is asked for with it (`Url::join` would drop it).
fn below(base: &url::Url, rel: &str) -> Option<url::Url> {
    let mut url = base.join(rel).ok()?;
    url.set_query(base.query());
    Some(url)
}

#[cfg(test)]
mod tests {
    use super::Location;
    use crate::listing::parse;

    #[test]
    fn the_roots_query_is_kept_below_it() {
        let root = Location::parse("http://h:8/archive?token=a%20b").unwrap();
        assert_eq!(root.uri(), "http://h:8/archive/?token=a%20b");
        let day = root.descend("2016/11/13/").unwrap();
        assert_eq!(day.uri(), "http://h:8/archive/2016/11/13/?token=a%20b");
        let page = r#"<a href="x.mov">x</a><a href="y.mov?other=1">y</a>"#;
        let urls: Vec<String> = parse(page, "/archive/2016/11/13/")
            .iter()
            .filter_map(|e| day.child(e))
            .map(|l| l.uri())
            .collect();
        assert_eq!(
            urls,
            [
                "http://h:8/archive/2016/11/13/x.mov?token=a%20b",
                "http://h:8/archive/2016/11/13/y.mov?token=a%20b"
            ]
        );
        let plain = Location::parse("http://h:8/archive/").unwrap().descend("2016/").unwrap();
        assert_eq!(plain.uri(), "http://h:8/archive/2016/", "no query, none added");
    }

    #[test]
    fn hrefs_stay_on_the_listing_origin() {
        let dir = Location::parse("http://h:8/files/2016/11/13").unwrap();
        assert_eq!(dir.uri(), "http://h:8/files/2016/11/13/");
        let page = r#"<a href="file:x.mov">x</a><a href="http:y.mov">y</a><a href="a%20b.mov">z</a>
<a href="/files/2016/11/13/c.mov">c</a><a href="./d.mov">d</a>"#;
        let urls: Vec<String> =
            parse(page, "/files/2016/11/13/").iter().filter_map(|e| dir.child(e)).map(|l| l.uri()).collect();
        assert_eq!(
            urls,
            [
                "http://h:8/files/2016/11/13/file:x.mov",
                "http://h:8/files/2016/11/13/http:y.mov",
                "http://h:8/files/2016/11/13/a%20b.mov",
                "http://h:8/files/2016/11/13/c.mov",
                "http://h:8/files/2016/11/13/d.mov",
            ]
        );
    }
}
