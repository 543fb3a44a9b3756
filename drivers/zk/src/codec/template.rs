//! Fingerprint templates (the face-only policy, docs/domain.md §2.1): the template table a terminal returns for
//! the buffered read of table 7 (DB_RRQ, FCT_FINGERTMP = 2) and the DELETE_USERTEMP (19) payload.
//! Layout as pyzk reads it: `u32 total`, then per template `u16 size (= 6 + template bytes),
//! u16 uid, i8 finger, i8 valid, template`. Sans-IO; decoders return errors, never panic.
//! Must not interpret the template bytes (they are opaque biometric data and are never stored).

use super::error::{CodecError, hex_preview};

/// FCT_FINGERTMP in the templates PREPARE_BUFFER request.
pub const FCT_FINGERTMP: u32 = 2;

/// One stored fingerprint template.
#[derive(Clone, PartialEq, Eq)]
pub struct FingerTemplate {
    pub uid: u16,
    /// Finger index 0..=9.
    pub finger: u8,
    /// 1 = valid (some firmware marks duress fingers with 3).
    pub valid: u8,
    pub template: Vec<u8>,
}

impl std::fmt::Debug for FingerTemplate {
    /// Biometric bytes stay out of logs: only their length is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FingerTemplate")
            .field("uid", &self.uid)
            .field("finger", &self.finger)
            .field("valid", &self.valid)
            .field("template_len", &self.template.len())
            .finish()
    }
}

const HEADER: usize = 6;

/// The table as the terminal returns it (u32 total size of the records, then the records).
pub fn encode_template_table(templates: &[FingerTemplate]) -> Result<Vec<u8>, CodecError> {
    let mut body = Vec::new();
    for t in templates {
        let size =
            u16::try_from(t.template.len() + HEADER).map_err(|_| CodecError::FieldTooLong {
                field: "fingerprint template",
                value: format!("{} bytes", t.template.len()),
                max: usize::from(u16::MAX) - HEADER,
            })?;
        body.extend_from_slice(&size.to_le_bytes());
        body.extend_from_slice(&t.uid.to_le_bytes());
        body.push(t.finger);
        body.push(t.valid);
        body.extend_from_slice(&t.template);
    }
    let total = u32::try_from(body.len()).map_err(|_| CodecError::FrameTooLarge {
        declared: u32::MAX,
        max: u32::MAX,
    })?;
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decodes a template table. An empty input (some firmware sends nothing when there are no
/// templates) is an empty list.
pub fn decode_template_table(data: &[u8]) -> Result<Vec<FingerTemplate>, CodecError> {
    if data.is_empty() {
        return Ok(Vec::new());
    }
    let total = match data.get(..4) {
        Some(&[a, b, c, d]) => u32::from_le_bytes([a, b, c, d]) as usize,
        _ => {
            return Err(CodecError::TooShort {
                what: "template table size",
                need: 4,
                got: data.len(),
            });
        }
    };
    let body = data.get(4..).unwrap_or_default();
    if body.len() != total {
        return Err(CodecError::SizeMismatch {
            declared: total,
            actual: body.len(),
        });
    }
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (size, uid, finger, valid) = match rest {
            [s0, s1, u0, u1, f, v, ..] => (
                usize::from(u16::from_le_bytes([*s0, *s1])),
                u16::from_le_bytes([*u0, *u1]),
                *f,
                *v,
            ),
            _ => {
                return Err(CodecError::TooShort {
                    what: "template record header",
                    need: HEADER,
                    got: rest.len(),
                });
            }
        };
        let record =
            rest.get(..size)
                .filter(|_| size >= HEADER)
                .ok_or_else(|| CodecError::Malformed {
                    what: "template record (size field out of range)",
                    hex: hex_preview(rest),
                })?;
        out.push(FingerTemplate {
            uid,
            finger,
            valid,
            template: record.get(HEADER..).unwrap_or_default().to_vec(),
        });
        rest = rest.get(size..).unwrap_or_default();
    }
    Ok(out)
}

/// DELETE_USERTEMP payload: `i16 uid, i8 finger` (3 bytes, as pyzk packs `'hb'`).
pub fn encode_delete_template(uid: u16, finger: u8) -> Vec<u8> {
    let mut v = uid.to_le_bytes().to_vec();
    v.push(finger);
    v
}

/// Decodes a DELETE_USERTEMP payload.
pub fn decode_delete_template(p: &[u8]) -> Result<(u16, u8), CodecError> {
    match p {
        [u0, u1, f, ..] => Ok((u16::from_le_bytes([*u0, *u1]), *f)),
        _ => Err(CodecError::Malformed {
            what: "delete-template payload (u16 uid, u8 finger)",
            hex: hex_preview(p),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(uid: u16, finger: u8, n: usize) -> FingerTemplate {
        FingerTemplate {
            uid,
            finger,
            valid: 1,
            template: (0..n).map(|i| (i % 251) as u8).collect(),
        }
    }

    #[test]
    fn tables_round_trip_and_bad_bytes_are_errors() {
        let ts = vec![t(1, 0, 10), t(7, 6, 600), t(7, 9, 0)];
        let bytes = encode_template_table(&ts).unwrap();
        assert_eq!(bytes.len(), 4 + 16 + 606 + 6);
        assert_eq!(decode_template_table(&bytes).unwrap(), ts);
        assert_eq!(decode_template_table(&[]).unwrap(), vec![]);
        assert_eq!(decode_template_table(&0u32.to_le_bytes()).unwrap(), vec![]);
        // Every truncation and a size field below the header are errors, never panics.
        for cut in 1..bytes.len() {
            assert!(decode_template_table(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut bad = bytes.clone();
        bad[4] = 2;
        bad[5] = 0;
        assert!(decode_template_table(&bad).is_err());
    }

    #[test]
    fn delete_payload_is_three_bytes() {
        assert_eq!(encode_delete_template(0x0102, 6), vec![2, 1, 6]);
        assert_eq!(decode_delete_template(&[2, 1, 6]).unwrap(), (0x0102, 6));
        assert!(decode_delete_template(&[2, 1]).is_err());
    }
}
