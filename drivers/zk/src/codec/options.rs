//! OPTIONS_RRQ/OPTIONS_WRQ payloads (`"~Key\0"`, `"~Key=Value\0"`) and the option keys of the
//! device-info read, plus the disable-device timeout payload. Must not choose which options to read.

use super::error::{CodecError, hex_preview};

pub const OPT_SERIAL_NUMBER: &str = "~SerialNumber";
pub const OPT_PLATFORM: &str = "~Platform";
pub const OPT_DEVICE_NAME: &str = "~DeviceName";
pub const OPT_MAC: &str = "MAC";
pub const OPT_FP_VERSION: &str = "~ZKFPVersion";
pub const OPT_FACE_VERSION: &str = "ZKFaceVersion";
pub const OPT_PIN_WIDTH: &str = "~PIN2Width";
pub const OPT_OS: &str = "~OS";
pub const OPT_USER_EXT_FMT: &str = "~UserExtFmt";
pub const OPT_EXTEND_FMT: &str = "~ExtendFmt";

/// `"Key\0"`.
pub fn encode_option_request(key: &str) -> Vec<u8> {
    let mut v = key.as_bytes().to_vec();
    v.push(0);
    v
}

/// Key of an OPTIONS_RRQ payload (terminal side).
pub fn decode_option_request(p: &[u8]) -> Result<String, CodecError> {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    let key = std::str::from_utf8(p.get(..end).unwrap_or_default()).map_err(|_| {
        CodecError::Malformed {
            what: "option key",
            hex: hex_preview(p),
        }
    })?;
    Ok(key.to_string())
}

/// `"Key=Value\0"` (reply to OPTIONS_RRQ, and the OPTIONS_WRQ payload).
pub fn encode_option_pair(key: &str, value: &str) -> Vec<u8> {
    let mut v = format!("{key}={value}").into_bytes();
    v.push(0);
    v
}

/// Splits `"Key=Value\0"`; text after the first NUL is ignored.
pub fn decode_option_pair(p: &[u8]) -> Result<(String, String), CodecError> {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    let text = String::from_utf8_lossy(p.get(..end).unwrap_or_default()).into_owned();
    match text.split_once('=') {
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
        None => Err(CodecError::Malformed {
            what: "option reply (expected Key=Value)",
            hex: hex_preview(p),
        }),
    }
}

/// NUL-terminated string payload (GET_VERSION reply).
pub fn decode_c_string(p: &[u8]) -> String {
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    String::from_utf8_lossy(p.get(..end).unwrap_or_default()).into_owned()
}

/// DISABLE_DEVICE payload: empty for "until enabled", else the u32 auto re-enable timeout in s.
pub fn encode_disable_timeout(timeout_secs: Option<u32>) -> Vec<u8> {
    timeout_secs.map_or_else(Vec::new, |t| t.to_le_bytes().to_vec())
}

/// Auto re-enable timeout of a DISABLE_DEVICE payload, if any.
pub fn decode_disable_timeout(p: &[u8]) -> Option<u32> {
    match p.get(..4) {
        Some(&[a, b, c, d]) => Some(u32::from_le_bytes([a, b, c, d])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_payloads() {
        assert_eq!(encode_option_request("~OS"), b"~OS\0");
        assert_eq!(decode_option_request(b"~OS\0").unwrap(), "~OS");
        let p = encode_option_pair("~Platform", "ZEM760_TFT");
        assert_eq!(
            decode_option_pair(&p).unwrap(),
            ("~Platform".to_string(), "ZEM760_TFT".to_string())
        );
        assert!(decode_option_pair(b"garbage\0").is_err());
        assert_eq!(
            decode_c_string(b"Ver 6.60 Apr 28 2015\0\0"),
            "Ver 6.60 Apr 28 2015"
        );
        assert_eq!(
            decode_disable_timeout(&encode_disable_timeout(Some(60))),
            Some(60)
        );
        assert_eq!(decode_disable_timeout(&encode_disable_timeout(None)), None);
    }
}
