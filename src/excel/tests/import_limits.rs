//! Import files are bounded before they are loaded: a workbook whose parts unpack to more than
//! the cap (a "zip bomb": megabytes of zeros packed into kilobytes) and an oversized file are
//! refused with a message that says what to do, without reading them into memory.

use std::io::Write;
use std::path::Path;

use kaoqin_excel::import::read::{ReadLimits, read_grid_within};
use kaoqin_excel::{ImportContext, read_employees};

/// An .xlsx-shaped zip whose one sheet part is `zeros` bytes of '0' (compresses ~1000:1).
fn bomb(path: &Path, zeros: usize) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(zeros > u32::MAX as usize / 2);
    zip.start_file("[Content_Types].xml", opts).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><Types/>").unwrap();
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let chunk = vec![b'0'; 1 << 20];
    let mut left = zeros;
    while left > 0 {
        let n = left.min(chunk.len());
        zip.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    zip.finish().unwrap();
}

#[test]
fn a_workbook_unpacking_past_the_cap_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("名单.xlsx");
    bomb(&path, 4 << 20);
    let packed = std::fs::metadata(&path).unwrap().len();
    assert!(packed < 64 * 1024, "packed to {packed} bytes");
    let limits = ReadLimits {
        max_file_bytes: 1 << 20,
        max_unpacked_bytes: 1 << 20,
    };
    let e = read_grid_within(&path, &limits).unwrap_err().to_string();
    assert!(
        e.contains("名单.xlsx")
            && e.contains("unpack to 4.0 MB")
            && e.contains("more than the 1.0 MB")
            && e.contains("nothing was read"),
        "{e}"
    );
    // The same file is within a larger cap (and then fails as the non-workbook it is).
    let big = ReadLimits {
        max_unpacked_bytes: 8 << 20,
        ..limits
    };
    let e = read_grid_within(&path, &big).unwrap_err().to_string();
    assert!(!e.contains("unpack to"), "{e}");
}

#[test]
fn the_default_cap_refuses_a_workbook_of_201_mb_of_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    bomb(&path, 201 << 20);
    let ctx = ImportContext {
        departments: Default::default(),
        allow_new_departments: true,
        employees: Default::default(),
        leave_types: Vec::new(),
    };
    let e = read_employees(&path, &ctx)
        .map(drop)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unpack to 201.0 MB, more than the 200.0 MB"),
        "{e}"
    );
}

#[test]
fn an_oversized_file_is_refused_by_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.csv");
    std::fs::write(&path, vec![b'x'; 2 << 20]).unwrap();
    let limits = ReadLimits {
        max_file_bytes: 1 << 20,
        max_unpacked_bytes: 1 << 20,
    };
    let e = read_grid_within(&path, &limits).unwrap_err().to_string();
    assert!(
        e.contains("the file is 2.0 MB, more than the 1.0 MB"),
        "{e}"
    );
}
