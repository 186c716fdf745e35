//! Hiding credentials in URLs before they are shown or logged.

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

#[cfg(test)]
mod tests {
    use super::redact_url;

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
}
