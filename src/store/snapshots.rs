//! Auditor snapshots (the file stays on disk; the database keeps where it is, its SHA-256 and signature)
//! and the auditors' registered ed25519 public keys. Both tables are writable from the auditor's
//! connection; nothing here updates or deletes.

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::timefmt;

/// A new snapshot record.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    pub terminal_id: Option<i64>,
    pub terminal_name: String,
    pub taken_by: String,
    pub taken_at: NaiveDateTime,
    pub file_path: String,
    /// Hex SHA-256 of the whole file (or its manifest, as the snapshot format defines).
    pub sha256: String,
    /// Hex ed25519 signature.
    pub signature: String,
    /// Hex ed25519 public key.
    pub public_key: String,
}

/// A stored snapshot record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snapshot {
    pub id: i64,
    pub terminal_id: Option<i64>,
    pub terminal_name: String,
    pub taken_by: String,
    pub taken_at: NaiveDateTime,
    pub file_path: String,
    pub sha256: String,
    pub signature: String,
    pub public_key: String,
}

/// A registered auditor key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditorKey {
    pub id: i64,
    pub user_name: String,
    pub public_key: String,
    pub created_at: NaiveDateTime,
}

const SELECT: &str =
    "SELECT id, terminal_id, terminal_name, taken_by, taken_at, file_path, sha256, signature,
    public_key FROM snapshots";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Snapshot, String)> {
    Ok((
        Snapshot {
            id: r.get(0)?,
            terminal_id: r.get(1)?,
            terminal_name: r.get(2)?,
            taken_by: r.get(3)?,
            taken_at: NaiveDateTime::default(),
            file_path: r.get(5)?,
            sha256: r.get(6)?,
            signature: r.get(7)?,
            public_key: r.get(8)?,
        },
        r.get(4)?,
    ))
}

fn finish((mut s, at): (Snapshot, String)) -> Result<Snapshot> {
    s.taken_at = timefmt::parse_event_ts(&at)?;
    Ok(s)
}

/// Records a snapshot; returns it with its id.
pub fn add(conn: &Connection, s: &NewSnapshot) -> Result<Snapshot> {
    conn.execute(
        "INSERT INTO snapshots (terminal_id, terminal_name, taken_by, taken_at, file_path, sha256, signature,
             public_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            s.terminal_id,
            s.terminal_name,
            s.taken_by,
            timefmt::event_ts(s.taken_at),
            s.file_path,
            s.sha256,
            s.signature,
            s.public_key
        ],
    )?;
    get(conn, conn.last_insert_rowid())
}

/// A snapshot by id.
pub fn get(conn: &Connection, id: i64) -> Result<Snapshot> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?
        .map(finish)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            what: "snapshot",
            key: format!("#{id}"),
        })
}

/// All snapshots, oldest first; `terminal_name` narrows to one terminal.
pub fn list(conn: &Connection, terminal_name: Option<&str>) -> Result<Vec<Snapshot>> {
    let mut stmt = conn.prepare(&format!(
        "{SELECT} WHERE ?1 IS NULL OR terminal_name = ?1 ORDER BY taken_at, id"
    ))?;
    let rows = stmt
        .query_map([terminal_name], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

/// Registers an auditor's public key (hex). Registering the same key again returns the existing row.
pub fn register_auditor_key(
    conn: &Connection,
    user_name: &str,
    public_key: &str,
    at: NaiveDateTime,
) -> Result<AuditorKey> {
    if let Some(k) = find_auditor_key(conn, public_key)? {
        return Ok(k);
    }
    conn.execute(
        "INSERT INTO auditor_keys (user_name, public_key, created_at) VALUES (?1, ?2, ?3)",
        params![user_name, public_key, timefmt::event_ts(at)],
    )?;
    find_auditor_key(conn, public_key)?.ok_or_else(|| StoreError::NotFound {
        what: "auditor key",
        key: public_key.to_string(),
    })
}

fn key_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AuditorKey, String)> {
    Ok((
        AuditorKey {
            id: r.get(0)?,
            user_name: r.get(1)?,
            public_key: r.get(2)?,
            created_at: NaiveDateTime::default(),
        },
        r.get(3)?,
    ))
}

fn key_finish((mut k, at): (AuditorKey, String)) -> Result<AuditorKey> {
    k.created_at = timefmt::parse_event_ts(&at)?;
    Ok(k)
}

/// A registered key by its hex value.
pub fn find_auditor_key(conn: &Connection, public_key: &str) -> Result<Option<AuditorKey>> {
    conn.query_row(
        "SELECT id, user_name, public_key, created_at FROM auditor_keys WHERE public_key = ?1",
        [public_key],
        key_row,
    )
    .optional()?
    .map(key_finish)
    .transpose()
}

/// All registered keys; `user_name` narrows to one auditor.
pub fn list_auditor_keys(conn: &Connection, user_name: Option<&str>) -> Result<Vec<AuditorKey>> {
    let mut stmt = conn.prepare(
        "SELECT id, user_name, public_key, created_at FROM auditor_keys WHERE ?1 IS NULL OR user_name = ?1
         ORDER BY id",
    )?;
    let rows = stmt
        .query_map([user_name], key_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(key_finish).collect()
}
