//! Fuzz target: any bytes as a punch file from a USB stick (a ZK attlog.dat or our punches CSV, in
//! GBK or UTF-8). The parser must give punches and per-line errors, never panic.
#![no_main]

use kaoqin_sync::attlog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let auto = attlog::parse(data);
    let as_attlog = attlog::parse_attlog(data);
    let as_csv = attlog::parse_csv(data);
    // Detection picks one of the two readers; it must agree with that reader.
    assert!(
        format!("{auto:?}") == format!("{as_attlog:?}") || format!("{auto:?}") == format!("{as_csv:?}")
    );
});
