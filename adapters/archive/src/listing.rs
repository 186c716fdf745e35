//! Directory listings as HTML autoindex pages: nginx's `autoindex on;` (`<pre>` lines
//! `<a href="name">name</a>  date  size`), Apache's mod_autoindex in its three forms
//! (the "fancy" table, fancy `<pre>` lines, the plain `<ul>` list), and the OOI raw-data
//! server's pages (Apache-style). One pure function, [`parse`], reads them all: every
//! link whose `href` names a direct child of the listed directory is an entry; sort
//! links, the parent, absolute links elsewhere and fragments are not.
//!
//! The page is untrusted: the parser only walks `&str`s with `find`, never indexes
//! past what it found, and bounds the entries it returns.

/// Most entries one listing yields (a CamHD day holds 16; a year of days 366).
pub const MAX_ENTRIES: usize = 100_000;

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The child's name, decoded (no trailing slash).
    pub name: String,
    /// The `href` as written in the page, HTML entities decoded (relative links resolve
    /// against the listing's URL).
    pub href: String,
    /// A directory (its link ends with `/`).
    pub is_dir: bool,
    /// Size in bytes, when the page shows it exactly (nginx's default). Apache's rounded
    /// sizes ("13G") are not exact and give `None`.
    pub size: Option<u64>,
}

/// The entries of an HTML listing of the directory at `base_path` (the URL path of the
/// page, e.g. `/files/2016/11/13/`), in page order, without duplicates.
pub fn parse(html: &str, base_path: &str) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut rest = html;
    while let Some(at) = find_ascii_ci(rest, "<a ") {
        rest = &rest[at + 3..];
        let Some(tag_end) = rest.find('>') else { break };
        let attrs = &rest[..tag_end];
        rest = &rest[tag_end + 1..];
        let Some(href) = attr(attrs, "href") else { continue };
        let href = decode_entities(href);
        let Some((name, is_dir)) = child_name(&href, base_path) else { continue };
        // The text after the link up to the end of its line or table row holds the size.
        let after = rest.find("</a>").map_or(rest, |i| &rest[i + 4..]);
        let row_end = [after.find('\n'), find_ascii_ci(after, "</tr"), find_ascii_ci(after, "<a ")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(after.len());
        let size = if is_dir { None } else { size_in(&after[..row_end]) };
        if out.iter().any(|e| e.name == name) {
            continue;
        }
        out.push(Entry { name, href, is_dir, size });
        if out.len() >= MAX_ENTRIES {
            break;
        }
    }
    out
}

/// Byte offset of `needle` (ASCII) in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n))
}

/// The value of attribute `name` in a tag's attribute text (quoted or not).
fn attr<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(i) = find_ascii_ci(&attrs[from..], name) {
        let start = from + i;
        from = start + name.len();
        let before_ok = start == 0 || attrs.as_bytes()[start - 1].is_ascii_whitespace();
        let rest = attrs[from..].trim_start();
        let Some(value) = rest.strip_prefix('=').map(str::trim_start) else { continue };
        if !before_ok {
            continue;
        }
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let v = &value[1..];
                &v[..v.find(q).unwrap_or(v.len())]
            }
            _ => &value[..value.find(|c: char| c.is_ascii_whitespace()).unwrap_or(value.len())],
        });
    }
    None
}

/// `&amp;` `&lt;` `&gt;` `&quot;` `&#39;` `&#NN;` `&#xNN;` `&nbsp;` decoded; anything else kept.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let ch = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name.strip_prefix('#').and_then(|n| {
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => n.parse().ok(),
                };
                code.and_then(char::from_u32)
            }),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The child named by `href` in the directory at `base_path`: its decoded name and
/// whether it is a directory; `None` for anything else (the parent, sort links
/// `?C=N;O=D`, fragments, other hosts, grandchildren).
fn child_name(href: &str, base_path: &str) -> Option<(String, bool)> {
    if href.is_empty() || href.starts_with(['?', '#']) || href.contains("://") || href.starts_with("//") {
        return None;
    }
    let href = href.split(['?', '#']).next().unwrap_or("");
    let relative = match href.strip_prefix('/') {
        // An absolute path names a child only when it lies directly below the base.
        Some(_) => {
            let base = if base_path.ends_with('/') { base_path.to_string() } else { format!("{base_path}/") };
            href.strip_prefix(base.as_str())?
        }
        None => href.strip_prefix("./").unwrap_or(href),
    };
    let (segment, is_dir) = match relative.strip_suffix('/') {
        Some(dir) => (dir, true),
        None => (relative, false),
    };
    if segment.is_empty() || segment.contains('/') {
        return None;
    }
    let name = percent_encoding::percent_decode_str(segment).decode_utf8().ok()?.into_owned();
    if name == "." || name == ".." || name.contains(['/', '\0']) {
        return None;
    }
    Some((name, is_dir))
}

/// The exact size in the text after a link: the last whitespace-separated token that is
/// all digits (after tags are dropped), when no rounded size ("13G", "1.2K") follows it.
fn size_in(text: &str) -> Option<u64> {
    let mut plain = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => {
                in_tag = true;
                plain.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let plain = decode_entities(&plain);
    let token =
        plain.split_whitespace().rev().find(|t| t.chars().any(|c| c.is_ascii_digit()) || *t == "-")?;
    if token.bytes().all(|b| b.is_ascii_digit()) {
        token.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests;
