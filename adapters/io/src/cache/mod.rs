//! The two caches of an HTTP source: aligned blocks in memory, and a persistent disk
//! cache shared by processes.

pub(crate) mod block;
pub(crate) mod disk;
