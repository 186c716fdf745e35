//! Benchmarks (under construction).
