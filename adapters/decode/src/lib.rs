//! lazyqt-decode (under construction).
