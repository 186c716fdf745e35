//! Stamps in names, date directories and user instants.

use time::macros::datetime;

use super::{is_movie, parse_instant, parse_interval, start_from_name, DatePath};

#[test]
fn camhd_names_of_both_years() {
    assert_eq!(start_from_name("CAMHDA301-20161113T012345Z.mov"), Some(datetime!(2016-11-13 01:23:45 UTC)));
    assert_eq!(start_from_name("CAMHDA301-20170101T210000.mov"), Some(datetime!(2017-01-01 21:00:00 UTC)));
    assert_eq!(start_from_name("cam_20170101_210000.mp4"), Some(datetime!(2017-01-01 21:00:00 UTC)));
}

#[test]
fn iso_like_names() {
    assert_eq!(
        start_from_name("dive-2016-11-13T01:23:45.5Z.mov"),
        Some(datetime!(2016-11-13 01:23:45.5 UTC))
    );
    assert_eq!(start_from_name("2016-11-13_01-23-45.mov"), Some(datetime!(2016-11-13 01:23:45 UTC)));
    assert_eq!(start_from_name("x 2016-11-13 01.23.45.mov"), Some(datetime!(2016-11-13 01:23:45 UTC)));
}

#[test]
fn no_stamp_no_start() {
    for name in [
        "movie.mov",
        "CAMHDA301-20161313T000000Z.mov", // month 13
        "CAMHDA301-20161113T250000Z.mov", // hour 25
        "120161113T012345.mov",           // longer digit run
        "20161113T0123456.mov",
        "2016-11-13T01:23.mov",
        "2016-11-13T01:23-45.mov", // mixed separators
        "é2016",
        "",
    ] {
        assert_eq!(start_from_name(name), None, "{name}");
    }
}

#[test]
fn movies_by_extension() {
    assert!(is_movie("a.mov") && is_movie("A.MOV") && is_movie("b.mp4"));
    assert!(!is_movie("a.mov.md5") && !is_movie(".mov") && !is_movie("mov") && !is_movie("a.txt"));
}

#[test]
fn date_directories() {
    let day = DatePath::of_path("/files/RS03ASHS/PN03B/06-CAMHDA301/2016/11/13/");
    assert_eq!(day, DatePath { parts: [2016, 11, 13], depth: 3 });
    assert_eq!(day.span(), Some((datetime!(2016-11-13 0:00 UTC), datetime!(2016-11-14 0:00 UTC))));
    let root = DatePath::of_path("/files/06-CAMHDA301/");
    assert_eq!(root.depth, 0);
    assert_eq!(root.span(), None);
    let year = root.child("2016").unwrap();
    assert_eq!(year.span(), Some((datetime!(2016-01-01 0:00 UTC), datetime!(2017-01-01 0:00 UTC))));
    let december = year.child("12").unwrap();
    assert_eq!(december.span(), Some((datetime!(2016-12-01 0:00 UTC), datetime!(2017-01-01 0:00 UTC))));
    assert_eq!(year.child("13"), None);
    assert_eq!(year.child("1"), None);
    assert_eq!(december.child("32"), None);
    assert_eq!(year.child("02").unwrap().child("30"), None);
    assert_eq!(root.child("16"), None);
    assert_eq!(day.child("01"), None);
    // A path whose tail is not a whole date is no date.
    assert_eq!(DatePath::of_path("/x/2016/13").depth, 0);
    assert_eq!(DatePath::of_path("/x/11/13").depth, 0);
}

#[test]
fn instants_as_users_write_them() {
    let t = datetime!(2016-11-13 01:23:45 UTC);
    for s in ["2016-11-13T01:23:45Z", "2016-11-13T02:23:45+01:00", "2016-11-13T01:23:45", "20161113T012345Z"]
    {
        assert_eq!(parse_instant(s), Ok(t), "{s}");
    }
    assert_eq!(parse_instant("2016-11-13"), Ok(datetime!(2016-11-13 0:00 UTC)));
    assert_eq!(parse_instant("2016-11-13T01:23:45.25Z"), Ok(datetime!(2016-11-13 01:23:45.25 UTC)));
    for bad in ["", "yesterday", "2016-11-13T01:23:45Zjunk", "2016-13-01", "20161113"] {
        assert!(parse_instant(bad).is_err(), "{bad}");
    }
}

#[test]
fn intervals_as_users_write_them() {
    use time::Duration;
    for (s, d) in [
        ("90", Duration::seconds(90)),
        ("0.5", Duration::milliseconds(500)),
        ("500ms", Duration::milliseconds(500)),
        ("10min", Duration::minutes(10)),
        ("1h 30m", Duration::minutes(90)),
    ] {
        assert_eq!(parse_interval(s), Ok(d), "{s}");
    }
    for bad in ["", "0", "-3", "0s", "NaN", "soon", "1e300"] {
        assert!(parse_interval(bad).is_err(), "{bad}");
    }
}
