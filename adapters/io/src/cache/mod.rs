//! The caches of an HTTP source: the file's head and tail as single extents, aligned
//! blocks in memory, a persistent disk cache shared by processes, and the tail hints
//! kept beside it.

pub(crate) mod block;
pub(crate) mod disk;
pub(crate) mod extent;
pub(crate) mod hint;
mod index;
