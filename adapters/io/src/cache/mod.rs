//! The caches of an HTTP source: the file's head and tail as single extents, aligned
//! blocks in memory, and a persistent disk cache shared by processes.

pub(crate) mod block;
pub(crate) mod disk;
pub(crate) mod extent;
mod index;
