//! Directory listings `{"Path","Files","Directories"}`: local directories read with `std::fs`,
//! upstream directories fetched as an HTML autoindex, parsed by the archive's parser
//! ([`lazyqt_archive::listing::parse`]: nginx, Apache, the OOI server), cached with a TTL.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use url::Url;

use lazyqt_io::{HttpOptions, SourceError};

use crate::budget::Pool;
use crate::config::ServerConfig;
use crate::errors::BackendError;
use crate::routes::blocking;

/// Largest autoindex page the server will read.
const MAX_INDEX_BYTES: u64 = 16 << 20;

/// A directory listing, serialized with the predecessor's keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listing {
    /// The directory below the mount, with leading and trailing `/`.
    pub path: String,
    /// File names, sorted.
    pub files: Vec<String>,
    /// Directory names without trailing `/`, sorted.
    pub directories: Vec<String>,
}

/// `"/a/b/"` for segments `["a", "b"]`, `"/"` for none.
pub(crate) fn display_path(segs: &[String]) -> String {
    if segs.is_empty() {
        "/".into()
    } else {
        format!("/{}/", segs.join("/"))
    }
}

/// Lists a local directory (blocking). Hidden entries and entries whose target lies outside
/// `root` (symlinks out of the mount) are left out.
pub(crate) fn list_local(dir: &Path, root: &Path, path: String) -> Result<Listing, BackendError> {
    let rd = std::fs::read_dir(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => BackendError::NotFound(path.clone()),
        std::io::ErrorKind::NotADirectory => BackendError::NotFound(path.clone()),
        _ => BackendError::Internal(format!("cannot read {path}: {e}")),
    })?;
    let mut files = Vec::new();
    let mut directories = Vec::new();
    for entry in rd.flatten() {
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let Ok(canon) = std::fs::canonicalize(entry.path()) else {
            continue;
        };
        if !canon.starts_with(root) {
            continue;
        }
        match std::fs::metadata(&canon) {
            Ok(m) if m.is_dir() => directories.push(name),
            Ok(m) if m.is_file() => files.push(name),
            _ => {}
        }
    }
    files.sort();
    directories.sort();
    Ok(Listing { path, files, directories })
}

/// The files and directories (sorted names, directories without their `/`) of the HTML
/// autoindex page of the directory at the URL path `base_path`, read by
/// [`lazyqt_archive::listing::parse`]: every link naming a direct child of the directory
/// (whatever its text: nginx shortens long names in the text, never in the link); sort
/// links, the parent and links elsewhere are not entries. Names a client could not ask
/// for in a path (with `/ ? # \` or control characters) are left out.
pub fn parse_autoindex(html: &str, base_path: &str) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for e in lazyqt_archive::listing::parse(html, base_path) {
        if e.name.contains(['/', '?', '#', '\\']) || e.name.chars().any(char::is_control) {
            continue;
        }
        if e.is_dir {
            dirs.push(e.name);
        } else {
            files.push(e.name);
        }
    }
    for v in [&mut files, &mut dirs] {
        v.sort();
        v.dedup();
    }
    (files, dirs)
}

/// Fetches upstream autoindex pages through lazyqt-io ([`lazyqt_io::get_page`]) with the
/// same HTTP options as the movie reads of the mounts (timeouts, deadline, retries,
/// redirect policy, identity encoding), with a TTL cache and one fetch per directory at a
/// time, bounded by the I/O pool of the mount asking.
#[derive(Clone)]
pub(crate) struct UpstreamLister {
    /// Redirects followed only within the origin of the first request.
    same_origin: HttpOptions,
    /// Redirects followed to any origin (mounts with `allow_cross_origin_redirects`).
    any_origin: HttpOptions,
    cache: moka::future::Cache<Url, Arc<Listing>>,
}

impl UpstreamLister {
    /// A lister with the server's upstream options ([`ServerConfig::http_options`]) and
    /// listing cache.
    pub(crate) fn new(cfg: &ServerConfig) -> Self {
        let same_origin = cfg.http_options(&HttpOptions::default());
        let any_origin = HttpOptions { allow_cross_origin_redirects: true, ..same_origin.clone() };
        let cache = moka::future::Cache::builder()
            .max_capacity(cfg.cache.listing_cache_entries)
            .time_to_live(Duration::from_secs(cfg.cache.listing_ttl_secs.max(1)))
            .build();
        Self { same_origin, any_origin, cache }
    }

    /// The listing of the upstream directory `url` (ending with `/`), fetched with a permit of
    /// the mount's I/O pool `io`; `cross_origin` is the mount's redirect allowance.
    pub(crate) async fn list(
        &self,
        url: Url,
        path: String,
        io: &Pool,
        cross_origin: bool,
    ) -> Result<Arc<Listing>, BackendError> {
        let opts = if cross_origin { self.any_origin.clone() } else { self.same_origin.clone() };
        let fetch_url = url.clone();
        self.cache
            .try_get_with(url, async move {
                let (html, at) = blocking(io, move || fetch(&fetch_url, &opts)).await?;
                let (files, directories) = parse_autoindex(&html, &at);
                Ok(Arc::new(Listing { path, files, directories }))
            })
            .await
            .map_err(|e: Arc<BackendError>| (*e).clone())
    }
}

/// The autoindex page at `url` (blocking), as text, and the URL path it was found at
/// (after redirects), which its relative links are relative to.
fn fetch(url: &Url, opts: &HttpOptions) -> Result<(String, String), BackendError> {
    match lazyqt_io::get_page(url.as_str(), opts, MAX_INDEX_BYTES) {
        Ok(page) => {
            let at = Url::parse(&page.url).map_or_else(|_| url.path().to_owned(), |u| u.path().to_owned());
            Ok((String::from_utf8_lossy(&page.body).into_owned(), at))
        }
        Err(SourceError::HttpStatus { status: 404 | 410, .. }) => {
            Err(BackendError::NotFound(url.path().into()))
        }
        Err(e @ SourceError::Redirect { .. }) => Err(BackendError::Upstream(format!(
            "upstream listing: {e} (a mount follows redirects to other origins only with \
             allow_cross_origin_redirects)"
        ))),
        Err(e) => Err(BackendError::of_kind(e.kind(), format!("upstream listing: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Listings and movie reads share one HTTP configuration: the server's upstream deadline
    /// bounds both, and only a mount's consent lets a listing follow a cross-origin redirect.
    #[test]
    fn listings_use_the_options_of_movie_reads() {
        let mut cfg = ServerConfig::default();
        cfg.timeouts.upstream_secs = 2;
        let lister = UpstreamLister::new(&cfg);
        let movies = cfg.source_options(&lazyqt_io::SourceOptions::default()).http;
        assert_eq!(lister.same_origin, movies);
        assert_eq!(lister.same_origin.timeouts.deadline, Duration::from_secs(2));
        assert!(!lister.same_origin.allow_cross_origin_redirects);
        assert_eq!(lister.any_origin, HttpOptions { allow_cross_origin_redirects: true, ..movies });
    }

    #[test]
    fn parses_nginx_and_apache_indexes() {
        let nginx = r#"<html><head><title>Index of /files/</title></head><body>
<h1>Index of /files/</h1><hr><pre><a href="../">../</a>
<a href="2016/">2016/</a>                                              01-Jan-2017 00:00       -
<a href="CAMHDA301-20160101T000000Z.mov">CAMHDA301-20160101T000000Z.mov</a> 01-Jan-2016 03:00 13G
<a href="a%20b.mov">a b.mov</a> 01-Jan-2016 03:00 13G
<a href="?C=N;O=D">Name</a>
<a href="/elsewhere/">elsewhere</a>
</pre><hr></body></html>"#;
        let (files, dirs) = parse_autoindex(nginx, "/files/");
        assert_eq!(files, vec!["CAMHDA301-20160101T000000Z.mov", "a b.mov"]);
        assert_eq!(dirs, vec!["2016"]);

        let apache = r#"<table><tr><td><a href="/files/">Parent Directory</a></td></tr>
<tr><td><a href="RS03ASHS/">RS03ASHS/</a></td></tr>
<tr><td><a href="x.mov.md5">x.mov.md5</a></td></tr></table>"#;
        let (files, dirs) = parse_autoindex(apache, "/files/");
        assert_eq!(files, vec!["x.mov.md5"]);
        assert_eq!(dirs, vec!["RS03ASHS"]);

        // nginx shortens long names in the link text, never in the href: still listed.
        let long = "CAMHDA301-20161113T030000Z-with-a-long-suffix.mov";
        let shortened = format!(
            r#"<pre><a href="{long}">CAMHDA301-20161113T030000Z-with-..&gt;</a> 13-Nov-2016 03:00 12</pre>"#
        );
        assert_eq!(parse_autoindex(&shortened, "/files/").0, vec![long]);
        // Names a client cannot put in a path are left out.
        let odd = r#"<a href="a%5Cb.mov">a\b.mov</a><a href="c%0Ad.mov">c</a><a href="ok.mov">ok.mov</a>"#;
        assert_eq!(parse_autoindex(odd, "/files/").0, vec!["ok.mov"]);
    }

    #[test]
    fn local_listing_skips_hidden_and_escaping_entries() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canon");
        std::fs::create_dir(root.join("sub")).expect("mkdir");
        std::fs::write(root.join("m.mov"), b"x").expect("write");
        std::fs::write(root.join(".hidden"), b"x").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/", root.join("out")).expect("symlink");
        let l = list_local(&root, &root, "/".into()).expect("list");
        assert_eq!(l.files, vec!["m.mov"]);
        assert_eq!(l.directories, vec!["sub"]);
        assert!(matches!(
            list_local(&root.join("nope"), &root, "/nope/".into()),
            Err(BackendError::NotFound(_))
        ));
    }
}
