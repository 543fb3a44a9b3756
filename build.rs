//! Rebuilds the `kaoqin` crate when a locale file changes: rust-i18n's `i18n!` macro reads
//! `locales/**/*.yml` at compile time, which Cargo cannot see on its own. Nothing else happens here.

fn main() {
    // A directory path makes Cargo scan the whole tree for modified files.
    println!("cargo:rerun-if-changed=locales");
}
