//! Hiding credentials in URLs before they are shown or logged.

use url::Url;

/// What replaces a hidden credential.
const HIDDEN: &str = "***";

/// `url` as it may be shown or logged: userinfo (`user:password@`) and every query
/// value (`?token=…`, signed-URL signatures) replaced by `***`, and a fragment hidden
/// likewise. Scheme, host, port, path and query parameter names stay, so the message
/// still says which file it is about. Works on the string as given (no normalization),
/// so a URL that does not parse is redacted too; a string without `://` (a local path)
/// is returned unchanged.
///
/// Every message and log line of lazyqt-io goes through it; the server and the CLI use
/// it for the URLs they show.
///
/// ```
/// assert_eq!(
///     lazyqt_io::redact_url("https://me:pw@host:8443/a/b.mov?X-Amz-Signature=abc&v#t"),
///     "https://***@host:8443/a/b.mov?X-Amz-Signature=***&***#***"
/// );
/// ```
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    let mut out = format!("{scheme}://");
    match authority.rfind('@') {
        Some(at) => {
            out.push_str(HIDDEN);
            out.push_str(&authority[at..]);
        }
        None => out.push_str(authority),
    }
    let (before_fragment, fragment) = match rest.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (rest, None),
    };
    let (path, query) = match before_fragment.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (before_fragment, None),
    };
    out.push_str(path);
    if let Some(query) = query {
        out.push('?');
        let items: Vec<String> = query
            .split('&')
            .map(|item| match item.split_once('=') {
                Some((name, _)) => format!("{name}={HIDDEN}"),
                None if item.is_empty() => String::new(),
                None => HIDDEN.to_string(),
            })
            .collect();
        out.push_str(&items.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        if !fragment.is_empty() {
            out.push_str(HIDDEN);
        }
    }
    out
}

/// `text` (an error message, say) with every secret of `url` in it replaced: the URL itself
/// by its [`redact_url`] form, then any user name, password or query value of it (of at least
/// three characters, raw or percent-decoded) found elsewhere, e.g. inside a library's error.
pub fn redact_secrets(text: &str, url: &str) -> String {
    let Ok(parsed) = Url::parse(url) else {
        return text.to_string();
    };
    let mut out = text.replace(url, &redact_url(url));
    let mut secrets: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        for s in [s.to_string(), percent_decode(s)] {
            if s.len() >= 3 && s != HIDDEN && !secrets.contains(&s) {
                secrets.push(s);
            }
        }
    };
    add(parsed.username());
    if let Some(p) = parsed.password() {
        add(p);
    }
    for pair in parsed.query().unwrap_or_default().split('&') {
        add(pair.split_once('=').map_or(pair, |(_, v)| v));
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in &secrets {
        out = out.replace(s.as_str(), HIDDEN);
    }
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::{redact_secrets, redact_url};

    #[test]
    fn credentials_are_hidden_and_the_rest_kept() {
        let cases = [
            ("http://h/a.mov", "http://h/a.mov"),
            ("http://user:secret@h:81/a.mov", "http://***@h:81/a.mov"),
            ("http://token@h", "http://***@h"),
            ("http://a@b@h/x", "http://***@h/x"),
            ("https://h/a?sig=s3cr3t&Expires=1", "https://h/a?sig=***&Expires=***"),
            ("https://h/a?s3cr3t", "https://h/a?***"),
            ("https://h/a?&k=", "https://h/a?&k=***"),
            ("https://h?k=v", "https://h?k=***"),
            ("https://u:p@h#frag", "https://***@h#***"),
            ("http://u:p@[::1]:8/p@q", "http://***@[::1]:8/p@q"),
            ("/local/path?x=1", "/local/path?x=1"),
            ("ftp://u:p@not a url", "ftp://***@not a url"),
            ("", ""),
        ];
        for (url, shown) in cases {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn secrets_are_masked_inside_messages() {
        let u = "http://user:s%40cret@127.0.0.1:8/f/?token=xyz";
        let msg = format!(
            "GET {u}a.mov failed; reqwest: error for url (http://127.0.0.1:8/f/a.mov?token=xyz), auth s@cret"
        );
        let r = redact_secrets(&msg, u);
        for leak in ["s%40cret", "s@cret", "xyz"] {
            assert!(!r.contains(leak), "{leak} in {r}");
        }
        assert!(r.contains("127.0.0.1:8/f/a.mov"), "{r}");
        assert_eq!(redact_secrets("plain", "http://h/"), "plain");
    }
}
