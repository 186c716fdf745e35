//! lazyqt-server (under construction).
