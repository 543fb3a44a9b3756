//! The evidence beyond the hash chain: what lets `audit verify` speak for the punches and for the
//! newest entries, not only for the entries in the middle.
//!
//! - **Batch hashes.** Every download or import batch records in its audit entry (which is in the
//!   chain) `punches_stored` and `punches_sha256`, a SHA-256 over the punches the batch stored, in
//!   key order ([`batch_hash`]). [`verify_batches`] recomputes every batch from the ledger in one pass,
//!   so an altered, added or removed punch shows even when the audit entries are untouched.
//!   Encoding (version 1): `SHA-256(b"kaoqin-punches-v1\n" || for each punch in (terminal serial,
//!   timestamp, enrollment no.) order: F(serial) F(ts) F(enrollment) F(verify) F(state) F(work code)
//!   F(stored_at))` with `F` = 4-byte big-endian length + UTF-8 bytes, numbers in decimal, times as
//!   stored.
//! - **Anchors.** The chain alone cannot show that its newest entries were cut off. An [`Anchor`]
//!   (time, number of entries, head hash) written outside the database — the anchor file beside it
//!   ([`anchor_file`], one line per act), every backup's manifest, every snapshot's manifest, every
//!   exported workbook — is compared with the chain by [`check_anchors`].
//! - **Schema.** [`schema_problems`] compares a file's tables, indexes and triggers with the ones our
//!   migrations create at its version (a dropped or altered trigger shows), and [`reinstate_schema`]
//!   puts our triggers back.
//!
//! No clock here: callers pass times in.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::{Result, StoreError};
use crate::timefmt;

/// Audit details key: the number of punches a batch stored.
pub const BATCH_COUNT_KEY: &str = "punches_stored";
/// Audit details key: the batch's SHA-256 (see the module docs).
pub const BATCH_HASH_KEY: &str = "punches_sha256";
/// What follows the database's file name in the anchor file's name: `kaoqin.db.anchors`.
pub const ANCHOR_SUFFIX: &str = ".anchors";

// ---------------------------------------------------------------------------------------------
// Batch hashes

/// A batch's punches, hashed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchHash {
    pub punches: u64,
    pub sha256: String,
}

fn field(h: &mut Sha256, f: &str) {
    let len = u32::try_from(f.len()).unwrap_or(u32::MAX);
    h.update(len.to_be_bytes());
    h.update(f.as_bytes());
}

fn new_batch_hasher() -> Sha256 {
    let mut h = Sha256::new();
    h.update(b"kaoqin-punches-v1\n");
    h
}

struct Row {
    serial: String,
    ts: String,
    enrollment: String,
    verify: i64,
    state: i64,
    work_code: i64,
    stored_at: String,
    session: i64,
}

fn feed(h: &mut Sha256, r: &Row) {
    field(h, &r.serial);
    field(h, &r.ts);
    field(h, &r.enrollment);
    field(h, &r.verify.to_string());
    field(h, &r.state.to_string());
    field(h, &r.work_code.to_string());
    field(h, &r.stored_at);
}

const ROW_COLUMNS: &str = "terminal_serial, ts, enrollment_no, verify_mode, in_out_state, work_code, \
                           stored_at, session_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        serial: r.get(0)?,
        ts: r.get(1)?,
        enrollment: r.get(2)?,
        verify: r.get(3)?,
        state: r.get(4)?,
        work_code: r.get(5)?,
        stored_at: r.get(6)?,
        session: r.get(7)?,
    })
}

/// The hash of what session `session_id` stored from terminal `serial`, reading only that terminal's
/// punches between `from` and `to` (the batch's first and last timestamps; `None` = an empty batch).
/// Call it in the batch's transaction, after `insert_batch`, and record it in the batch's audit entry.
pub fn batch_hash(
    conn: &Connection,
    session_id: i64,
    serial: &str,
    range: Option<(NaiveDateTime, NaiveDateTime)>,
) -> Result<BatchHash> {
    let mut h = new_batch_hasher();
    let mut n = 0u64;
    if let Some((from, to)) = range {
        let mut stmt = conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM raw_punches WHERE terminal_serial = ?1 AND ts >= ?2 AND ts <= ?3 \
             AND session_id = ?4 ORDER BY terminal_serial, ts, enrollment_no"
        ))?;
        let mut rows = stmt.query(rusqlite::params![
            serial,
            timefmt::punch_ts(from),
            timefmt::punch_ts(to),
            session_id
        ])?;
        while let Some(r) = rows.next()? {
            feed(&mut h, &row(r)?);
            n += 1;
        }
    }
    Ok(BatchHash {
        punches: n,
        sha256: hex::encode(h.finalize()),
    })
}

/// A batch whose punches no longer match what its audit entry recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchProblem {
    pub session_id: i64,
    /// The audit entry that recorded the batch (None: punches of a session no entry covers).
    pub audit_seq: Option<i64>,
    pub expected: Option<BatchHash>,
    pub found: BatchHash,
}

impl std::fmt::Display for BatchProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.audit_seq, &self.expected) {
            (Some(seq), Some(exp)) => write!(
                f,
                "the punches of session #{} no longer match audit entry {seq}: it recorded {} punch(es) \
                 with hash {}, the ledger now holds {} with hash {} (punches were altered, added or removed)",
                self.session_id, exp.punches, exp.sha256, self.found.punches, self.found.sha256
            ),
            _ => write!(
                f,
                "{} punch(es) of session #{} are covered by no audit entry, although every batch since \
                 the first hashed one records its hash (they were added outside Kaoqin)",
                self.found.punches, self.session_id
            ),
        }
    }
}

/// What [`verify_batches`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BatchReport {
    /// Batches whose recorded hash was checked (those with a problem included).
    pub covered_batches: u64,
    pub covered_punches: u64,
    /// Batches stored before hashes were recorded (older databases): counted, not judged.
    pub not_covered_batches: u64,
    pub not_covered_punches: u64,
    pub problems: Vec<BatchProblem>,
}

impl BatchReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Recomputes every batch's hash from the ledger (one pass in key order) and compares it with the
/// hash its audit entry recorded. Sessions without a recorded hash are "not covered" when they come
/// before the first hashed batch, and a problem after it.
pub fn verify_batches(conn: &Connection) -> Result<BatchReport> {
    // session -> (audit seq, recorded hash): the first entry naming the session wins.
    let mut recorded: BTreeMap<i64, (i64, BatchHash)> = BTreeMap::new();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT seq, json_extract(details, '$.session'), json_extract(details, '$.{BATCH_COUNT_KEY}'), \
                    json_extract(details, '$.{BATCH_HASH_KEY}')
             FROM audit_log
             WHERE json_valid(details) AND json_type(details, '$.{BATCH_HASH_KEY}') = 'text'
             ORDER BY seq"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let session: Option<i64> = r.get::<_, Option<i64>>(1).unwrap_or(None);
            let count: Option<i64> = r.get::<_, Option<i64>>(2).unwrap_or(None);
            let hash: String = r.get(3)?;
            if let Some(s) = session {
                recorded.entry(s).or_insert((
                    seq,
                    BatchHash {
                        punches: count.map(timefmt::to_u64).unwrap_or(0),
                        sha256: hash,
                    },
                ));
            }
        }
    }
    let mut hashers: HashMap<i64, (Sha256, u64)> = HashMap::new();
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM raw_punches ORDER BY terminal_serial, ts, enrollment_no"
        ))?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let r = row(r)?;
            let (h, n) = hashers
                .entry(r.session)
                .or_insert_with(|| (new_batch_hasher(), 0));
            feed(h, &r);
            *n += 1;
        }
    }
    let mut found: BTreeMap<i64, BatchHash> = hashers
        .into_iter()
        .map(|(s, (h, n))| {
            (
                s,
                BatchHash {
                    punches: n,
                    sha256: hex::encode(h.finalize()),
                },
            )
        })
        .collect();
    let first_hashed = recorded.keys().next().copied();
    let mut report = BatchReport::default();
    for (session, (seq, expected)) in &recorded {
        let got = found.remove(session).unwrap_or_else(|| BatchHash {
            punches: 0,
            sha256: hex::encode(new_batch_hasher().finalize()),
        });
        report.covered_batches += 1;
        report.covered_punches += got.punches;
        if &got != expected {
            report.problems.push(BatchProblem {
                session_id: *session,
                audit_seq: Some(*seq),
                expected: Some(expected.clone()),
                found: got,
            });
        }
    }
    for (session, got) in found {
        if first_hashed.is_some_and(|f| session > f) {
            report.problems.push(BatchProblem {
                session_id: session,
                audit_seq: None,
                expected: None,
                found: got,
            });
        } else {
            report.not_covered_batches += 1;
            report.not_covered_punches += got.punches;
        }
    }
    report.problems.sort_by_key(|p| p.session_id);
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// Anchors

/// The chain's head at a moment, kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Anchor {
    /// PC local time of the act that wrote it.
    pub at: NaiveDateTime,
    /// Number of audit entries (= the head's sequence number).
    pub entries: u64,
    /// Hash of entry `entries` (the genesis hash for an empty log).
    pub head: String,
    /// What wrote it: an audit action ("backup", "restore", "report.export", …).
    #[serde(default)]
    pub event: String,
}

impl Anchor {
    /// The head of the chain behind `conn` now.
    pub fn of(conn: &Connection, at: NaiveDateTime, event: &str) -> Result<Anchor> {
        let (entries, head) = crate::audit::head(conn)?
            .map(|(s, h)| (timefmt::to_u64(s), h))
            .unwrap_or((0, crate::audit::GENESIS_HASH.to_string()));
        Ok(Anchor {
            at,
            entries,
            head,
            event: event.to_string(),
        })
    }

    /// One line of the anchor file (without the newline): `time<TAB>entries<TAB>head<TAB>event`.
    pub fn to_line(&self) -> String {
        let event: String = self
            .event
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(
            "{}\t{}\t{}\t{}",
            timefmt::event_ts(self.at),
            self.entries,
            self.head,
            event
        )
    }

    /// Parses a line written by [`Anchor::to_line`]; None for anything else.
    pub fn parse_line(line: &str) -> Option<Anchor> {
        let mut it = line.trim_end_matches(['\r', '\n']).splitn(4, '\t');
        let at = timefmt::parse_event_ts(it.next()?).ok()?;
        let entries = it.next()?.parse().ok()?;
        let head = it.next()?.to_string();
        if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Anchor {
            at,
            entries,
            head,
            event: it.next().unwrap_or("").to_string(),
        })
    }

    /// The text an exported workbook carries in its properties:
    /// `entry N of YYYY-MM-DD HH:MM:SS: HASH`.
    pub fn to_workbook_text(&self) -> String {
        format!(
            "entry {} of {}: {}",
            self.entries,
            self.at.format("%Y-%m-%d %H:%M:%S"),
            self.head
        )
    }

    /// Parses the text [`Anchor::to_workbook_text`] writes (event "report.export"); None for
    /// anything else.
    pub fn parse_workbook_text(text: &str) -> Option<Anchor> {
        let rest = text.trim().strip_prefix("entry ")?;
        let (entries, rest) = rest.split_once(" of ")?;
        let (at, head) = rest.rsplit_once(": ")?;
        let at = NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").ok()?;
        if head.len() != 64 || !head.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(Anchor {
            at,
            entries: entries.parse().ok()?,
            head: head.to_string(),
            event: "report.export".into(),
        })
    }

    /// "entry 12 (hash 3f2a…)" for messages.
    pub fn short(&self) -> String {
        format!(
            "entry {} of {}",
            self.entries,
            self.at.format("%Y-%m-%d %H:%M:%S")
        )
    }
}

/// The anchor file of the database at `db`: `<db>.anchors` beside it.
pub fn anchor_file(db: &Path) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(ANCHOR_SUFFIX);
    PathBuf::from(s)
}

fn io(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

/// Appends `a` to the anchor file `file` (created owner-only on Unix) and syncs it.
pub fn append_anchor(file: &Path, a: &Anchor) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(file).map_err(|e| io(file, e))?;
    f.write_all(format!("{}\n", a.to_line()).as_bytes())
        .map_err(|e| io(file, e))?;
    f.sync_data().map_err(|e| io(file, e))
}

/// The anchors in `file` (a missing file has none) and how many lines could not be read.
pub fn read_anchors(file: &Path) -> Result<(Vec<Anchor>, usize)> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(io(file, e)),
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut anchors = Vec::new();
    let mut bad = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match Anchor::parse_line(line) {
            Some(a) => anchors.push(a),
            None => bad += 1,
        }
    }
    Ok((anchors, bad))
}

/// An anchor and where it was found ("the anchor file /x/kaoqin.db.anchors", "backup manifest …").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourcedAnchor {
    pub anchor: Anchor,
    pub source: String,
}

/// How an anchor compares with the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum AnchorStatus {
    /// Entry `entries` has the anchored hash.
    Matches,
    /// The chain has fewer entries than the anchor: the newest entries were cut off.
    Missing { chain_entries: u64 },
    /// Entry `entries` has another hash: the chain was rewritten up to there.
    Differs { found: String },
    /// Taken before a restore (audit entry `restore_seq` of `restore_at`) that replaced the chain it
    /// belonged to; shown, not judged.
    BeforeRestore {
        restore_seq: i64,
        restore_at: NaiveDateTime,
    },
}

/// Every anchor's status, newest anchor first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct AnchorReport {
    pub checked: Vec<(SourcedAnchor, AnchorStatus)>,
}

impl AnchorReport {
    /// The anchors that show tampering (missing or different entries).
    pub fn failures(&self) -> impl Iterator<Item = &(SourcedAnchor, AnchorStatus)> {
        self.checked.iter().filter(|(_, s)| {
            matches!(
                s,
                AnchorStatus::Missing { .. } | AnchorStatus::Differs { .. }
            )
        })
    }

    /// The newest anchor (most entries) that matches the chain.
    pub fn newest_match(&self) -> Option<&SourcedAnchor> {
        self.checked
            .iter()
            .filter(|(_, s)| *s == AnchorStatus::Matches)
            .map(|(a, _)| a)
            .max_by_key(|a| (a.anchor.entries, a.anchor.at))
    }

    /// The anchors set aside by a restore.
    pub fn before_restore(&self) -> usize {
        self.checked
            .iter()
            .filter(|(_, s)| matches!(s, AnchorStatus::BeforeRestore { .. }))
            .count()
    }
}

/// Compares each anchor with the chain behind `conn`. An anchor that does not match and is older
/// than a `restore` entry of the chain belonged to the database that restore replaced.
pub fn check_anchors(conn: &Connection, anchors: Vec<SourcedAnchor>) -> Result<AnchorReport> {
    let chain_entries = crate::audit::head(conn)?
        .map(|(s, _)| timefmt::to_u64(s))
        .unwrap_or(0);
    let restores: Vec<(i64, NaiveDateTime)> = {
        let mut stmt =
            conn.prepare("SELECT seq, at FROM audit_log WHERE action = 'restore' ORDER BY seq")?;
        let rows: Vec<(i64, String)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .filter_map(|(s, at)| timefmt::parse_event_ts(&at).ok().map(|t| (s, t)))
            .collect()
    };
    let mut checked = Vec::with_capacity(anchors.len());
    for sa in anchors {
        let a = &sa.anchor;
        let status = if a.entries == 0 {
            if a.head == crate::audit::GENESIS_HASH {
                AnchorStatus::Matches
            } else {
                AnchorStatus::Differs {
                    found: crate::audit::GENESIS_HASH.into(),
                }
            }
        } else {
            let found: Option<String> = conn
                .query_row(
                    "SELECT hash FROM audit_log WHERE seq = ?1",
                    [timefmt::to_i64(a.entries)],
                    |r| r.get(0),
                )
                .optional()?;
            match found {
                Some(h) if h == a.head => AnchorStatus::Matches,
                Some(h) => AnchorStatus::Differs { found: h },
                None => AnchorStatus::Missing { chain_entries },
            }
        };
        let status = match status {
            AnchorStatus::Matches => AnchorStatus::Matches,
            other => match restores
                .iter()
                .find(|(seq, at)| *at >= a.at && timefmt::to_u64(*seq) <= chain_entries && *seq > 0)
            {
                Some((seq, at)) => AnchorStatus::BeforeRestore {
                    restore_seq: *seq,
                    restore_at: *at,
                },
                None => other,
            },
        };
        checked.push((sa, status));
    }
    checked.sort_by(|(a, _), (b, _)| {
        (b.anchor.entries, b.anchor.at).cmp(&(a.anchor.entries, a.anchor.at))
    });
    Ok(AnchorReport { checked })
}

// ---------------------------------------------------------------------------------------------
// Schema

type SchemaObjects = BTreeMap<(String, String), String>;

fn objects(conn: &Connection) -> Result<SchemaObjects> {
    let mut stmt = conn.prepare(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_master
         WHERE name NOT LIKE 'sqlite_%' AND type IN ('table', 'index', 'trigger', 'view')",
    )?;
    let rows = stmt
        .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The objects our migrations create up to `version`.
fn reference(version: i64) -> Result<SchemaObjects> {
    let conn = Connection::open_in_memory()?;
    let steps = usize::try_from(version).unwrap_or(0);
    for step in crate::schema::MIGRATIONS.iter().take(steps) {
        conn.execute_batch(step)?;
    }
    objects(&conn)
}

/// Every difference between the schema behind `conn` and the one our migrations create at its
/// version, in words: a missing or altered table, index, trigger or view, or an extra trigger.
pub fn schema_problems(conn: &Connection) -> Result<Vec<String>> {
    let version = crate::schema::schema_version(conn)?;
    let want = reference(version)?;
    let have = objects(conn)?;
    let mut problems = Vec::new();
    for ((kind, name), sql) in &want {
        match have.get(&(kind.clone(), name.clone())) {
            None => problems.push(format!("{kind} {name} is missing")),
            Some(s) if s != sql => problems.push(format!("{kind} {name} was altered")),
            Some(_) => {}
        }
    }
    // Extra tables and indexes are left alone (a store module may keep its own, e.g. created on
    // first use); an extra trigger could act on the ledger, so it is named.
    for (kind, name) in have.keys() {
        if kind == "trigger" && !want.contains_key(&(kind.clone(), name.clone())) {
            problems.push(format!("{kind} {name} is not one of Kaoqin's"));
        }
    }
    Ok(problems)
}

/// Puts our triggers back as the migrations create them (drops altered or foreign triggers,
/// re-creates missing ones), in the caller's transaction. Returns what it changed.
pub fn reinstate_schema(conn: &Connection) -> Result<Vec<String>> {
    let version = crate::schema::schema_version(conn)?;
    let want = reference(version)?;
    let have = objects(conn)?;
    let mut changed = Vec::new();
    for ((kind, name), sql) in &have {
        if kind == "trigger" && want.get(&(kind.clone(), name.clone())) != Some(sql) {
            conn.execute_batch(&format!("DROP TRIGGER \"{}\"", name.replace('"', "\"\"")))?;
            changed.push(format!("dropped trigger {name}"));
        }
    }
    let have = objects(conn)?;
    for ((kind, name), sql) in &want {
        if kind == "trigger" && !have.contains_key(&(kind.clone(), name.clone())) {
            conn.execute_batch(sql)?;
            changed.push(format!("re-created trigger {name}"));
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::Anchor;

    #[test]
    fn the_workbook_text_round_trips_and_junk_is_refused() {
        let a = Anchor {
            at: chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
                .and_then(|d| d.and_hms_opt(10, 0, 5))
                .expect("a time"),
            entries: 12,
            head: "ab".repeat(32),
            event: "report.export".into(),
        };
        let text = a.to_workbook_text();
        assert_eq!(
            text,
            format!("entry 12 of 2026-11-25 10:00:05: {}", "ab".repeat(32))
        );
        assert_eq!(Anchor::parse_workbook_text(&text), Some(a));
        for junk in [
            "",
            "entry x of 2026-11-25 10:00:05: ab",
            "entry 12 of 2026-13-25 10:00:05: abab",
            &format!("entry 12 of 2026-11-25 10:00:05: {}", "zz".repeat(32)),
            &format!("entry -1 of 2026-11-25 10:00:05: {}", "ab".repeat(32)),
        ] {
            assert_eq!(Anchor::parse_workbook_text(junk), None, "{junk}");
        }
    }
}
