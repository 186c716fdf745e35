//! What the media crate's integration tests share: options without the disk cache (a test
//! never reads another run's cache entries, nor leaves any) and opening a movie under them.
#![allow(dead_code)]

use std::ffi::OsStr;

use lazyqt_io::SourceOptions;
use lazyqt_media::Media;

/// Default options with the disk cache off.
pub fn local() -> SourceOptions {
    let mut opts = SourceOptions::default();
    opts.cache.no_disk = true;
    opts
}

/// `uri` (a path or a URL) opened with [`local`] options; panics if it does not open.
pub fn open(uri: impl AsRef<OsStr>) -> Media {
    Media::open(uri, &local()).unwrap()
}
