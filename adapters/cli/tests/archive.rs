//! `lazyqt ls` and `lazyqt frame --utc` over the generated CamHD-layout archive
//! (testdata/generate_archive.sh), locally and over HTTP: rows, pictures equal to the
//! ffmpeg CLI's decode of the frame the instant falls on, and the exit statuses.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

use lazyqt_testkit::archive_dir as archive;

fn lazyqt(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("lazyqt").unwrap().args(args).arg("--no-cache").output().unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Frame `n` of `path` as the ffmpeg CLI decodes it, RGB24.
fn ffmpeg_rgb(path: &Path, n: u64) -> Vec<u8> {
    lazyqt_testkit::ffmpeg_frame(path, u32::try_from(n).expect("a frame number"), "rgb24", "")
}

/// The raw RGB picture `lazyqt frame ROOT --utc T` writes (extra arguments after).
fn frame_at(root: &str, utc: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["frame", root, "--utc", utc, "-o", "-", "--format", "raw"];
    args.extend_from_slice(extra);
    lazyqt(&args)
}

#[test]
fn ls_lists_the_range_as_json_lines_and_text() {
    let dir = archive();
    let root = dir.to_str().unwrap();
    let out = lazyqt(&["ls", root, "--from", "2016-11-13", "--to", "2016-11-13T23:59:59Z", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let names: Vec<&str> =
        rows.iter().map(|r| r["url"].as_str().unwrap().rsplit('/').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "CAMHDA301-20161112T235959Z.mov",
            "CAMHDA301-20161113T030000Z.mov",
            "CAMHDA301-20161113T060000Z.mov",
            "CAMHDA301-20161113T090000Z.mov"
        ]
    );
    let statuses: Vec<&str> = rows.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["ok", "ok", "malformed", "ok"]);
    assert_eq!(rows[1]["frames"], 60);
    assert_eq!(rows[1]["codec"], "apcn");
    assert_eq!(rows[1]["start"], "2016-11-13T03:00:00Z");
    assert_eq!(rows[1]["end"], "2016-11-13T03:00:02.002Z");

    let out = lazyqt(&["ls", root]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 8, "{text}");
    assert!(text.lines().any(|l| l.contains("malformed") && l.contains("T060000Z.mov")), "{text}");

    let bad = lazyqt(&["ls", root, "--from", "someday"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

/// Pictures at instants equal ffmpeg's decode of the frame shown then, locally and over HTTP.
#[test]
fn frame_at_a_utc_time_is_ffmpegs_frame() {
    let dir = archive();
    let server = lazyqt_testserver::TestServer::serve_dir(&dir).unwrap();
    let http_root = server.url("/");
    let day13 = dir.join("2016/11/13");
    let cases: [(&str, PathBuf, u64); 5] = [
        ("2016-11-13T03:00:00Z", day13.join("CAMHDA301-20161113T030000Z.mov"), 0),
        ("2016-11-13T03:00:01Z", day13.join("CAMHDA301-20161113T030000Z.mov"), 29),
        ("2016-11-13T03:00:01.985Z", day13.join("CAMHDA301-20161113T030000Z.mov"), 59),
        ("2016-11-13T00:00:00.5Z", dir.join("2016/11/12/CAMHDA301-20161112T235959Z.mov"), 44),
        ("2017-01-01T03:00:00.5Z", dir.join("2017/01/01/untimed.mov"), 14),
    ];
    for root in [dir.to_str().unwrap(), http_root.as_str()] {
        for (utc, file, n) in &cases {
            let out = frame_at(root, utc, &[]);
            assert!(out.status.success(), "{utc}: {}", stderr(&out));
            assert!(out.stdout == ffmpeg_rgb(file, *n), "{root} {utc}: not frame {n} of {}", file.display());
        }
    }
}

#[test]
fn outside_recordings_exit_5_or_take_the_nearest_frame() {
    let dir = archive();
    let root = dir.to_str().unwrap();
    let gap = frame_at(root, "2016-11-14T12:00:00Z", &[]);
    assert_eq!(gap.status.code(), Some(5), "{}", stderr(&gap));
    let e = stderr(&gap);
    assert!(e.contains("no recording at 2016-11-14T12:00:00Z"), "{e}");
    assert!(
        e.contains("CAMHDA301-20161113T090000Z.mov") && e.contains("CAMHDA301-20161115T000000Z.mov"),
        "{e}"
    );
    // Just after a file's end: --nearest takes its last frame.
    let near = frame_at(root, "2016-11-13T03:00:03Z", &["--nearest"]);
    assert!(near.status.success(), "{}", stderr(&near));
    assert!(near.stdout == ffmpeg_rgb(&dir.join("2016/11/13/CAMHDA301-20161113T030000Z.mov"), 59));
    // Before the first file: its first frame.
    let first = frame_at(root, "2016-11-12T20:00:00Z", &["--nearest"]);
    assert!(first.stdout == ffmpeg_rgb(&dir.join("2016/11/12/CAMHDA301-20161112T210000Z.mov"), 0));
    // In the malformed movie's time: 3, naming it.
    let bad = frame_at(root, "2016-11-13T06:00:01Z", &[]);
    assert_eq!(bad.status.code(), Some(3), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("T060000Z.mov"), "{}", stderr(&bad));
    // An archive that cannot be listed: 4.
    let gone = frame_at("http://127.0.0.1:9/archive/", "2016-11-13T03:00:00Z", &["--timeout", "3s"]);
    assert_eq!(gone.status.code(), Some(4), "{}", stderr(&gone));
    // Usage: --nearest without --utc, a frame number with --utc, a bad time.
    for args in [
        &["frame", root, "3", "--nearest", "-o", "-"][..],
        &["frame", root, "3", "--utc", "2016-11-13T03:00:00Z", "-o", "-"][..],
        &["frame", root, "--utc", "13 Nov 2016", "-o", "-"][..],
    ] {
        assert_eq!(lazyqt(args).status.code(), Some(2), "{args:?}");
    }
}

/// An empty scratch directory for the test `name`.
fn scratch(name: &str) -> PathBuf {
    let out = std::env::temp_dir().join(format!("lazyqt-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    out
}

/// The text of `DIR/manifest.jsonl` and its lines.
fn manifest(dir: &Path) -> (String, Vec<Value>) {
    let text = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let lines = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (text, lines)
}

/// Every frame line of a manifest names a file in `written` whose raw pixels are the
/// ffmpeg CLI's decode of its movie's frame.
fn assert_manifest_pixels(root: &Path, written: &Path, lines: &[Value]) {
    for l in lines.iter().filter(|l| l["frame"].is_u64()) {
        let bytes = std::fs::read(written.join(l["path"].as_str().unwrap())).unwrap();
        assert_eq!(l["size"].as_u64(), Some(bytes.len() as u64));
        let rel = l["url"].as_str().unwrap().strip_prefix(root.to_str().unwrap()).unwrap();
        assert!(
            bytes == ffmpeg_rgb(&root.join(rel.trim_start_matches('/')), l["frame"].as_u64().unwrap()),
            "{l}"
        );
    }
}

/// `frames ROOT --from --to --every`: UTC-named files whose pixels are ffmpeg's decode of
/// the frame the manifest names, a manifest usable without the tool, and a resumable run.
#[test]
fn frames_across_an_archive_write_a_manifest_that_matches_the_pixels() {
    let dir = archive();
    let root = dir.to_str().unwrap();
    let out = std::env::temp_dir().join(format!("lazyqt-cli-archive-frames-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = || {
        lazyqt(&[
            "frames",
            root,
            "--from",
            "2016-11-12T23:59:58Z",
            "--to",
            "2016-11-13T03:00:01Z",
            "--every",
            "500ms",
            "--format",
            "raw",
            "-o",
            out.to_str().unwrap(),
        ])
    };
    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    let (text, lines) = manifest(&out);
    // 23:59:59.0 to 00:00:01.0 in the movie recording across midnight, then 03:00:00.0,
    // 00.5 and 01.0 in the next one; the instants between are in no recording.
    let got: Vec<(String, u64)> = lines
        .iter()
        .map(|l| (l["utc"].as_str().unwrap().to_string(), l["frame"].as_u64().unwrap()))
        .collect();
    let want = [
        ("2016-11-12T23:59:59Z", 0),
        ("2016-11-12T23:59:59.5Z", 14),
        ("2016-11-13T00:00:00Z", 29),
        ("2016-11-13T00:00:00.5Z", 44),
        ("2016-11-13T00:00:01Z", 59),
        ("2016-11-13T03:00:00Z", 0),
        ("2016-11-13T03:00:00.5Z", 14),
        ("2016-11-13T03:00:01Z", 29),
    ];
    assert_eq!(got, want.map(|(u, f)| (u.to_string(), f)));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "manifest.jsonl")
        .collect();
    names.sort();
    let listed: Vec<&str> = lines.iter().map(|l| l["path"].as_str().unwrap()).collect();
    assert_eq!(names, listed, "file names sort by UTC, as the manifest does");
    assert_manifest_pixels(&dir, &out, &lines);
    // A second run finds every file written: nothing changes.
    let before: Vec<_> =
        names.iter().map(|n| std::fs::metadata(out.join(n)).unwrap().modified().unwrap()).collect();
    let second = run();
    assert!(second.status.success(), "{}", stderr(&second));
    let after: Vec<_> =
        names.iter().map(|n| std::fs::metadata(out.join(n)).unwrap().modified().unwrap()).collect();
    assert_eq!(before, after);
    assert_eq!(manifest(&out).0, text);
    // --every DURATION needs --to; frame-number selections do not mix with --from.
    for args in [
        &["frames", root, "--from", "2016-11-13", "--every", "1min", "-o", "-"][..],
        &["frames", root, "--from", "2016-11-13", "--to", "2016-11-14", "--every", "30", "-o", "-"][..],
    ] {
        assert_eq!(lazyqt(args).status.code(), Some(2), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// The RGB24 pixels of a PNG file, as the ffmpeg CLI reads them.
fn png_rgb(path: &Path) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-i"])
        .arg(path)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Every tile `--json` places on a PNG sheet (`w`x`h` pixels each) equals the ffmpeg
/// CLI's decode of its frame scaled to that size, byte for byte.
fn assert_tiles_are_ffmpegs(sheet: &Path, report: &Value, root: &Path, (w, h): (usize, usize)) {
    let pixels = png_rgb(sheet);
    let stride = report["width"].as_u64().unwrap() as usize * 3;
    assert_eq!(pixels.len(), stride * report["height"].as_u64().unwrap() as usize);
    for t in report["tiles"].as_array().unwrap() {
        let (x, y) = (t["x"].as_u64().unwrap() as usize, t["y"].as_u64().unwrap() as usize);
        let tile: Vec<u8> =
            (0..h).flat_map(|r| pixels[(y + r) * stride + x * 3..][..w * 3].iter().copied()).collect();
        let url = t["url"].as_str().unwrap();
        let movie = match url.strip_prefix(root.to_str().unwrap()) {
            Some(rest) => root.join(rest.trim_start_matches('/')),
            None => PathBuf::from(url),
        };
        let frame = u32::try_from(t["frame"].as_u64().unwrap()).unwrap();
        let want = lazyqt_testkit::ffmpeg_frame(&movie, frame, "rgb24", &format!(",scale={w}:{h}"));
        assert!(tile == want, "tile {t}");
    }
}

/// `lazyqt sheet ARGS --json -o OUTPUT`, which must succeed: its report and stderr.
fn sheet(args: &[&str], output: &Path) -> (Value, String) {
    let run = lazyqt(&[&["sheet"][..], args, &["--json", "-o", output.to_str().unwrap()]].concat());
    assert!(run.status.success(), "{}", stderr(&run));
    (serde_json::from_slice(&run.stdout).unwrap(), stderr(&run))
}

/// `lazyqt sheet`: over an archive range (a gap skipped and listed) and over one movie
/// (with and without a known start), tiles equal to ffmpeg's scaled decode of their frames,
/// labels as documented; limits and bad usage exit 2.
#[test]
fn sheets_of_a_range_and_of_a_movie_hold_ffmpegs_scaled_frames() {
    let (dir, out) = (archive(), scratch("sheet"));
    let root = dir.to_str().unwrap();
    let png = out.join("range.png");
    let range = ["--from", "2016-11-12T23:59:59Z", "--to", "2016-11-13T03:00:01Z", "--count", "3"];
    let (report, err) = sheet(&[&[root][..], &range, &["--width", "80"]].concat(), &png);
    let got: Vec<(&str, u64, &str)> = report["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["utc"].as_str().unwrap(), t["frame"].as_u64().unwrap(), t["label"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("2016-11-12T23:59:59Z", 0, "2016-11-12 23:59:59Z"),
            ("2016-11-13T03:00:01Z", 29, "2016-11-13 03:00:01Z")
        ]
    );
    assert_eq!(report["gaps"], serde_json::json!(["2016-11-13T01:30:00Z"]));
    assert!(err.contains("skipped 1 instants no recording covers: 2016-11-13T01:30:00Z"));
    assert_tiles_are_ffmpegs(&png, &report, &dir, (80, 45));

    // One movie whose start is unknown to its name (mvhd creation time) ...
    let untimed = dir.join("2017/01/01/untimed.mov");
    let png = out.join("movie.png");
    let (report, _) = sheet(&[untimed.to_str().unwrap(), "--every", "500ms", "--columns", "2"], &png);
    let tiles = report["tiles"].as_array().unwrap();
    let frames: Vec<u64> = tiles.iter().map(|t| t["frame"].as_u64().unwrap()).collect();
    assert_eq!(
        frames,
        [0, 14, 29, 44, 59],
        "2.002 s every 0.5 s: 0, 0.5, 1, 1.5 and 2 s (1001/30000 s a frame)"
    );
    assert_eq!(tiles[1]["label"], "2017-01-01 03:00:00.500Z");
    assert_eq!((tiles[1]["x"].as_u64(), tiles[2]["y"].as_u64()), (Some(4 + 320 + 4), Some(4 + 180 + 12 + 4)));
    assert_tiles_are_ffmpegs(&png, &report, &dir, (320, 180));

    // ... and a movie with no start at all: its time and frame number.
    let bare = out.join("bare.mov");
    std::fs::copy(dir.join("2016/11/13/CAMHDA301-20161113T030000Z.mov"), &bare).unwrap();
    let (report, _) = sheet(&[bare.to_str().unwrap(), "--count", "2"], &out.join("b.jpg"));
    let labels: Vec<&str> =
        report["tiles"].as_array().unwrap().iter().map(|t| t["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["0:00:00.000 #0", "0:00:01.001 #30"]);
    assert!(std::fs::read(out.join("b.jpg")).unwrap().starts_with(&[0xFF, 0xD8]), "a JPEG");

    let o = out.join("x.png");
    let o = o.to_str().unwrap();
    let m = bare.to_str().unwrap();
    for (args, why) in [
        (&["sheet", m, "--count", "2", "-o", "x.gif"][..], "not .jpg/.png"),
        (&["sheet", m, "-o", o][..], "no --every/--count"),
        (&["sheet", m, "--every", "1ms", "-o", o][..], "over the tile limit"),
        (&["sheet", m, "--count", "2", "--width", "5000", "-o", o][..], "too wide"),
        (
            &["sheet", root, "--from", "2016-11-14", "--to", "2016-11-14T12:00:00Z", "--count", "3", "-o", o]
                [..],
            "nothing recorded",
        ),
    ] {
        assert_eq!(lazyqt(args).status.code(), Some(2), "{why}");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// `frames ROOT --utc-list FILE`: instants at a file's start, just before its end, at its
/// end (a gap), in a gap and before the first file; frames written and their pixels
/// ffmpeg's decode of the frame the manifest names, gaps as manifest error lines (exit 0),
/// a resumed run unchanged, `--nearest` (list on stdin) filling the gaps, a bad line exit 2.
#[test]
fn frames_at_listed_instants_write_frames_and_error_lines() {
    let dir = archive();
    let root = dir.to_str().unwrap();
    let out = scratch("utc-list");
    let list = out.join("instants.txt");
    std::fs::write(
        &list,
        "# start, inside, end of 03:00; a gap; before the first file\n2016-11-13T03:00:00Z\n\
         2016-11-13T03:00:01.9Z\n\n2016-11-13T03:00:02.002Z\n2016-11-13T01:00:00Z\n2016-11-12T20:00:00Z\n",
    )
    .unwrap();
    let frames = out.join("frames");
    let (l, f) = (list.to_str().unwrap(), frames.to_str().unwrap());
    let run = || lazyqt(&["frames", root, "--utc-list", l, "--format", "raw", "-o", f]);
    let first = run();
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(!stderr(&first).contains(" eta "), "no progress bar when stderr is not a terminal");
    let (text, lines) = manifest(&frames);
    let got: Vec<(&str, Option<u64>, bool)> = lines
        .iter()
        .map(|l| (l["utc"].as_str().unwrap(), l["frame"].as_u64(), l["error"].is_string()))
        .collect();
    assert_eq!(
        got,
        [
            ("2016-11-12T20:00:00Z", None, true),
            ("2016-11-13T01:00:00Z", None, true),
            ("2016-11-13T03:00:00Z", Some(0), false),
            ("2016-11-13T03:00:01.9Z", Some(56), false),
            ("2016-11-13T03:00:02.002Z", None, true),
        ]
    );
    assert!(
        lines[1]["error"].as_str().unwrap().contains("CAMHDA301-20161113T030000Z.mov (starts"),
        "{}",
        lines[1]
    );
    assert_manifest_pixels(&dir, &frames, &lines);
    let second = run();
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(manifest(&frames).0, text, "resumed: the same");

    // --nearest, the list on stdin: every instant gives a frame.
    let nearest = out.join("nearest");
    let mut child = Command::cargo_bin("lazyqt")
        .unwrap()
        .args(["frames", root, "--utc-list", "-", "--nearest", "--format", "raw", "--no-cache", "-q", "-o"])
        .arg(&nearest)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &std::fs::read(&list).unwrap()).unwrap();
    assert!(child.wait().unwrap().success());
    let (_, lines) = manifest(&nearest);
    let got: Vec<(&str, u64)> = lines
        .iter()
        .map(|l| (l["url"].as_str().unwrap().rsplit('/').next().unwrap(), l["frame"].as_u64().unwrap()))
        .collect();
    assert_manifest_pixels(&dir, &nearest, &lines);
    assert_eq!(
        got,
        [
            ("CAMHDA301-20161112T210000Z.mov", 0),
            ("CAMHDA301-20161112T235959Z.mov", 59),
            ("CAMHDA301-20161113T030000Z.mov", 0),
            ("CAMHDA301-20161113T030000Z.mov", 56),
            ("CAMHDA301-20161113T030000Z.mov", 59),
        ]
    );
    std::fs::write(&list, "2016-11-13T03:00:00Z\nsoon\n").unwrap();
    let bad = run();
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("line 2"), "{}", stderr(&bad));
    let _ = std::fs::remove_dir_all(&out);
}
