//! Every input that ever crashed a fuzz target, replayed on stable through the same
//! drain code the fuzz targets run (`common/drain.rs`).
//!
//! A file `regressions/<target>-<anything>` is fed to the drain of fuzz target
//! `<target>` (see `drain::TARGETS`). To add one: copy the minimized crash from
//! `fuzz/artifacts/<target>/` to `regressions/<target>-<short-description>`.

#[path = "common/drain.rs"]
mod drain;

use std::path::{Path, PathBuf};

fn regression_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir:?}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|x| x != "md"))
        .collect();
    files.sort();
    files
}

/// The fuzz target a regression file belongs to, from its name.
fn target_of(path: &Path) -> &'static str {
    let name = path.file_name().unwrap().to_string_lossy();
    drain::TARGETS
        .iter()
        .find(|t| name.strip_prefix(**t).is_some_and(|rest| rest.starts_with('-')))
        .unwrap_or_else(|| {
            panic!("{name}: does not start with a fuzz target name and '-' ({:?})", drain::TARGETS)
        })
}

#[test]
fn every_regression_file_replays_without_panic() {
    for path in regression_files() {
        let data = std::fs::read(&path).unwrap();
        let target = target_of(&path);
        // A panic here names the file: the harness prints the panic and this line's context.
        eprintln!("replaying {} through {target}", path.display());
        assert!(drain::drain(target, &data).is_some());
    }
}

#[test]
fn drains_know_every_target_and_reject_others() {
    for t in drain::TARGETS {
        assert!(drain::drain(t, &[]).is_some(), "{t}");
    }
    assert!(drain::drain("no-such-target", &[]).is_none());
    assert_eq!(target_of(Path::new("movie-stsc-zero")), "movie");
}

#[test]
fn the_movie_drain_visits_real_samples() {
    // A hand-built movie: the drain must actually reach the samples, or it tests nothing.
    use lazyqt_testkit::atoms::*;
    let spec = TrakSpec {
        stsc: vec![(1, 6), (4, 2)],
        chunk_offsets: vec![48, 100_000, 200_000, 300_000],
        stss: Some(vec![1, 7, 13]),
        ..TrakSpec::prores((0..20).map(|i| 1000 + i).collect())
    };
    let file = cat(&[&ftyp(), &moov(&[spec])]);
    assert_ne!(drain::drain_movie(&file), 0);
    assert_ne!(drain::drain_atoms(&file), 0);
}

/// Found by the `movie` target: with an stss that is not strictly increasing,
/// `Track::sample(i)` (binary search) and the forward cursor (linear walk) disagreed on
/// `keyframe`. The core now refuses such tables; random access and walks must agree.
#[test]
fn unsorted_stss_random_access_agrees_with_the_cursor() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/movie-unsorted-stss");
    let data = std::fs::read(path).unwrap();
    let data: &[u8] = &data;
    let Ok(movie) = lazyqt_core::Movie::open(data) else { return };
    for t in movie.tracks() {
        let Ok(mut c) = t.samples(data) else { continue };
        while let Some(Ok(s)) = c.next(data) {
            if let Ok(again) = t.sample(data, s.index) {
                assert_eq!(again, s, "sample({}) disagrees with the cursor", s.index);
            }
        }
    }
}
