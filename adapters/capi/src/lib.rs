//! C ABI (under construction).
