//! Small input checks shared by the repositories; each error names the field.

use crate::error::{Result, StoreError};

/// Trims `value` and refuses an empty result.
pub(crate) fn non_empty(field: &'static str, value: &str) -> Result<String> {
    let t = value.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid {
            field,
            reason: "must not be empty".into(),
        });
    }
    Ok(t.to_string())
}

/// Trims an optional text; empty becomes None.
pub(crate) fn opt_text(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}
