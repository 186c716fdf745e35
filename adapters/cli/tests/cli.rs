//! The `lazyqt` binary end to end: info and samples on generated movies, checked
//! against ffprobe, and its errors and exit codes.
//!
//! One test binary for the CLI's single-movie commands (one build, one generated media set);
//! its helpers live in the testkit, the archive commands in `archive.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use lazyqt_testkit::generated as media;
use serde_json::Value;

fn lazyqt(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("lazyqt").unwrap().args(args).arg("--no-cache").output().unwrap()
}

fn ffprobe_packets(path: &str) -> Vec<Value> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json", "-select_streams", "v:0", "-show_packets", path])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["packets"].as_array().unwrap().clone()
}

#[test]
fn samples_json_agrees_with_ffprobe() {
    for name in ["prores3.mov", "h264_bframes.mp4", "prores_faststart.mov"] {
        let path = media(name);
        let path = path.to_str().unwrap();
        let out = lazyqt(&["samples", path, "--json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let packets = ffprobe_packets(path);
        assert_eq!(lines.len(), packets.len(), "{name}");
        let shift = lines[0]["dts"].as_i64().unwrap() - packets[0]["dts"].as_i64().unwrap();
        for (ours, p) in lines.iter().zip(&packets) {
            assert_eq!(ours["offset"].as_u64().unwrap().to_string(), p["pos"].as_str().unwrap(), "{name}");
            assert_eq!(ours["size"].as_u64().unwrap().to_string(), p["size"].as_str().unwrap(), "{name}");
            assert_eq!(ours["pts"].as_i64().unwrap() - shift, p["pts"].as_i64().unwrap(), "{name}");
            assert_eq!(ours["keyframe"].as_bool().unwrap(), p["flags"].as_str().unwrap().starts_with('K'));
        }
    }
}

#[test]
fn info_json_describes_every_track() {
    let path = media("prores_audio_tc.mov");
    let out = lazyqt(&["info", path.to_str().unwrap(), "--json", "--stats"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["size"].as_u64().unwrap(), std::fs::metadata(&path).unwrap().len());
    let tracks = v["tracks"].as_array().unwrap();
    let kinds: Vec<&str> = tracks.iter().map(|t| t["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["video", "audio", "timecode"]);
    assert_eq!(tracks[0]["codec"], "apcn");
    assert_eq!((tracks[0]["width"].as_u64(), tracks[0]["height"].as_u64()), (Some(320), Some(180)));
    assert_eq!(tracks[0]["frames"], 30);
    assert!((tracks[0]["fps"].as_f64().unwrap() - 30000.0 / 1001.0).abs() < 1e-9);
    assert_eq!(tracks[1]["codec"], "in24");
    assert_eq!(tracks[1]["samples"], 48000);
    assert_eq!(tracks[2]["timecode"], "01:00:00;00");
    assert_eq!(v["stats"]["requests"], 0);
}

/// A copy of generated movie `name` in `dir`, changed by `edit`.
fn edited_copy(name: &str, dir: &Path, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(media(name)).unwrap();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Set the sample count of the `nth` (0-based) `stsz` atom to 2^31.
fn break_stsz(bytes: &mut [u8], nth: usize) {
    lazyqt_testkit::atoms::set_stsz_count(bytes, nth, 1 << 31);
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// One real case for every exit status of the table in --help.
#[test]
fn every_exit_status_of_the_table_has_a_real_case() {
    let help = String::from_utf8(lazyqt(&["--help"]).stdout).unwrap();
    for line in
        ["EXIT STATUS:", "  0  success", "  2  bad usage", "  3  malformed", "  4  the file", "  5  frame"]
    {
        assert!(help.contains(line), "--help lacks {line:?}:\n{help}");
    }
    let dir = tempdir("exit");
    let path = media("prores0.mov");
    let path = path.to_str().unwrap();
    // A table entry pointing past the end of the file is a malformed movie, wherever it is read.
    let truncated = edited_copy("prores_faststart.mov", &dir, |b| b.truncate(b.len() * 6 / 10));
    let truncated = truncated.to_str().unwrap();
    let out_dir = dir.join("out");
    let out_dir = out_dir.to_str().unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (&["info", path], 0, ""),
        (&["frame", path, "3", "-o", "/nonexistent/lazyqt/f.png"], 1, "nonexistent/lazyqt"),
        (&["info"], 2, "SRC"),
        (&["samples", path, "--track", "99"], 2, "no track with id 99"),
        (&["frames", path, "--range", "5..5", "-o", out_dir], 2, "is empty"),
        (&["frames", path, "--every", "0", "-o", out_dir], 2, "at least 1"),
        (&["frame", path, "3", "-o", "f.xyz"], 2, "use --format"),
        (&["info", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")], 3, "not a movie file"),
        (&["frame", truncated, "29", "-o", "-"], 3, "past the end"),
        (&["frames", truncated, "--range", "25..", "-o", out_dir], 3, "frames failed"),
        (&["info", "/definitely/not/here.mov"], 4, "not/here.mov"),
        (&["frame", path, "30", "-o", "-"], 5, "frame 30 is out of range: there are 30"),
        (&["frames", path, "--list", "1,99", "-o", out_dir], 5, "frame 99 is out of range"),
        (
            &["frames", path, "--range", "0..=18446744073709551615", "-o", out_dir],
            5,
            "18446744073709551615 is out of range",
        ),
        (&["frames", path, "--range", "0..200000000", "-o", out_dir], 5, "199999999 is out of range"),
    ];
    for (args, code, says) in cases {
        let out = lazyqt(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(*code), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        if *code > 2 {
            let last = err.trim_end().lines().last().unwrap();
            assert!(last.starts_with("lazyqt: error: "), "{args:?}: {err}");
        }
    }
    // Nothing was built for the huge ranges, nor written for the failed frames.
    assert!(std::fs::read_dir(out_dir).unwrap().all(|e| {
        let name = e.unwrap().file_name().into_string().unwrap();
        name.starts_with("frame_0000") && !name.starts_with("frame_00002")
    }));
}

#[test]
fn a_broken_video_track_is_reported_and_never_replaced() {
    let dir = tempdir("broken-track");
    let two = edited_copy("two_video.mov", &dir, |b| break_stsz(b, 0));
    let two = two.to_str().unwrap();
    let out = lazyqt(&["info", two]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(text.contains("skipped   video track 1 is malformed: atom 'stsz'"), "{text}");
    assert!(stderr(&out).contains("video track 1 is malformed"), "a warning on stderr too");
    let v: Value = serde_json::from_slice(&lazyqt(&["info", two, "--json"]).stdout).unwrap();
    assert_eq!(
        v["tracks"].as_array().unwrap().iter().map(|t| t["id"].as_u64().unwrap()).collect::<Vec<_>>(),
        [2]
    );
    assert_eq!(
        (v["skipped_tracks"][0]["id"].as_u64(), v["skipped_tracks"][0]["kind"].as_str()),
        (Some(1), Some("video"))
    );
    assert_eq!(v["skipped_tracks"][0]["atom"], "stsz");
    let png = dir.join("f.png");
    for args in [
        vec!["frame", two, "5", "-o", png.to_str().unwrap()],
        vec!["frames", two, "--every", "10", "-o", dir.join("out").to_str().unwrap()],
        vec!["samples", two],
    ] {
        let out = lazyqt(&args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(
            stderr(&out).contains("lazyqt: error: video track 1 is malformed"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(!png.exists(), "no picture of track 2 in its place");
    // Track 2 is still there for whoever asks for it.
    assert!(lazyqt(&["samples", two, "--track", "2"]).status.success());

    let single = edited_copy("prores0.mov", &dir, |b| break_stsz(b, 0));
    let single = single.to_str().unwrap();
    let v: Value = serde_json::from_slice(&lazyqt(&["info", single, "--json"]).stdout).unwrap();
    assert_eq!(
        (v["tracks"].as_array().unwrap().len(), v["skipped_tracks"].as_array().unwrap().len()),
        (0, 1)
    );
    assert_eq!(lazyqt(&["frame", single, "0", "-o", "-"]).status.code(), Some(3));
}

/// Frame `n` of `path` as the ffmpeg CLI decodes it, RGB24.
fn ffmpeg_rgb(path: &str, n: u32) -> Vec<u8> {
    lazyqt_testkit::ffmpeg_frame(std::path::Path::new(path), n, "rgb24", "")
}

#[test]
fn frame_writes_the_requested_frame() {
    let path = media("h264_bframes.mov");
    let path = path.to_str().unwrap();
    let out = lazyqt(&["frame", path, "37", "-o", "-", "--format", "raw"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout == ffmpeg_rgb(path, 37), "frame 37 differs from ffmpeg's");
    // --time picks the frame shown then: 37.5 frame durations in.
    let t = format!("{}", 37.5 * 1001.0 / 30000.0);
    let out = lazyqt(&["frame", path, "--time", &t, "-o", "-", "--format", "raw"]);
    assert!(out.stdout == ffmpeg_rgb(path, 37));
    let dir = tempdir("frame");
    let png = dir.join("f.png");
    let out = lazyqt(&["frame", path, "3", "-o", png.to_str().unwrap(), "--scale", "160x0"]);
    assert!(out.status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 160, "PNG width");
    assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), 90, "PNG height");
}

#[test]
fn frames_writes_deterministic_names_and_resumes() {
    let path = media("prores1.mov");
    let dir = tempdir("frames");
    let out_dir = dir.join("out");
    let args =
        ["frames", path.to_str().unwrap(), "--every", "10", "-o", out_dir.to_str().unwrap(), "-j", "2"];
    let out = lazyqt(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<String> =
        std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["frame_000000.png", "frame_000010.png", "frame_000020.png"]);
    std::fs::remove_file(out_dir.join("frame_000010.png")).unwrap();
    let out = lazyqt(&args);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("wrote 1 frames") && err.contains("2 already there"), "{err}");
    let out = lazyqt(&["frames", path.to_str().unwrap(), "--list", "1,99", "-o", out_dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(5));
}

/// Over HTTP, fetchers read frames ahead of the decoders: every image is the one the local
/// file gives, and each frame's bytes are read once.
#[test]
fn frames_over_http_equal_the_local_ones_with_one_read_per_frame() {
    for (name, every) in [("h264_bframes.mov", "4"), ("prores3.mov", "2")] {
        let path = media(name);
        let server = lazyqt_testkit::serve_generated(&[name]);
        let dir = tempdir(&format!("frames-http-{name}"));
        let (local, remote) = (dir.join("local"), dir.join("remote"));
        for (src, out) in [(path.to_str().unwrap().to_string(), &local), (server.url(name), &remote)] {
            let o = lazyqt(&["frames", &src, "--every", every, "-o", out.to_str().unwrap(), "-j", "3"]);
            assert!(o.status.success(), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        }
        let mut names: Vec<_> = std::fs::read_dir(&local).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert!(names.len() >= 8, "{name}: {names:?}");
        for f in &names {
            let (a, b) = (std::fs::read(local.join(f)).unwrap(), std::fs::read(remote.join(f)).unwrap());
            assert!(a == b, "{name}: {f:?} differs over HTTP");
        }
        // One request opens the movie, then at most one per frame (frames in the cached head
        // or tail need none).
        let requests = server.request_count();
        assert!(
            (1..=1 + names.len()).contains(&requests),
            "{name}: {requests} requests for {} frames",
            names.len()
        );
    }
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("lazyqt-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `lazyqt serve` without any mount serves the OOI raw-data archive, as go-lazycache did, and
/// says so on stderr at start (nothing is fetched to start). Options come from `LAZYQT_*`.
#[test]
fn serve_without_mounts_announces_the_ooi_archive() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::cargo_bin("lazyqt")
        .unwrap()
        .args(["serve", "--no-cache"])
        .env("LAZYQT_LISTEN", "127.0.0.1:0")
        .env_remove("LAZYQT_MOUNT")
        .env_remove("LAZYQT_CONFIG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(30));
    child.kill().unwrap();
    child.wait().unwrap();
    let line = line.expect("a line on stderr at start");
    assert!(
        line.contains(
            "/v1/org/oceanobservatories/rawdata/files -> https://rawdata.oceanobservatories.org/files/"
        ),
        "{line}"
    );
}

/// `--timeout` bounds a read of a remote movie: an upstream that takes the request and
/// never answers fails at it (exit 4, saying so), not at the 20 s no-answer timeout.
#[test]
fn timeout_bounds_a_read_from_a_silent_server() {
    let server = lazyqt_testserver::TestServer::serve_files([("m.mov", vec![0u8; 4096])]).unwrap();
    server.set_faults(lazyqt_testserver::Faults { stall_before_headers: 100, ..Default::default() });
    let t0 = std::time::Instant::now();
    let out = lazyqt(&["info", &server.url("m.mov"), "--timeout", "1s"]);
    let elapsed = t0.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{stderr}");
    assert!(stderr.contains("deadline of 1s reached"), "{stderr}");
    assert!(elapsed < std::time::Duration::from_secs(5), "took {elapsed:?}");
    let out = lazyqt(&["info", "x.mov", "--timeout", "0s"]);
    assert_eq!(out.status.code(), Some(2));
    let help = String::from_utf8(lazyqt(&["info", "--help"]).stdout).unwrap();
    assert!(help.contains("--timeout <DURATION>") && help.contains("default: 1 min"), "{help}");
    let default = lazyqt_io::SourceOptions::default().http.timeouts.deadline;
    assert_eq!(default, std::time::Duration::from_secs(60), "the help text states this default");
}

/// `-o` onto something that is not a regular file writes into it and leaves it as it was:
/// a FIFO (its reader gets the whole PNG), /dev/null, a symlink (its target is written).
#[test]
fn output_onto_fifos_devices_and_symlinks_writes_through() {
    use std::os::unix::fs::FileTypeExt;
    let path = media("prores0.mov");
    let path = path.to_str().unwrap();
    let expected = lazyqt(&["frame", path, "3", "-o", "-", "--format", "png"]).stdout;
    assert_eq!(&expected[1..4], b"PNG");
    let dir = tempdir("output-kinds");

    let fifo = dir.join("pipe.png");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let out = lazyqt(&["frame", path, "3", "-o", fifo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(reader.join().unwrap() == expected, "the FIFO's reader got other bytes");
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

    let out = lazyqt(&["frame", path, "3", "-o", "/dev/null", "--format", "png"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(std::fs::symlink_metadata("/dev/null").unwrap().file_type().is_char_device());

    let target = dir.join("target.png");
    std::fs::write(&target, b"old").unwrap();
    let link = dir.join("link.png");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let dangling = dir.join("dangling.png");
    std::os::unix::fs::symlink(dir.join("created.png"), &dangling).unwrap();
    for l in [&link, &dangling] {
        let out = lazyqt(&["frame", path, "3", "-o", l.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(std::fs::symlink_metadata(l).unwrap().file_type().is_symlink(), "{l:?} was replaced");
    }
    assert!(std::fs::read(&target).unwrap() == expected);
    assert!(std::fs::read(dir.join("created.png")).unwrap() == expected);
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["created.png", "dangling.png", "link.png", "pipe.png", "target.png"], "no temp files");
}

/// A resumed run removes the temporary files an interrupted one left (its own pattern
/// only), and a write that fails (here: over the file size limit, as on a full disk)
/// removes its temporary file.
#[test]
fn temporary_files_never_stay_behind() {
    let path = media("prores1.mov");
    let dir = tempdir("leftovers");
    let out_dir = dir.join("out");
    let args = ["frames", path.to_str().unwrap(), "--every", "10", "-o", out_dir.to_str().unwrap()];
    assert!(lazyqt(&args).status.success());
    std::fs::remove_file(out_dir.join("frame_000010.png")).unwrap();
    // An interrupted run's leftover (pid above Linux's largest), and files that are not ours.
    let leftover = out_dir.join(".frame_000010.png.4194305.tmp");
    std::fs::write(&leftover, b"half a png").unwrap();
    let others = [".notes.txt.4194305.tmp", ".frame_000010.png.tmp", "frame_000010.png.4194305.tmp"];
    for o in others {
        std::fs::write(out_dir.join(o), b"keep").unwrap();
    }
    let out = lazyqt(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!leftover.exists(), "the leftover temporary file is still there");
    for o in others {
        assert!(out_dir.join(o).exists(), "{o} is not lazyqt's and must stay");
    }
    for n in [0, 10, 20] {
        assert_eq!(&std::fs::read(out_dir.join(format!("frame_{n:06}.png"))).unwrap()[1..4], b"PNG");
    }

    // A write refused half way: SIGXFSZ ignored, so the write fails with EFBIG.
    let failing = dir.join("failing");
    std::fs::create_dir(&failing).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("lazyqt");
    let script = r#"trap '' XFSZ; ulimit -f 1; exec "$0" frame "$1" 3 -o "$2" --no-cache --png-level 0"#;
    let out = Command::new("bash")
        .args(["-c", script])
        .arg(&bin)
        .arg(&path)
        .arg(failing.join("f.png"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("writing"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&failing).unwrap().count(), 0, "a temporary file was left behind");
}

/// A path that is not UTF-8 opens like any other.
#[test]
fn non_utf8_paths_open() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempdir("non-utf8");
    let path = dir.join(std::ffi::OsStr::from_bytes(b"movie-\xff.mov"));
    std::fs::copy(media("prores0.mov"), &path).unwrap();
    let out = Command::cargo_bin("lazyqt").unwrap().args(["info", "--json"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tracks"][0]["frames"], 30);
    let out = Command::cargo_bin("lazyqt")
        .unwrap()
        .arg("frame")
        .arg(&path)
        .args(["3", "-o", "-"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout == lazyqt(&["frame", media("prores0.mov").to_str().unwrap(), "3", "-o", "-"]).stdout);
}
