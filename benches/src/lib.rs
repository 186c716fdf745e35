//! Benchmarks of lazyqt and the synthetic movies they run on.
//!
//! [`camhd`] synthesizes movies with the exact layout of the OOI CamHD recordings
//! (25,000 ProRes frames, 13 GB, `moov` at the end) in memory or as sparse files;
//! [`pcm`] a movie with an hour of PCM audio (172.8 million samples); [`synth`] holds
//! the readers they share. The atom writer is `lazyqt_testkit::atoms`, shared with the
//! core's hand-crafted tests. The criterion benches in `benches/`, the
//! `make_camhd` and `make_pcm` tools and `memory.sh` use them.

#![forbid(unsafe_code)]

pub mod camhd;
pub mod pcm;
pub mod synth;
