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
