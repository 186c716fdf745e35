//! One module per subcommand.

pub mod frame;
pub mod frames;
pub mod image_args;
pub mod info;
pub mod samples;
pub mod selection;
pub mod serve;
pub mod serve_args;
