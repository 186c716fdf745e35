//! Test server (under construction).
