//! Fuzz target: any bytes as an import spreadsheet (employees, requests, calendar), as .xlsx or
//! .csv by the first byte. The importers must report bad rows or refuse the file, never panic.
#![no_main]

use kaoqin_excel::{ImportContext, read_calendar, read_employees, read_requests};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let ext = if data.first().is_some_and(|b| b % 2 == 0) { "xlsx" } else { "csv" };
    let path = std::env::temp_dir().join(format!("kaoqin-fuzz-{}.{ext}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let ctx = ImportContext {
        departments: ["办公室".to_string()].into_iter().collect(),
        allow_new_departments: false,
        employees: ["1001".to_string()].into_iter().collect(),
        leave_types: kaoqin_domain::request::default_leave_types(),
    };
    let _ = read_employees(&path, &ctx);
    let _ = read_requests(&path, &ctx);
    let _ = read_calendar(&path, &ctx);
});
