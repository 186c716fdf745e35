//! Credentials out of URLs before they are shown or logged: a URL may carry a user and
//! password (`http://user:secret@host/`) or an access token in its query (`?token=…`).

use url::Url;

/// What replaces a secret.
const MASK: &str = "***";

/// `url` with its user, password and query values replaced by `***`, for messages, logs and
/// answers. Scheme, host, port, path and query keys stay, so the URL remains recognizable.
/// A string that does not parse as a URL loses everything between `://` and `@` and after `?`.
pub fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = Url::parse(url) else {
        return redact_unparsed(url);
    };
    if !parsed.username().is_empty() {
        let _ = parsed.set_username(MASK);
    }
    if parsed.password().is_some() {
        let _ = parsed.set_password(Some(MASK));
    }
    if let Some(query) = parsed.query() {
        let masked: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) => format!("{key}={MASK}"),
                None if pair.is_empty() => String::new(),
                None => MASK.to_string(),
            })
            .collect();
        parsed.set_query(Some(&masked.join("&")));
    }
    parsed.into()
}

fn redact_unparsed(text: &str) -> String {
    let mut out = text.split('?').next().unwrap_or_default().to_string();
    if let Some(start) = out.find("://").map(|i| i + 3) {
        let authority_end = out[start..].find('/').map_or(out.len(), |i| start + i);
        if let Some(at) = out[start..authority_end].rfind('@') {
            out.replace_range(start..start + at, MASK);
        }
    }
    if text.contains('?') {
        out.push('?');
        out.push_str(MASK);
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
            if s.len() >= 3 && s != MASK && !secrets.contains(&s) {
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
        out = out.replace(s.as_str(), MASK);
    }
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_and_query_values_are_masked() {
        let u = "http://user:secret@127.0.0.1:8080/files/a.mov?token=xyz1&sig=abc";
        let r = redact_url(u);
        assert_eq!(r, "http://***:***@127.0.0.1:8080/files/a.mov?token=***&sig=***");
        assert_eq!(redact_url("https://example.org/a/"), "https://example.org/a/");
        assert_eq!(redact_url("https://tok3n@example.org/?bare"), "https://***@example.org/?***");
        let odd = redact_url("ht tp://user:pw@host/x?token=1");
        assert!(!odd.contains("pw") && !odd.contains("token=1"), "{odd}");
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
