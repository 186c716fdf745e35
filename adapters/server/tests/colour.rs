//! Frame pixels from the REST API against the ffmpeg CLI's for the colour rule: `.rgba` of
//! untagged movies of every size and of tagged ones equals `ffmpeg -pix_fmt rgba`;
//! `?matrix=M` equals `-vf scale=in_color_matrix=M` and is part of the ETag and cache key.

#[path = "../../../testdata/colour.rs"]
mod colour;
#[path = "common/running.rs"]
mod running;

use colour::{ffmpeg_frame as ffmpeg, movies, FRAMES, MOVIES};
use lazyqt_server::{Mount, ServerConfig};
use running::get;

#[test]
fn rgba_frames_follow_ffmpegs_colour_rule() {
    let (dir, _) = movies("server");
    let config = ServerConfig {
        mounts: vec![Mount::parse(&format!("/local={}", dir.display())).unwrap()],
        ..ServerConfig::default()
    };
    let server = running::serve(config, 16);
    let base = format!("{}/local", server.base);

    for (name, _, tag) in MOVIES {
        let path = dir.join(format!("{name}.mov"));
        for n in 0..FRAMES {
            let body = get(&format!("{base}/{name}.mov/frame/{}.rgba", n + 1), None).bytes().unwrap();
            assert!(body == ffmpeg(&path, n, "rgba", ""), "{name} frame {n} differs from ffmpeg's");
        }
        let url = format!("{base}/{name}.mov/frame/3.rgba");
        let stream = get(&url, None);
        let stream_tag = stream.headers()["etag"].to_str().unwrap().to_owned();
        let forced = get(&format!("{url}?matrix=bt709"), Some(&stream_tag));
        assert_eq!(forced.status(), 200, "{name}: another matrix is another body, not a 304");
        assert_ne!(forced.headers()["etag"].to_str().unwrap(), stream_tag, "{name}: ETag names the matrix");
        let forced = forced.bytes().unwrap();
        assert!(forced == ffmpeg(&path, 2, "rgba", ",scale=in_color_matrix=bt709"), "{name}: bt709");
        assert_eq!(forced != stream.bytes().unwrap(), tag != Some("bt709"), "{name}: the matrix matters");
    }

    // The time route, scaled output and errors.
    let path = dir.join("untagged_1080.mov");
    let t = 1.5 * 1001.0 / 30000.0;
    let timed = get(&format!("{base}/untagged_1080.mov/time/{t}.rgba?matrix=bt2020"), None).bytes().unwrap();
    assert!(timed == ffmpeg(&path, 1, "rgba", ",scale=in_color_matrix=bt2020"), "time route");
    let small = get(&format!("{base}/untagged_1080.mov/frame/1.rgba?width=640"), None).bytes().unwrap();
    assert!(small == ffmpeg(&path, 0, "rgba", ",scale=640:360"), "scaled");
    let bad = get(&format!("{base}/untagged_1080.mov/frame/1.png?matrix=rec709"), None);
    assert_eq!(bad.status(), 400);
    assert!(bad.text().unwrap().contains("bt709"), "the error lists the matrices");
    let _ = std::fs::remove_dir_all(&dir);
}
