//! Gives the shared library a SONAME, so programs linked against it load the ABI they were
//! built for: `liblazyqt.so.0.<minor>` while the version is 0.x (every minor may break the
//! ABI), `liblazyqt.so.<major>` from 1.0 on. `install.sh` installs the file under that name.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let abi = if major == "0" { format!("0.{minor}") } else { major };
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,liblazyqt.so.{abi}");
    println!("cargo:rerun-if-changed=build.rs");
}
