//! One module per subcommand.

pub mod archive_frames;
pub mod frame;
pub mod frames;
pub mod image_args;
pub mod info;
pub mod ls;
pub mod samples;
pub mod selection;
pub mod serve;
pub mod serve_args;
pub mod sheet;
pub mod utc;
