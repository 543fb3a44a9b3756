//! Text in fixed-size record fields, in the terminal's code page (GBK by default, UTF-8
//! optional). Names are truncated on character boundaries, never mid-character. Must not guess
//! the encoding: the caller states it per terminal.

use encoding_rs::GBK;

use super::error::CodecError;

/// Code page of a terminal's text fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum TextEncoding {
    #[default]
    Gbk,
    Utf8,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Gbk => "GBK",
            TextEncoding::Utf8 => "UTF-8",
        }
    }

    /// Bytes of one string, or an error if a character has no representation (GBK).
    pub fn encode(self, s: &str) -> Result<Vec<u8>, CodecError> {
        match self {
            TextEncoding::Utf8 => Ok(s.as_bytes().to_vec()),
            TextEncoding::Gbk => {
                let (bytes, _, unmappable) = GBK.encode(s);
                if unmappable {
                    return Err(CodecError::TextNotEncodable {
                        text: s.to_string(),
                        encoding: self.name(),
                    });
                }
                Ok(bytes.into_owned())
            }
        }
    }

    /// Decodes a NUL-terminated field (bytes after the first NUL are ignored). Malformed bytes
    /// become U+FFFD rather than failing the whole record.
    pub fn decode_field(self, field: &[u8]) -> String {
        let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        let bytes = field.get(..end).unwrap_or_default();
        match self {
            TextEncoding::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            TextEncoding::Gbk => GBK.decode_without_bom_handling(bytes).0.into_owned(),
        }
    }

    /// Encodes `s` into at most `max` bytes, dropping whole characters from the end if it does
    /// not fit. Returns the bytes (unpadded) and whether anything was cut.
    pub fn encode_truncated(self, s: &str, max: usize) -> Result<(Vec<u8>, bool), CodecError> {
        let full = self.encode(s)?;
        if full.len() <= max {
            return Ok((full, false));
        }
        let mut out = Vec::with_capacity(max);
        let mut buf = [0u8; 4];
        for ch in s.chars() {
            let piece = self.encode(ch.encode_utf8(&mut buf))?;
            if out.len() + piece.len() > max {
                break;
            }
            out.extend_from_slice(&piece);
        }
        Ok((out, true))
    }

    /// Writes `s` into a zero-padded field of `width` bytes, truncating on a character boundary.
    pub fn write_field_truncated(self, s: &str, field: &mut [u8]) -> Result<(), CodecError> {
        let (bytes, _) = self.encode_truncated(s, field.len())?;
        write_padded(field, &bytes);
        Ok(())
    }

    /// Writes `s` into a zero-padded field, failing if it does not fit (ids, passwords: a cut
    /// value would be a different value).
    pub fn write_field_exact(
        self,
        what: &'static str,
        s: &str,
        field: &mut [u8],
    ) -> Result<(), CodecError> {
        let bytes = self.encode(s)?;
        if bytes.len() > field.len() {
            return Err(CodecError::FieldTooLong {
                field: what,
                value: s.to_string(),
                max: field.len(),
            });
        }
        write_padded(field, &bytes);
        Ok(())
    }
}

fn write_padded(field: &mut [u8], bytes: &[u8]) {
    field.fill(0);
    for (d, s) in field.iter_mut().zip(bytes) {
        *d = *s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_roundtrip_and_truncation_on_boundaries() {
        let cases: &[(TextEncoding, &str, usize, &str)] = &[
            (TextEncoding::Gbk, "李四", 24, "李四"),
            (TextEncoding::Gbk, "李四", 3, "李"),
            (TextEncoding::Gbk, "a李四", 4, "a李"),
            (TextEncoding::Utf8, "李四", 5, "李"),
            (TextEncoding::Utf8, "Nuevo", 8, "Nuevo"),
            (
                TextEncoding::Gbk,
                "十三个汉字十三个汉字十三个",
                24,
                "十三个汉字十三个汉字十三",
            ),
        ];
        for &(enc, s, width, want) in cases {
            let mut field = vec![0xAA; width];
            enc.write_field_truncated(s, &mut field).unwrap();
            assert_eq!(enc.decode_field(&field), want, "{s} in {width}");
        }
        assert_eq!(
            TextEncoding::Gbk.encode("李四").unwrap(),
            vec![0xc0, 0xee, 0xcb, 0xc4]
        );
    }

    #[test]
    fn unmappable_and_too_long_are_errors() {
        assert!(TextEncoding::Gbk.encode("😀").is_err());
        let mut f = [0u8; 5];
        assert!(matches!(
            TextEncoding::Gbk.write_field_exact("password", "123456", &mut f),
            Err(CodecError::FieldTooLong { max: 5, .. })
        ));
    }
}
