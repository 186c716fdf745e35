//! End-to-end tests of lazyqt-server over a real loopback socket with a fake backend.

mod common;
mod compat;
mod limits;
mod python_client;
mod routes;
mod security;
mod viewer;
