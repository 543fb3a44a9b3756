//! Fuzz target: any bytes as an auditor's snapshot file (a zip with a signed manifest). Verifying and
//! reading must refuse a broken file with an error, never panic. Snapshots are read from a path, so
//! each input is written to one file per process first.
#![no_main]

use kaoqin_sync::snapshot::file;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("kaoqin-fuzz-{}.kqsnap", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    // Both the checking path every command takes first and the reader behind it.
    let _ = file::verify(&path, None);
    let _ = file::verify(&path, Some("00"));
    let _ = file::read(&path);
});
