//! lazyqt-io (under construction).
