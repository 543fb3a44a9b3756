//! Key/value settings (connection-rule margins, thresholds, policies). Values are text; the services
//! own their meaning and defaults. Never put secrets here: they belong sealed in their own column.

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;

/// A setting's value, or None if never set.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Sets a value; returns the previous one (for the audit entry).
pub fn set(conn: &Connection, key: &str, value: &str) -> Result<Option<String>> {
    let old = get(conn, key)?;
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(old)
}

/// Removes a setting (back to the services' default); returns the previous value.
pub fn remove(conn: &Connection, key: &str) -> Result<Option<String>> {
    let old = get(conn, key)?;
    conn.execute("DELETE FROM settings WHERE key = ?1", [key])?;
    Ok(old)
}

/// All settings by key.
pub fn list(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT key, value FROM settings ORDER BY key")?;
    let v = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}
