//! The `lazyqt` binary end to end: info and samples on generated movies, checked
//! against ffprobe, and its errors and exit codes.

use std::path::PathBuf;
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn media(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = root.join("testdata/generated");
    let ok = Command::new("bash").arg(root.join("testdata/generate.sh")).arg(&out).status().unwrap();
    assert!(ok.success());
    out.join(name)
}

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

#[test]
fn errors_are_one_clear_line_with_documented_exit_codes() {
    let out = lazyqt(&["info", "/definitely/not/here.mov"]);
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("lazyqt: error: ") && err.contains("not/here.mov"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = lazyqt(&["info", manifest]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8(out.stderr).unwrap().contains("not a movie file"));

    let path = media("prores0.mov");
    let out = lazyqt(&["samples", path.to_str().unwrap(), "--track", "99"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("no track with id 99"));

    let out = lazyqt(&["info"]);
    assert_eq!(out.status.code(), Some(2));
}

fn ffmpeg_rgb(path: &str, n: u32) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i", path, "-vf", &format!("select=eq(n\\,{n})"), "-vsync", "0"])
        .args(["-frames:v", "1", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
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
    let out = lazyqt(&["frame", path, "60", "-o", "-"]);
    assert_eq!(out.status.code(), Some(5), "frame past the end");
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
        let server =
            lazyqt_testserver::TestServer::serve_files([(name.to_string(), std::fs::read(&path).unwrap())])
                .unwrap();
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
    let default = lazyqt_io::SourceOptions::default().deadline;
    assert_eq!(default, std::time::Duration::from_secs(60), "the help text states this default");
}
