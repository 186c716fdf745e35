//! What the server serves: a directory on disk or files held in memory, plus the
//! HTML autoindex of directories (or a directory's own `index.html`).

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::payload::Payload;

/// Where the served files come from.
#[derive(Debug, Clone)]
pub enum Content {
    /// A directory tree on disk, read at each request (so tests may change files).
    Dir(PathBuf),
    /// Files in memory, keyed by path without the leading slash (`"a/b.mov"`).
    Memory(BTreeMap<String, MemFile>),
}

/// A file held in memory, with the time its validators derive from.
#[derive(Debug, Clone)]
pub struct MemFile {
    /// The bytes.
    pub data: Arc<Vec<u8>>,
    /// Modification time (drives `Last-Modified` and the ETag).
    pub modified: SystemTime,
}

impl MemFile {
    /// A file modified at a fixed time (2020-01-01), so validators are reproducible.
    pub fn new(data: Vec<u8>) -> Self {
        Self { data: Arc::new(data), modified: UNIX_EPOCH + Duration::from_secs(1_577_836_800) }
    }
}

/// One file resolved for an answer.
pub(crate) struct Resolved {
    pub data: Body,
    pub modified: SystemTime,
}

/// A file's bytes: in memory, or on disk and read range by range (a 13 GB movie is
/// never read whole to answer a 16-byte range).
pub(crate) enum Body {
    /// In-memory content.
    Memory(Arc<Vec<u8>>),
    /// An open file of this length.
    Disk(std::fs::File, u64),
}

impl Body {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Memory(d) => d.len() as u64,
            Body::Disk(_, len) => *len,
        }
    }

    /// Bytes `start..end` (the caller keeps `start <= end <= len`).
    pub fn range(&self, start: u64, end: u64) -> std::io::Result<Vec<u8>> {
        match self {
            Body::Memory(d) => Ok(d.get(start as usize..end as usize).unwrap_or_default().to_vec()),
            Body::Disk(f, _) => {
                use std::os::unix::fs::FileExt;
                let mut buf = vec![0u8; (end - start) as usize];
                f.read_exact_at(&mut buf, start)?;
                Ok(buf)
            }
        }
    }

    /// Bytes `start..end` as an answer's body, inverted when `invert`: a disk file is read
    /// as the body is sent (the caller keeps `start <= end <= len`).
    pub fn payload(self, start: u64, end: u64, invert: bool) -> std::io::Result<Payload> {
        match self {
            Body::Memory(_) => {
                let mut b = self.range(start, end)?;
                if invert {
                    b.iter_mut().for_each(|x| *x = !*x);
                }
                Ok(Payload::Bytes(b))
            }
            Body::Disk(file, _) => Ok(Payload::File { file, start, len: (end - start) as usize, invert }),
        }
    }
}

/// What a request path names.
pub(crate) enum Lookup {
    File(Resolved),
    /// A directory: its listing `(name, is_dir)`.
    Dir(Vec<(String, bool)>),
    NotFound,
}

/// Decode `%XX` escapes; `None` for malformed escapes or non-UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The decoded relative path of a request target (query dropped), refusing `..`.
fn relative(target: &str) -> Option<String> {
    let path = target.split('?').next().unwrap_or("");
    let decoded = percent_decode(path)?;
    let rel = decoded.trim_start_matches('/').to_string();
    if Path::new(&rel).components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    Some(rel)
}

impl Content {
    pub(crate) fn lookup(&self, target: &str) -> Lookup {
        let Some(rel) = relative(target) else { return Lookup::NotFound };
        match self {
            Content::Dir(root) => {
                let mut p = root.join(&rel);
                let Ok(mut meta) = std::fs::metadata(&p) else { return Lookup::NotFound };
                // A directory's own index.html stands for it, as Apache's DirectoryIndex.
                if let Some(index) = meta.is_dir().then(|| p.join("index.html")) {
                    if let Some(m) = std::fs::metadata(&index).ok().filter(|m| m.is_file()) {
                        (p, meta) = (index, m);
                    }
                }
                if meta.is_dir() {
                    let Ok(rd) = std::fs::read_dir(&p) else { return Lookup::NotFound };
                    let mut items: Vec<(String, bool)> = rd
                        .filter_map(|e| e.ok())
                        .filter_map(|e| {
                            let is_dir = e.file_type().ok()?.is_dir();
                            Some((e.file_name().into_string().ok()?, is_dir))
                        })
                        .collect();
                    items.sort();
                    Lookup::Dir(items)
                } else {
                    match std::fs::File::open(&p) {
                        Ok(f) => Lookup::File(Resolved {
                            data: Body::Disk(f, meta.len()),
                            modified: meta.modified().unwrap_or(UNIX_EPOCH),
                        }),
                        Err(_) => Lookup::NotFound,
                    }
                }
            }
            Content::Memory(files) => {
                let key = rel.trim_end_matches('/');
                if let Some(f) = files.get(key) {
                    return Lookup::File(Resolved {
                        data: Body::Memory(f.data.clone()),
                        modified: f.modified,
                    });
                }
                let prefix = if key.is_empty() { String::new() } else { format!("{key}/") };
                let mut items: Vec<(String, bool)> = Vec::new();
                for name in files.keys() {
                    if let Some(rest) = name.strip_prefix(&prefix) {
                        let item = match rest.split_once('/') {
                            Some((dir, _)) => (dir.to_string(), true),
                            None => (rest.to_string(), false),
                        };
                        if !items.contains(&item) {
                            items.push(item);
                        }
                    }
                }
                if items.is_empty() && !key.is_empty() {
                    Lookup::NotFound
                } else {
                    items.sort();
                    Lookup::Dir(items)
                }
            }
        }
    }
}

/// Escape a name for an `href`: everything but unreserved characters becomes `%XX`.
fn href_escape(name: &str) -> String {
    let mut s = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// Escape text for HTML.
fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An Apache/nginx-style listing: one `<a href="name">name</a>` per entry,
/// directories with a trailing slash.
pub(crate) fn autoindex(path: &str, items: &[(String, bool)]) -> String {
    let title = html_escape(path);
    let mut s = format!(
        "<html>\r\n<head><title>Index of {title}</title></head>\r\n<body>\r\n<h1>Index of {title}</h1><hr><pre><a href=\"../\">../</a>\r\n"
    );
    for (name, is_dir) in items {
        let slash = if *is_dir { "/" } else { "" };
        s.push_str(&format!("<a href=\"{}{slash}\">{}{slash}</a>\r\n", href_escape(name), html_escape(name)));
    }
    s.push_str("</pre><hr></body>\r\n</html>\r\n");
    s
}
