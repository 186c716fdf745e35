//! The archive over the generated CamHD-layout tree, read locally and through nginx's
//! autoindex: catalogs equal to ffprobe's view of every file, walks that stay in the
//! range, and instants at file starts and ends, in gaps, before the first file, in a
//! malformed file and in a movie that started the day before.

mod common;

use common::{archive_dir, ffprobe, opts, Nginx};
use lazyqt_archive::{Archive, ArchiveError, Record, StartSource, Status};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

/// One frame of the generated movies, in seconds.
const FRAME: f64 = 1001.0 / 30000.0;

fn name(r: &Record) -> &str {
    r.url.rsplit('/').next().unwrap()
}

fn names(rs: &[Record]) -> Vec<&str> {
    rs.iter().map(name).collect()
}

/// The relative path of a record's movie (below the root `root`).
fn rel<'a>(r: &'a Record, root: &str) -> &'a str {
    r.url.strip_prefix(root).unwrap().trim_start_matches('/')
}

/// Every catalog row of the whole archive equals what ffprobe and the file system say.
fn full_catalog_agrees_with_ffprobe(root: &str) {
    let dir = archive_dir();
    let archive = Archive::new(root, &opts(None)).unwrap();
    let all = archive.catalog(None, None).unwrap();
    assert_eq!(
        names(&all),
        [
            "CAMHDA301-20161112T210000Z.mov",
            "CAMHDA301-20161112T235959Z.mov",
            "CAMHDA301-20161113T030000Z.mov",
            "CAMHDA301-20161113T060000Z.mov",
            "CAMHDA301-20161113T090000Z.mov",
            "CAMHDA301-20161115T000000Z.mov",
            "CAMHDA301-20170101T000000.mov",
            "untimed.mov",
        ],
        "movies of the date directories only, in start order, no .md5 or README"
    );
    for r in &all {
        let path = dir.join(rel(r, root));
        let size = std::fs::metadata(&path).unwrap().len();
        if name(r) == "CAMHDA301-20161113T060000Z.mov" {
            assert_eq!(r.status, Status::Malformed, "{r:?}");
            assert!(r.error.as_deref().is_some_and(|e| !e.is_empty()));
            assert_eq!(r.start, Some(datetime!(2016-11-13 06:00 UTC)));
            assert_eq!((r.end, r.duration, r.frames, r.codec.as_deref()), (None, None, None, None));
            continue;
        }
        let (duration, frames, codec) = ffprobe(&path);
        assert_eq!(r.status, Status::Ok, "{r:?}");
        assert_eq!(format!("{:.6}", r.duration.unwrap()), duration, "{r:?}");
        assert_eq!(r.frames, Some(frames), "{r:?}");
        assert_eq!(r.codec.as_deref(), Some(codec.as_str()));
        assert_eq!(r.size, Some(size));
        let start = r.start.unwrap();
        assert_eq!(r.end, Some(start + Duration::seconds_f64(r.duration.unwrap())));
        let expected_from = if name(r) == "untimed.mov" { StartSource::Mvhd } else { StartSource::Name };
        assert_eq!(r.start_from, Some(expected_from));
    }
    let untimed = all.iter().find(|r| name(r) == "untimed.mov").unwrap();
    assert_eq!(untimed.start, Some(datetime!(2017-01-01 03:00 UTC)), "the mvhd creation time");
    // JSON rows: RFC 3339 times, lower-case statuses.
    let row = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(row["start"], "2016-11-12T21:00:00Z");
    assert_eq!(row["end"], "2016-11-12T21:00:02.002Z");
    assert_eq!(row["status"], "ok");
}

/// A day's catalog holds the movie still recording at its midnight, the malformed one,
/// and nothing of the days around it.
fn a_day_catalog(root: &str) {
    let archive = Archive::new(root, &opts(None)).unwrap();
    let day = archive
        .catalog(Some(datetime!(2016-11-13 0:00 UTC)), Some(datetime!(2016-11-13 23:59:59 UTC)))
        .unwrap();
    assert_eq!(
        names(&day),
        [
            "CAMHDA301-20161112T235959Z.mov",
            "CAMHDA301-20161113T030000Z.mov",
            "CAMHDA301-20161113T060000Z.mov",
            "CAMHDA301-20161113T090000Z.mov",
        ]
    );
    // From just after that movie ends, it is out.
    let later = archive
        .catalog(Some(datetime!(2016-11-13 00:00:01.1 UTC)), Some(datetime!(2016-11-13 04:00 UTC)))
        .unwrap();
    assert_eq!(names(&later), ["CAMHDA301-20161113T030000Z.mov"]);
    let err = archive
        .catalog(Some(datetime!(2016-11-14 0:00 UTC)), Some(datetime!(2016-11-13 0:00 UTC)))
        .unwrap_err();
    assert!(matches!(err, ArchiveError::Invalid(_)), "{err}");
}

/// The instant `k + 0.5` frames after `t`.
fn mid_frame(t: OffsetDateTime, k: u32) -> OffsetDateTime {
    t + Duration::seconds_f64((f64::from(k) + 0.5) * FRAME)
}

fn instants(root: &str) {
    let archive = Archive::new(root, &opts(None)).unwrap();
    let at = |t, nearest| archive.locate(t, nearest);
    let hit = |t, nearest| {
        let l = at(t, nearest).unwrap_or_else(|e| panic!("{t}: {e}"));
        (name(&l.record).to_string(), l.frame)
    };
    let s03 = datetime!(2016-11-13 03:00 UTC);
    // A file's first instant, its first and last frames.
    assert_eq!(hit(s03, false), ("CAMHDA301-20161113T030000Z.mov".into(), 0));
    assert_eq!(hit(mid_frame(s03, 0), false).1, 0);
    assert_eq!(hit(mid_frame(s03, 37), false).1, 37);
    assert_eq!(hit(mid_frame(s03, 59), false).1, 59);
    // Its end (2.002 s) is outside it: a gap up to the next usable recording.
    let end = s03 + Duration::seconds_f64(2.002);
    match at(end, false).unwrap_err() {
        ArchiveError::NotRecording { before: Some(b), after: Some(a), .. } => {
            assert!(b.url.ends_with("CAMHDA301-20161113T030000Z.mov") && b.at == end, "{b:?}");
            assert!(a.url.ends_with("CAMHDA301-20161113T090000Z.mov"), "{a:?}");
            assert_eq!(a.at, datetime!(2016-11-13 09:00 UTC));
        }
        e => panic!("{e}"),
    }
    // --nearest: the closer of the last frame before and the first after.
    assert_eq!(hit(end + Duration::seconds(1), true), ("CAMHDA301-20161113T030000Z.mov".into(), 59));
    assert_eq!(hit(datetime!(2016-11-14 23:59 UTC), true), ("CAMHDA301-20161115T000000Z.mov".into(), 0));
    // After a malformed movie, the time it may cover is not a gap: the error names it.
    assert!(matches!(at(datetime!(2016-11-13 08:59 UTC), true), Err(ArchiveError::Unusable { .. })));
    // A movie started the day before, still recording at midnight: 1.5 s in.
    let l = at(datetime!(2016-11-13 00:00:00.5 UTC), false).unwrap();
    assert_eq!((name(&l.record), l.frame), ("CAMHDA301-20161112T235959Z.mov", (1.5 / FRAME) as u64));
    // Inside the malformed movie's time: it is named, with its status.
    let err = at(datetime!(2016-11-13 06:00:01 UTC), false).unwrap_err();
    assert!(
        matches!(&err, ArchiveError::Unusable { status: Status::Malformed, url, .. } if url.ends_with("T060000Z.mov")),
        "{err}"
    );
    assert_eq!(err.kind(), lazyqt_media::ErrorKind::Malformed);
    // A day with no directory: the gap spans it.
    match at(datetime!(2016-11-14 12:00 UTC), false).unwrap_err() {
        e @ ArchiveError::NotRecording { .. } => {
            let text = e.to_string();
            assert!(
                text.contains("CAMHDA301-20161113T090000Z.mov") && text.contains("2016-11-13T09:00:02.002Z"),
                "{text}"
            );
            assert!(
                text.contains("CAMHDA301-20161115T000000Z.mov") && text.contains("2016-11-15T00:00:00Z"),
                "{text}"
            );
            assert_eq!(e.kind(), lazyqt_media::ErrorKind::OutOfRange);
        }
        e => panic!("{e}"),
    }
    // Before the first file: nothing before, the first file after; --nearest takes its frame 0.
    match at(datetime!(2016-11-12 20:00 UTC), false).unwrap_err() {
        ArchiveError::NotRecording { before: None, after: Some(a), .. } => {
            assert!(a.url.ends_with("CAMHDA301-20161112T210000Z.mov"))
        }
        e => panic!("{e}"),
    }
    assert_eq!(hit(datetime!(2016-11-12 20:00 UTC), true), ("CAMHDA301-20161112T210000Z.mov".into(), 0));
    // Long before anything: no neighbours at all, even with --nearest.
    for nearest in [false, true] {
        assert!(matches!(
            at(datetime!(2016-01-01 0:00 UTC), nearest).unwrap_err(),
            ArchiveError::NotRecording { before: None, after: None, .. }
        ));
    }
    // 2017 names (no Z) and a start from mvhd.
    assert_eq!(
        hit(mid_frame(datetime!(2017-01-01 0:00 UTC), 12), false),
        ("CAMHDA301-20170101T000000.mov".into(), 12)
    );
    assert_eq!(hit(mid_frame(datetime!(2017-01-01 03:00 UTC), 29), false), ("untimed.mov".into(), 29));
}

#[test]
fn local_catalog_agrees_with_ffprobe() {
    full_catalog_agrees_with_ffprobe(archive_dir().to_str().unwrap());
}

#[test]
fn local_day_catalog() {
    a_day_catalog(archive_dir().to_str().unwrap());
}

#[test]
fn local_instants() {
    instants(archive_dir().to_str().unwrap());
}

#[test]
fn nginx_autoindex_archive() {
    let nginx = Nginx::serve(&archive_dir());
    let root = nginx.url.trim_end_matches('/');
    full_catalog_agrees_with_ffprobe(root);
    a_day_catalog(root);
    instants(root);
    // The same rows as read locally, URL aside.
    let local = archive_dir();
    let strip = |rs: Vec<Record>, root: &str| -> Vec<Record> {
        rs.into_iter()
            .map(|mut r| {
                r.url = rel(&r, root).to_string();
                r.error = r.error.map(|_| String::new());
                r
            })
            .collect()
    };
    let over_http = Archive::new(root, &opts(None)).unwrap().catalog(None, None).unwrap();
    let on_disk = Archive::new(local.to_str().unwrap(), &opts(None)).unwrap().catalog(None, None).unwrap();
    assert_eq!(strip(over_http, root), strip(on_disk, local.to_str().unwrap()));
}

/// Plans equal what `locate` says of each instant, and leave gaps out.
fn plans(root: &str) {
    let archive = Archive::new(root, &opts(None)).unwrap();
    let (from, to) = (datetime!(2016-11-12 23:59:58 UTC), datetime!(2016-11-13 00:00:02 UTC));
    let plan = archive.plan_every(from, to, Duration::milliseconds(500)).unwrap();
    let got: Vec<(OffsetDateTime, u64)> = plan.iter().map(|p| (p.utc, p.frame)).collect();
    let s = datetime!(2016-11-12 23:59:59 UTC);
    let ms = |n| s + Duration::milliseconds(n);
    assert_eq!(got, [(ms(0), 0), (ms(500), 14), (ms(1000), 29), (ms(1500), 44), (ms(2000), 59)]);
    for p in &plan {
        let l = archive.locate(p.utc, false).unwrap();
        assert_eq!((l.record.url.as_str(), l.frame), (p.url.as_str(), p.frame));
    }
    let day = archive
        .plan_offset(Some(datetime!(2016-11-13 0:00 UTC)), Some(datetime!(2016-11-13 23:59:59 UTC)), 1.0)
        .unwrap();
    let got: Vec<(&str, u64)> = day.iter().map(|p| (p.url.rsplit('/').next().unwrap(), p.frame)).collect();
    assert_eq!(got, [("CAMHDA301-20161113T030000Z.mov", 29), ("CAMHDA301-20161113T090000Z.mov", 29)]);
    assert_eq!(day[0].utc, datetime!(2016-11-13 03:00:01 UTC));
    assert!(archive.plan_offset(None, None, 2.5).unwrap().is_empty(), "every movie is shorter");
    assert!(matches!(archive.plan_every(from, to, Duration::ZERO), Err(ArchiveError::Invalid(_))));
}

#[test]
fn local_plans() {
    plans(archive_dir().to_str().unwrap());
}
