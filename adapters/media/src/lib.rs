//! lazyqt-media (under construction).
