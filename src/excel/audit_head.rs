//! Reads back the audit head an exported workbook carries (the custom document property
//! [`AUDIT_HEAD_PROPERTY`] that `export_month_xlsx_anchored` writes), so `kaoqin audit verify` can
//! use every workbook already sent out as an anchor outside the database.
//!
//! The workbooks come from directories anyone may have written to, so the reader trusts nothing in
//! them and its memory stays bounded whatever a file holds: it reads only the zip's end record (at
//! most 64 KiB), its central directory (refused above [`MAX_DIRECTORY_BYTES`]; a Kaoqin export's is
//! a few KiB) and the one part `docProps/custom.xml` (refused above [`MAX_PROPERTIES_BYTES`],
//! whatever size the zip declares). Sheets are never read. A file that is not a workbook, or is
//! damaged, gives an [`ExcelError::Read`]; a workbook without the property gives `Ok(None)`.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use quick_xml::events::Event;

use crate::ExcelError;
use crate::export::xlsx::AUDIT_HEAD_PROPERTY;

/// The largest custom-properties part read (unpacked).
pub const MAX_PROPERTIES_BYTES: u64 = 1024 * 1024;
/// The largest zip central directory read.
pub const MAX_DIRECTORY_BYTES: u64 = 1024 * 1024;

/// Where a workbook keeps its custom document properties (OOXML; Excel, LibreOffice and
/// rust_xlsxwriter all use this part name).
const CUSTOM_PART: &str = "docProps/custom.xml";

const EOCD_SIG: u32 = 0x0605_4b50;
const EOCD_LEN: usize = 22;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const CENTRAL_LEN: usize = 46;

/// The value of the custom property [`AUDIT_HEAD_PROPERTY`] of the workbook at `path` (as
/// written: "entry N of YYYY-MM-DD HH:MM:SS: HASH"), `None` when the workbook has no such
/// property (not a Kaoqin export, or one from before anchors existed).
pub fn read_audit_head(path: &Path) -> Result<Option<String>, ExcelError> {
    let err = |reason: String| ExcelError::Read {
        path: path.display().to_string(),
        reason,
    };
    let mut file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let Some(xml) = custom_properties(&mut file)
        .map_err(|r| err(format!("{r}; not a usable .xlsx workbook")))?
    else {
        return Ok(None);
    };
    audit_head_in(&xml).map_err(|r| err(format!("its custom properties cannot be read: {r}")))
}

/// One central-directory entry, as much of it as reading the part needs.
struct Entry {
    crc: u32,
    compressed: u64,
    unpacked: u64,
    local_header: u64,
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn io(e: std::io::Error) -> String {
    e.to_string()
}

/// The text of `docProps/custom.xml`, `None` when the zip has no such part.
fn custom_properties<R: Read + Seek>(file: &mut R) -> Result<Option<String>, String> {
    let Some(entry) = find_entry(file, CUSTOM_PART)? else {
        return Ok(None);
    };
    if entry.unpacked > MAX_PROPERTIES_BYTES {
        return Err(too_big_part());
    }
    file.seek(SeekFrom::Start(entry.local_header)).map_err(io)?;
    let mut reader = BufReader::new(file);
    let options = zip::ZipReadOptions::new()
        .override_compressed_size(entry.compressed)
        .override_uncompressed_size(entry.unpacked)
        .override_crc(entry.crc);
    let part = zip::read::read_zipfile_from_stream_with_options(&mut reader, options)
        .map_err(|e| format!("{CUSTOM_PART}: {e}"))?
        .ok_or_else(|| format!("{CUSTOM_PART} is listed but not stored"))?;
    // The declared size may lie: never unpack more than the limit, plus one byte to notice.
    let mut bytes = Vec::new();
    part.take(MAX_PROPERTIES_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{CUSTOM_PART}: {e}"))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_PROPERTIES_BYTES {
        return Err(too_big_part());
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| format!("{CUSTOM_PART} is not UTF-8 text"))
}

fn too_big_part() -> String {
    format!(
        "its custom properties ({CUSTOM_PART}) are larger than the {} KiB a Kaoqin export's ever are",
        MAX_PROPERTIES_BYTES / 1024
    )
}

/// Finds `name` (ASCII case-insensitive, as OOXML part names are) in the zip's central directory.
fn find_entry<R: Read + Seek>(file: &mut R, name: &str) -> Result<Option<Entry>, String> {
    let len = file.seek(SeekFrom::End(0)).map_err(io)?;
    // The end record is 22 bytes plus a comment of at most 64 KiB.
    let tail_len = len.min((EOCD_LEN + 0xFFFF) as u64);
    let tail_start = len - tail_len;
    file.seek(SeekFrom::Start(tail_start)).map_err(io)?;
    let mut tail = vec![0; usize::try_from(tail_len).map_err(|e| e.to_string())?];
    file.read_exact(&mut tail).map_err(io)?;
    let eocd = (0..=tail.len().saturating_sub(EOCD_LEN))
        .rev()
        .find(|&i| le32(&tail, i) == Some(EOCD_SIG) && i + EOCD_LEN <= tail.len())
        .ok_or("it is not a zip archive (no end-of-central-directory record)")?;
    let bad = || "its zip end record is damaged".to_string();
    let entries = le16(&tail, eocd + 10).ok_or_else(bad)?;
    let dir_size = le32(&tail, eocd + 12).ok_or_else(bad)?;
    let dir_start = le32(&tail, eocd + 16).ok_or_else(bad)?;
    if entries == u16::MAX || dir_size == u32::MAX || dir_start == u32::MAX {
        return Err("it is a ZIP64 archive, which no Kaoqin export is".into());
    }
    let (dir_size, dir_start) = (u64::from(dir_size), u64::from(dir_start));
    if dir_size > MAX_DIRECTORY_BYTES {
        return Err(format!(
            "its zip directory is {} KiB, more than the {} KiB read",
            dir_size / 1024,
            MAX_DIRECTORY_BYTES / 1024
        ));
    }
    let eocd_at = tail_start + eocd as u64;
    if dir_start
        .checked_add(dir_size)
        .is_none_or(|end| end > eocd_at)
    {
        return Err("its zip directory lies outside the file".into());
    }
    file.seek(SeekFrom::Start(dir_start)).map_err(io)?;
    let mut dir = vec![0; usize::try_from(dir_size).map_err(|e| e.to_string())?];
    file.read_exact(&mut dir).map_err(io)?;

    let mut at = 0usize;
    for _ in 0..entries {
        let bad = || "its zip directory is damaged".to_string();
        if le32(&dir, at) != Some(CENTRAL_SIG) {
            return Err(bad());
        }
        let field16 = |off: usize| le16(&dir, at + off).ok_or_else(bad);
        let field32 = |off: usize| le32(&dir, at + off).ok_or_else(bad);
        let name_len = usize::from(field16(28)?);
        let extra_len = usize::from(field16(30)?);
        let comment_len = usize::from(field16(32)?);
        let name_start = at + CENTRAL_LEN;
        let entry_name = dir.get(name_start..name_start + name_len).ok_or_else(bad)?;
        if entry_name.eq_ignore_ascii_case(name.as_bytes()) {
            let (compressed, unpacked, local) = (field32(20)?, field32(24)?, field32(42)?);
            if [compressed, unpacked, local].contains(&u32::MAX) {
                return Err("it uses ZIP64 entries, which no Kaoqin export does".into());
            }
            return Ok(Some(Entry {
                crc: field32(16)?,
                compressed: u64::from(compressed),
                unpacked: u64::from(unpacked),
                local_header: u64::from(local),
            }));
        }
        at = name_start + name_len + extra_len + comment_len;
    }
    Ok(None)
}

/// The text of the property [`AUDIT_HEAD_PROPERTY`] in a custom-properties part (whatever the
/// namespace prefixes; entity and character references resolved).
fn audit_head_in(xml: &str) -> Result<Option<String>, String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut value = String::new();
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) if e.local_name().as_ref() == "property" => {
                let name = e
                    .try_get_attribute("name")
                    .map_err(|e| e.to_string())?
                    .map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                    })
                    .transpose()
                    .map_err(|e| e.to_string())?;
                inside = name.as_deref() == Some(AUDIT_HEAD_PROPERTY);
                value.clear();
            }
            Event::End(e) if inside && e.local_name().as_ref() == "property" => {
                return Ok(Some(value.trim().to_string()));
            }
            Event::Text(t) if inside => value.push_str(&t.xml10_content()),
            Event::CData(t) if inside => value.push_str(&t),
            Event::GeneralRef(r) if inside => {
                if let Some(c) = r.resolve_char_ref().map_err(|e| e.to_string())? {
                    value.push(c);
                } else {
                    let entity = r.xml10_content();
                    let text = quick_xml::escape::resolve_predefined_entity(&entity)
                        .ok_or_else(|| format!("unknown entity &{entity};"))?;
                    value.push_str(text);
                }
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_property_is_found_whatever_the_prefixes_and_escapes() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="other"><vt:lpwstr>x</vt:lpwstr></property><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="3" name="kaoqin.audit_head"><vt:lpwstr>entry 3 of 2026-01-02 03:04:05: ab&amp;&#x63;</vt:lpwstr></property></Properties>"#;
        assert_eq!(
            audit_head_in(xml).unwrap().as_deref(),
            Some("entry 3 of 2026-01-02 03:04:05: ab&c")
        );
        assert_eq!(audit_head_in("<Properties/>").unwrap(), None);
        assert!(audit_head_in("<Properties><property name=\"kaoqin.audit_head\">&bogus;").is_err());
    }

    #[test]
    fn garbage_is_an_error_never_a_panic() {
        for bytes in [
            &b""[..],
            b"PK",
            b"PK\x05\x06",
            b"not a zip at all, but long enough to hold an end record........",
            b"PK\x05\x06\0\0\0\0\x01\0\x01\0\xff\0\0\0\0\0\0\0\0\0",
            b"PK\x05\x06\0\0\0\0\x01\0\x01\0\x2e\0\0\0\0\0\0\0\0\0",
        ] {
            let mut c = std::io::Cursor::new(bytes.to_vec());
            assert!(custom_properties(&mut c).is_err(), "{bytes:?}");
        }
    }
}
