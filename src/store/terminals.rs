//! Terminals: how to reach each one (kind, address, port / serial + baud, machine number, encoding), its
//! sealed secrets, location, serial number once known, and its health (last contact, last error).
//! Secrets arrive here already sealed by `secrets::SecretBox`; this module never sees plain text.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError, is_unique_violation};
use crate::timefmt;
use crate::validate::{non_empty, opt_text};

/// How Kaoqin talks to a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TerminalKind {
    ZkTcp,
    ZkUdp,
    ZkSerial,
    Isapi,
}

impl TerminalKind {
    /// Every kind.
    pub const ALL: [TerminalKind; 4] = [Self::ZkTcp, Self::ZkUdp, Self::ZkSerial, Self::Isapi];

    /// "zk-tcp" | "zk-udp" | "zk-serial" | "isapi".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZkTcp => "zk-tcp",
            Self::ZkUdp => "zk-udp",
            Self::ZkSerial => "zk-serial",
            Self::Isapi => "isapi",
        }
    }
}

impl fmt::Display for TerminalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TerminalKind {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| StoreError::Invalid {
                field: "terminal kind",
                reason: format!("'{s}'; valid kinds: zk-tcp, zk-udp, zk-serial, isapi"),
            })
    }
}

/// The terminal's text encoding for names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum TextEncoding {
    Gbk,
    Utf8,
}

impl TextEncoding {
    /// "gbk" | "utf8".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gbk => "gbk",
            Self::Utf8 => "utf8",
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TextEncoding {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gbk" | "gb2312" | "gb18030" => Ok(Self::Gbk),
            "utf8" | "utf-8" => Ok(Self::Utf8),
            _ => Err(StoreError::Invalid {
                field: "encoding",
                reason: format!("'{s}'; valid encodings: gbk, utf8"),
            }),
        }
    }
}

/// A stored terminal. `comm_secret`/`admin_secret` are sealed blobs (open with `SecretBox::open`).
#[derive(Clone, PartialEq, Eq)]
pub struct Terminal {
    pub id: i64,
    pub name: String,
    pub kind: TerminalKind,
    /// Host name / IP, serial device path, or ISAPI base URL.
    pub address: String,
    pub port: Option<u16>,
    pub baud: Option<u32>,
    pub machine_no: u32,
    pub encoding: TextEncoding,
    pub comm_secret: Option<Vec<u8>>,
    pub admin_secret: Option<Vec<u8>>,
    pub location: Option<String>,
    pub serial_no: Option<String>,
    pub handover_until: Option<NaiveDateTime>,
    pub last_contact_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<NaiveDateTime>,
    pub consecutive_failures: u32,
}

impl fmt::Debug for Terminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Terminal")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("address", &self.address)
            .field("port", &self.port)
            .field("serial_no", &self.serial_no)
            .field(
                "comm_secret",
                &self.comm_secret.as_ref().map(|_| "<sealed>"),
            )
            .field(
                "admin_secret",
                &self.admin_secret.as_ref().map(|_| "<sealed>"),
            )
            .finish_non_exhaustive()
    }
}

/// A new terminal.
#[derive(Debug, Clone)]
pub struct NewTerminal {
    pub name: String,
    pub kind: TerminalKind,
    pub address: String,
    pub port: Option<u16>,
    pub baud: Option<u32>,
    pub machine_no: u32,
    pub encoding: TextEncoding,
    pub comm_secret: Option<Vec<u8>>,
    pub location: Option<String>,
}

/// Field changes; `None` leaves a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct TerminalUpdate {
    pub name: Option<String>,
    pub kind: Option<TerminalKind>,
    pub address: Option<String>,
    pub port: Option<Option<u16>>,
    pub baud: Option<Option<u32>>,
    pub machine_no: Option<u32>,
    pub encoding: Option<TextEncoding>,
    pub comm_secret: Option<Option<Vec<u8>>>,
    pub admin_secret: Option<Option<Vec<u8>>>,
    pub location: Option<Option<String>>,
    pub handover_until: Option<Option<NaiveDateTime>>,
}

const SELECT: &str = "SELECT id, name, kind, address, port, baud, machine_no, encoding, comm_secret, admin_secret,
    location, serial_no, handover_until, last_contact_at, last_error, last_error_at, consecutive_failures
    FROM terminals";

struct Raw {
    t: Terminal,
    kind: String,
    enc: String,
    handover: Option<String>,
    contact: Option<String>,
    err_at: Option<String>,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        t: Terminal {
            id: r.get(0)?,
            name: r.get(1)?,
            kind: TerminalKind::ZkTcp,
            address: r.get(3)?,
            port: r.get(4)?,
            baud: r.get(5)?,
            machine_no: r.get(6)?,
            encoding: TextEncoding::Gbk,
            comm_secret: r.get(8)?,
            admin_secret: r.get(9)?,
            location: r.get(10)?,
            serial_no: r.get(11)?,
            handover_until: None,
            last_contact_at: None,
            last_error: r.get(14)?,
            last_error_at: None,
            consecutive_failures: r.get(16)?,
        },
        kind: r.get(2)?,
        enc: r.get(7)?,
        handover: r.get(12)?,
        contact: r.get(13)?,
        err_at: r.get(15)?,
    })
}

fn finish(raw: Raw) -> Result<Terminal> {
    let mut t = raw.t;
    t.kind = raw.kind.parse()?;
    t.encoding = raw.enc.parse()?;
    t.handover_until = timefmt::opt_event(raw.handover)?;
    t.last_contact_at = timefmt::opt_event(raw.contact)?;
    t.last_error_at = timefmt::opt_event(raw.err_at)?;
    Ok(t)
}

fn validate(
    kind: TerminalKind,
    address: &str,
    port: Option<u16>,
    baud: Option<u32>,
) -> Result<String> {
    let address = non_empty("address", address)?;
    match kind {
        TerminalKind::ZkTcp | TerminalKind::ZkUdp if port.is_none() => Err(StoreError::Invalid {
            field: "port",
            reason: format!("a {kind} terminal needs a port (usually 4370)"),
        }),
        TerminalKind::ZkSerial if baud.is_none() => Err(StoreError::Invalid {
            field: "baud",
            reason: "a zk-serial terminal needs a baud rate (e.g. 115200)".into(),
        }),
        _ => Ok(address),
    }
}

fn dup(e: rusqlite::Error, name: &str) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Duplicate {
            what: "terminal",
            value: name.to_string(),
        }
    } else {
        e.into()
    }
}

/// Adds a terminal.
pub fn add(conn: &Connection, t: &NewTerminal) -> Result<Terminal> {
    let name = non_empty("terminal name", &t.name)?;
    let address = validate(t.kind, &t.address, t.port, t.baud)?;
    conn.execute(
        "INSERT INTO terminals (name, kind, address, port, baud, machine_no, encoding, comm_secret, location)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            name,
            t.kind.as_str(),
            address,
            t.port,
            t.baud,
            t.machine_no,
            t.encoding.as_str(),
            t.comm_secret,
            opt_text(t.location.as_deref())
        ],
    )
    .map_err(|e| dup(e, &name))?;
    get(conn, conn.last_insert_rowid())
}

/// All terminals by name.
pub fn list(conn: &Connection) -> Result<Vec<Terminal>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY name"))?;
    let rows = stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

/// A terminal by id.
pub fn get(conn: &Connection, id: i64) -> Result<Terminal> {
    conn.query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?
        .map(finish)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound {
            what: "terminal",
            key: format!("#{id}"),
        })
}

/// A terminal by name, or None.
pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<Terminal>> {
    conn.query_row(&format!("{SELECT} WHERE name = ?1"), [name.trim()], row)
        .optional()?
        .map(finish)
        .transpose()
}

/// A terminal by name, or `NotFound { what: "terminal" }`.
pub fn get_by_name(conn: &Connection, name: &str) -> Result<Terminal> {
    find_by_name(conn, name)?.ok_or_else(|| StoreError::NotFound {
        what: "terminal",
        key: name.to_string(),
    })
}

/// A terminal by its serial number, or None.
pub fn find_by_serial(conn: &Connection, serial: &str) -> Result<Option<Terminal>> {
    conn.query_row(&format!("{SELECT} WHERE serial_no = ?1"), [serial], row)
        .optional()?
        .map(finish)
        .transpose()
}

/// Applies `u` to the terminal called `name`; returns the updated row.
pub fn update(conn: &Connection, name: &str, u: &TerminalUpdate) -> Result<Terminal> {
    let cur = get_by_name(conn, name)?;
    let new_name = match &u.name {
        Some(n) => non_empty("terminal name", n)?,
        None => cur.name.clone(),
    };
    let kind = u.kind.unwrap_or(cur.kind);
    let port = u.port.unwrap_or(cur.port);
    let baud = u.baud.unwrap_or(cur.baud);
    let address = validate(
        kind,
        u.address.as_deref().unwrap_or(&cur.address),
        port,
        baud,
    )?;
    let location = match &u.location {
        Some(l) => opt_text(l.as_deref()),
        None => cur.location.clone(),
    };
    conn.execute(
        "UPDATE terminals SET name = ?1, kind = ?2, address = ?3, port = ?4, baud = ?5, machine_no = ?6,
             encoding = ?7, comm_secret = ?8, admin_secret = ?9, location = ?10, handover_until = ?11
         WHERE id = ?12",
        params![
            new_name,
            kind.as_str(),
            address,
            port,
            baud,
            u.machine_no.unwrap_or(cur.machine_no),
            u.encoding.unwrap_or(cur.encoding).as_str(),
            u.comm_secret.clone().unwrap_or(cur.comm_secret),
            u.admin_secret.clone().unwrap_or(cur.admin_secret),
            location,
            u.handover_until.unwrap_or(cur.handover_until).map(timefmt::event_ts),
            cur.id
        ],
    )
    .map_err(|e| dup(e, &new_name))?;
    get(conn, cur.id)
}

/// Removes a terminal. Its sessions, findings and snapshots keep its name; its punches stay in the ledger.
pub fn remove(conn: &Connection, name: &str) -> Result<Terminal> {
    let cur = get_by_name(conn, name)?;
    conn.execute("DELETE FROM terminals WHERE id = ?1", [cur.id])?;
    Ok(cur)
}

/// Records the serial number read at contact. A serial already owned by another terminal is refused.
pub fn set_serial_no(conn: &Connection, id: i64, serial: &str) -> Result<()> {
    let serial = non_empty("serial number", serial)?;
    conn.execute(
        "UPDATE terminals SET serial_no = ?1 WHERE id = ?2",
        params![serial, id],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Duplicate {
                what: "terminal serial number",
                value: serial.clone(),
            }
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// Health: a successful contact at `at` (clears the failure counter).
pub fn record_contact_ok(conn: &Connection, id: i64, at: NaiveDateTime) -> Result<()> {
    conn.execute(
        "UPDATE terminals SET last_contact_at = ?1, consecutive_failures = 0 WHERE id = ?2",
        params![timefmt::event_ts(at), id],
    )?;
    Ok(())
}

/// Health: a failed contact at `at` (no secrets in `error`).
pub fn record_contact_error(
    conn: &Connection,
    id: i64,
    at: NaiveDateTime,
    error: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE terminals SET last_error = ?1, last_error_at = ?2, consecutive_failures = consecutive_failures + 1
         WHERE id = ?3",
        params![error, timefmt::event_ts(at), id],
    )?;
    Ok(())
}
