//! Reading back the audit head an exported workbook carries (`read_audit_head`, used by
//! `kaoqin audit verify`): the property as written, no property, a streamed zip (sizes after the
//! data), and files that must be refused without being unpacked (an oversized properties part,
//! not a zip, a truncated workbook).

use std::io::Write;
use std::path::Path;

use kaoqin_excel::{AUDIT_HEAD_PROPERTY, ExcelError, read_audit_head, set_workbook_properties};

const HEAD: &str = "entry 12 of 2026-04-01 09:30:00: \
                    3f2a000000000000000000000000000000000000000000000000000000000001";

fn workbook(path: &Path, head: Option<&str>) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "考勤").unwrap();
    set_workbook_properties(&mut wb, head);
    wb.save(path).unwrap();
}

fn custom_xml(value: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="{AUDIT_HEAD_PROPERTY}"><vt:lpwstr>{value}</vt:lpwstr></property></Properties>"#
    )
}

fn reason(r: Result<Option<String>, ExcelError>) -> String {
    match r {
        Err(ExcelError::Read { reason, .. }) => reason,
        other => panic!("expected a read error, got {other:?}"),
    }
}

#[test]
fn the_head_written_at_export_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("2026-03.xlsx");
    workbook(&p, Some(HEAD));
    assert_eq!(read_audit_head(&p).unwrap().as_deref(), Some(HEAD));

    let plain = dir.path().join("plain.xlsx");
    workbook(&plain, None);
    assert_eq!(read_audit_head(&plain).unwrap(), None);
}

#[test]
fn a_streamed_zip_with_sizes_after_the_data_reads_too() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("streamed.xlsx");
    let file = std::fs::File::create(&p).unwrap();
    let mut zip = zip::ZipWriter::new_stream(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
    zip.start_file("docProps/custom.xml", opts).unwrap();
    zip.write_all(custom_xml(HEAD).as_bytes()).unwrap();
    zip.finish().unwrap();
    assert_eq!(read_audit_head(&p).unwrap().as_deref(), Some(HEAD));
}

#[test]
fn an_oversized_properties_part_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.xlsx");
    let file = std::fs::File::create(&p).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("docProps/custom.xml", opts).unwrap();
    zip.write_all(custom_xml(&"0".repeat(2 << 20)).as_bytes())
        .unwrap();
    zip.finish().unwrap();
    assert!(std::fs::metadata(&p).unwrap().len() < 64 * 1024);
    let r = reason(read_audit_head(&p));
    assert!(r.contains("larger than the 1024 KiB"), "{r}");
}

#[test]
fn broken_files_are_errors_that_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, "this is not a workbook").unwrap();
    let r = reason(read_audit_head(&junk));
    assert!(r.contains("not a zip archive"), "{r}");

    // A real export cut in half loses its zip directory.
    let whole = dir.path().join("whole.xlsx");
    workbook(&whole, Some(HEAD));
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.xlsx");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(read_audit_head(&cut).is_err());

    let missing = dir.path().join("missing.xlsx");
    match read_audit_head(&missing) {
        Err(ExcelError::Read { path, .. }) => assert!(path.ends_with("missing.xlsx")),
        other => panic!("{other:?}"),
    }
}
