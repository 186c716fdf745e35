//! The archive's parsers of untrusted text: an HTML directory listing (nginx, Apache, any
//! page a server sends), the time stamps in the names it lists, date directories and
//! instants and intervals as users write them. The input is the page; its first line is
//! also tried as an instant, an interval and a path.
#![no_main]

use lazyqt_archive::{listing, names};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for e in listing::parse(&text, "/files/2016/11/13/") {
        assert!(!e.name.is_empty() && !e.name.contains('/'));
        let _ = names::start_from_name(&e.name);
        let _ = names::is_movie(&e.name);
    }
    let first = text.lines().next().unwrap_or("");
    let _ = names::parse_instant(first);
    let _ = names::parse_interval(first);
    let _ = names::start_from_name(first);
    let date = names::DatePath::of_path(first);
    let _ = date.span();
    let _ = date.child(first);
});
