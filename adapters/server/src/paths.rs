//! Request paths below a mount: splitting, decoding, rejecting traversal, classifying the route,
//! and resolving to an upstream URL or a canonical local path that stays inside the mount.

use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;
use url::Url;

use crate::backend::Resolved;
use crate::config::{Mount, MountTarget};
use crate::errors::BackendError;

/// What a path below a mount asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum MountRoute {
    /// A directory listing (the path ends with `/`, or is the mount itself).
    Listing(Vec<String>),
    /// A movie's metadata, or a directory given without its trailing slash.
    Entry(Vec<String>),
    /// `<movie>/frame/<spec>`, spec = `N[.ext]`.
    Frame(Vec<String>, String),
    /// `<movie>/time/<spec>`, spec = `SECONDS[.ext]`.
    Time(Vec<String>, String),
    /// `<dir>/utc/<spec>`, spec = `INSTANT[.ext]` beginning with a digit (so a directory
    /// named `utc` still lists, and its files are still files).
    Utc(Vec<String>, String),
    /// `<dir>/catalog`: the catalog of an archive directory.
    Catalog(Vec<String>),
    /// `<dir>/sheet`: a contact sheet of an archive directory's time range.
    Sheet(Vec<String>),
}

/// Extensions (compared without case) of the files served as movies: metadata, frames and
/// times. Other files are redirected to the upstream or served as they are (go-lazycache
/// parsed `.mov` only and redirected everything else).
const MOVIE_EXTENSIONS: [&str; 4] = ["mov", "mp4", "m4v", "qt"];

/// True when `name` ends with a movie extension, e.g. `CAMHDA301-20160101T000000Z.mov`.
pub(crate) fn is_movie_name(name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && MOVIE_EXTENSIONS.iter().any(|m| ext.eq_ignore_ascii_case(m))
    })
}

/// `url` when it carries no user name or password, so that it may be shown to a client
/// (a `Location`, the metadata's `SourceURL`); `None` otherwise.
pub(crate) fn shareable(url: &Url) -> Option<&Url> {
    (url.username().is_empty() && url.password().is_none()).then_some(url)
}

/// Splits the raw (still percent-encoded) path after the mount prefix into decoded segments and
/// classifies it. Rejects empty segments (`//`, absolute paths), `.` and `..` (also encoded),
/// encoded slashes or backslashes, NUL and control characters, and invalid UTF-8.
pub(crate) fn parse_rest(raw: &str) -> Result<MountRoute, BackendError> {
    let bad = |m: &str| BackendError::BadRequest(m.to_string());
    if raw.is_empty() || raw == "/" {
        return Ok(MountRoute::Listing(Vec::new()));
    }
    let rest = raw.strip_prefix('/').ok_or_else(|| BackendError::NotFound(format!("no route for {raw}")))?;
    let (rest, trailing_slash) = match rest.strip_suffix('/') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let mut segs = Vec::new();
    for enc in rest.split('/') {
        if enc.is_empty() {
            return Err(bad("empty path segment"));
        }
        let seg = percent_decode_str(enc).decode_utf8().map_err(|_| bad("path is not UTF-8"))?;
        if seg == "." || seg == ".." {
            return Err(bad("`.` and `..` are not allowed in paths"));
        }
        if seg.chars().any(|c| c == '/' || c == '\\' || c.is_control()) {
            return Err(bad("encoded slashes and control characters are not allowed"));
        }
        segs.push(seg.into_owned());
    }
    if trailing_slash {
        return Ok(MountRoute::Listing(segs));
    }
    let n = segs.len();
    if n >= 2 && segs[n - 2] == "utc" && segs[n - 1].starts_with(|c: char| c.is_ascii_digit()) {
        let spec = segs.pop().unwrap_or_default();
        segs.pop();
        return Ok(MountRoute::Utc(segs, spec));
    }
    if segs.last().is_some_and(|s| s == "catalog") {
        segs.pop();
        return Ok(MountRoute::Catalog(segs));
    }
    if segs.last().is_some_and(|s| s == "sheet") {
        segs.pop();
        return Ok(MountRoute::Sheet(segs));
    }
    if n >= 3 {
        let (kind, spec) = (segs[n - 2].clone(), segs[n - 1].clone());
        if kind == "frame" || kind == "time" {
            segs.truncate(n - 2);
            return Ok(if kind == "frame" {
                MountRoute::Frame(segs, spec)
            } else {
                MountRoute::Time(segs, spec)
            });
        }
    }
    Ok(MountRoute::Entry(segs))
}

/// Resolves checked segments inside a mount. `dir` adds a trailing slash to upstream URLs.
/// Upstream URLs are built by appending encoded segments to the mount's base URL (so a segment
/// like `http:x` can never become a new origin) and are checked to stay under it. Local paths
/// are canonicalized (symlinks resolved) and must stay under the canonical mount root; missing
/// files and escapes are both 404.
pub(crate) fn resolve(mount: &Mount, segs: &[String], dir: bool) -> Result<Resolved, BackendError> {
    match &mount.target {
        MountTarget::Upstream(base) => resolve_url(base, segs, dir).map(Resolved::Url),
        MountTarget::Local(root) => resolve_local(root, segs).map(Resolved::File),
    }
}

fn resolve_url(base: &Url, segs: &[String], dir: bool) -> Result<Url, BackendError> {
    let mut url = base.clone();
    if segs.is_empty() {
        return Ok(url);
    }
    {
        let mut path = url
            .path_segments_mut()
            .map_err(|()| BackendError::Internal("upstream URL cannot have a path".into()))?;
        path.pop_if_empty();
        path.extend(segs);
        if dir {
            path.push("");
        }
    }
    // The base's query (an access token, say) is kept on every URL below it.
    let inside = url.path().starts_with(base.path())
        && url.origin() == base.origin()
        && url.query() == base.query()
        && url.username() == base.username()
        && url.password() == base.password();
    if inside {
        Ok(url)
    } else {
        Err(BackendError::BadRequest("path leaves the mount".into()))
    }
}

/// The segments below `mount` of a file a backend named (a movie an archive found), or
/// `None` when it lies outside the mount (then it is never shown nor served).
pub(crate) fn segments_below(mount: &Mount, file: &Resolved) -> Option<Vec<String>> {
    let segs: Vec<String> = match (&mount.target, file) {
        (MountTarget::Upstream(base), Resolved::Url(url)) => {
            let base_path = base.path().trim_end_matches('/');
            if url.origin() != base.origin() {
                return None;
            }
            let rest = url.path().strip_prefix(base_path)?.strip_prefix('/')?;
            rest.split('/')
                .map(|s| percent_decode_str(s).decode_utf8().ok().map(|s| s.into_owned()))
                .collect::<Option<_>>()?
        }
        (MountTarget::Local(root), Resolved::File(path)) => path
            .strip_prefix(root)
            .ok()?
            .components()
            .map(|c| match c {
                std::path::Component::Normal(s) => s.to_str().map(str::to_owned),
                _ => None,
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    let clean = |s: &String| !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\']);
    (!segs.is_empty() && segs.iter().all(clean)).then_some(segs)
}

/// The URL path on this server of the file at `segs` below the mount `prefix`, each
/// segment percent-encoded.
pub(crate) fn mount_path(prefix: &str, segs: &[String]) -> String {
    /// What a path segment must encode: controls, space, and the URL delimiters.
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'#')
        .add(b'%')
        .add(b'/')
        .add(b'?')
        .add(b'<')
        .add(b'>')
        .add(b'`')
        .add(b'{')
        .add(b'}');
    let mut out = prefix.to_owned();
    for s in segs {
        out.push('/');
        out.extend(percent_encoding::utf8_percent_encode(s, SEGMENT));
    }
    out
}

fn resolve_local(root: &Path, segs: &[String]) -> Result<PathBuf, BackendError> {
    let mut path = root.to_path_buf();
    for s in segs {
        path.push(s);
    }
    let not_found = || BackendError::NotFound(format!("/{}", segs.join("/")));
    let canon = std::fs::canonicalize(&path).map_err(|_| not_found())?;
    if canon.starts_with(root) {
        Ok(canon)
    } else {
        Err(not_found())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn classifies_routes() {
        assert_eq!(parse_rest(""), Ok(MountRoute::Listing(vec![])));
        assert_eq!(parse_rest("/a/b/"), Ok(MountRoute::Listing(segs(&["a", "b"]))));
        assert_eq!(parse_rest("/a/m.mov"), Ok(MountRoute::Entry(segs(&["a", "m.mov"]))));
        assert_eq!(
            parse_rest("/a/m.mov/frame/3.png"),
            Ok(MountRoute::Frame(segs(&["a", "m.mov"]), "3.png".into()))
        );
        assert_eq!(parse_rest("/m.mov/time/1.5"), Ok(MountRoute::Time(segs(&["m.mov"]), "1.5".into())));
        assert_eq!(parse_rest("/a%20b/"), Ok(MountRoute::Listing(segs(&["a b"]))));
        assert_eq!(
            parse_rest("/2016/utc/2016-11-13T01:02:03Z.jpg"),
            Ok(MountRoute::Utc(segs(&["2016"]), "2016-11-13T01:02:03Z.jpg".into()))
        );
        assert_eq!(parse_rest("/utc/2016-11-13"), Ok(MountRoute::Utc(vec![], "2016-11-13".into())));
        assert_eq!(parse_rest("/utc/m.mov"), Ok(MountRoute::Entry(segs(&["utc", "m.mov"]))));
        assert_eq!(parse_rest("/a/catalog"), Ok(MountRoute::Catalog(segs(&["a"]))));
        assert_eq!(parse_rest("/catalog"), Ok(MountRoute::Catalog(vec![])));
        assert_eq!(parse_rest("/a/sheet"), Ok(MountRoute::Sheet(segs(&["a"]))));
        assert_eq!(parse_rest("/catalog/"), Ok(MountRoute::Listing(segs(&["catalog"]))));
    }

    #[test]
    fn files_below_a_mount_and_their_paths() {
        let up = Mount::parse("/up=http://up.example/files/").expect("mount");
        let inside = Resolved::Url(Url::parse("http://up.example/files/2016/a%20b.mov").expect("url"));
        let segs_in = segments_below(&up, &inside).expect("inside");
        assert_eq!(segs_in, segs(&["2016", "a b.mov"]));
        assert_eq!(mount_path("/up", &segs_in), "/up/2016/a%20b.mov");
        for outside in
            ["http://other.example/files/a.mov", "http://up.example/filesx/a.mov", "http://up.example/a.mov"]
        {
            let r = Resolved::Url(Url::parse(outside).expect("url"));
            assert_eq!(segments_below(&up, &r), None, "{outside}");
        }
        let local = Mount { target: MountTarget::Local(PathBuf::from("/srv/a")), ..up.clone() };
        let file = Resolved::File(PathBuf::from("/srv/a/2016/m.mov"));
        assert_eq!(segments_below(&local, &file), Some(segs(&["2016", "m.mov"])));
        assert_eq!(segments_below(&local, &Resolved::File(PathBuf::from("/srv/b/m.mov"))), None);
        assert_eq!(segments_below(&local, &Resolved::File(PathBuf::from("/srv/a/../b/m.mov"))), None);
        assert_eq!(segments_below(&up, &file), None);
    }

    #[test]
    fn movie_names_and_shareable_urls() {
        for name in ["a.mov", "B.MOV", "x.y.mp4", "c.m4v", "d.qt"] {
            assert!(is_movie_name(name), "{name}");
        }
        for name in ["a.mov.md5", "mov", ".mov", "a.txt", "a.movie", "2016"] {
            assert!(!is_movie_name(name), "{name}");
        }
        let public = Url::parse("https://up.example/files/a.md5").expect("url");
        assert_eq!(shareable(&public), Some(&public));
        for secret in ["https://user:pw@up.example/files/", "https://token@up.example/files/"] {
            assert_eq!(shareable(&Url::parse(secret).expect("url")), None, "{secret}");
        }
    }

    #[test]
    fn rejects_traversal() {
        for raw in [
            "/../etc/passwd",
            "/a/%2e%2e/b",
            "/a/%2E%2E/",
            "/a%2fb",
            "/a%5cb",
            "//etc/passwd",
            "/a/./b",
            "/a%00b",
            "/%ff",
        ] {
            assert!(matches!(parse_rest(raw), Err(BackendError::BadRequest(_))), "{raw} accepted");
        }
    }

    #[test]
    fn upstream_urls_stay_under_base() {
        let base = Url::parse("http://up.example/files/").expect("url");
        let u = resolve_url(&base, &segs(&["a b", "m.mov"]), false).expect("ok");
        assert_eq!(u.as_str(), "http://up.example/files/a%20b/m.mov");
        assert_eq!(resolve_url(&base, &[], true).expect("ok"), base);
        let d = resolve_url(&base, &segs(&["2017"]), true).expect("ok");
        assert_eq!(d.as_str(), "http://up.example/files/2017/");
        let tricky = resolve_url(&base, &segs(&["http:evil.example", "x?y#z"]), false).expect("ok");
        assert!(tricky.as_str().starts_with("http://up.example/files/"));
        assert_eq!(tricky.query(), None);
        // Credentials and a token query of the mount stay on every URL below it.
        let secret = Url::parse("http://u:p@up.example/files/?token=t").expect("url");
        let u = resolve_url(&secret, &segs(&["a", "m.mov"]), false).expect("ok");
        assert_eq!(u.as_str(), "http://u:p@up.example/files/a/m.mov?token=t");
        let d = resolve_url(&secret, &segs(&["x?token=evil"]), true).expect("ok");
        assert_eq!(d.as_str(), "http://u:p@up.example/files/x%3Ftoken=evil/?token=t");
    }

    #[test]
    fn local_paths_stay_under_root() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canon");
        std::fs::write(root.join("m.mov"), b"x").expect("write");
        assert_eq!(resolve_local(&root, &segs(&["m.mov"])).expect("ok"), root.join("m.mov"));
        assert!(matches!(resolve_local(&root, &segs(&["missing.mov"])), Err(BackendError::NotFound(_))));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/", root.join("escape")).expect("symlink");
            assert!(matches!(resolve_local(&root, &segs(&["escape"])), Err(BackendError::NotFound(_))));
        }
    }
}
