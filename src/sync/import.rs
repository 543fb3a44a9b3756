//! USB-stick import (`kaoqin import punches FILE`): a ZK `attlog.dat` or our CSV into the ledger with
//! the same dedup, checks and audit as a download, and a report of every bad line by number.
//!
//! One `import` session per terminal serial found in the file; all of a file's good lines, the
//! sessions, findings and audit entries are committed in ONE transaction. No connection is made,
//! so the connection rules do not apply (and an import does not count for the spacing rule).
//! Must not parse lines itself (`attlog.rs` does).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use chrono::NaiveDateTime;
use kaoqin_store::punches;
use kaoqin_store::rusqlite::Transaction;
use kaoqin_store::sessions::{self, NewSession, SessionEnd, SessionKind, SessionResult};
use kaoqin_store::terminals::{self, Terminal};
use kaoqin_store::{Store, audit};
use serde::Serialize;
use serde_json::json;

use crate::attlog::{self, FileFormat, LineError};
use crate::checks::{self, CheckSettings, Finding, LogRecord};
use crate::download::{classify, employee_numbers, store_findings};
use crate::error::SyncError;
use crate::link::TerminalPunch;
use crate::session::{Actor, RecordCounts};

/// Files larger than this are refused before they are read (a terminal log of 200,000 records is
/// about 10 MB; this is over a million records).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// At most this many bad lines go into the audit entry (all are in the report).
const AUDITED_BAD_LINES: usize = 50;

/// What one terminal's part of the file did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedTerminal {
    pub session_id: i64,
    pub terminal_serial: String,
    /// The registered terminal with that serial, if any.
    pub terminal_name: Option<String>,
    pub counts: RecordCounts,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub format: &'static str,
    pub lines_ok: usize,
    pub bad_lines: Vec<LineError>,
    pub terminals: Vec<ImportedTerminal>,
}

impl ImportReport {
    pub fn total(&self) -> RecordCounts {
        let mut t = RecordCounts::default();
        for x in &self.terminals {
            t.read += x.counts.read;
            t.new += x.counts.new;
            t.already_stored += x.counts.already_stored;
        }
        t
    }
}

/// What the person importing chose beyond the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The serial number of the terminal named with `--terminal` (`--serial SN`), for a terminal
    /// that has none yet (never connected: USB only). It is stored on the terminal in the same
    /// transaction as the punches, with its own audit entry. Must match a serial already stored.
    pub serial: Option<String>,
    /// Store punches whose serial is not a registered terminal, each such terminal's part with an
    /// `unregistered-terminal` finding. The caller checks the supervisor's permission first.
    pub allow_unregistered: bool,
    /// Check the file and report what would be stored (new and already-stored records, bad
    /// lines, findings) without storing anything: the transaction is rolled back.
    pub dry_run: bool,
}

/// Imports a punch file with the default [`ImportOptions`] (see [`import_punches_file_with`]).
pub fn import_punches_file(
    store: &mut Store,
    actor: &Actor,
    path: &Path,
    terminal: Option<&Terminal>,
    check_settings: &CheckSettings,
    now: NaiveDateTime,
) -> Result<ImportReport, SyncError> {
    import_punches_file_with(
        store,
        actor,
        path,
        terminal,
        &ImportOptions::default(),
        check_settings,
        now,
    )
}

/// Imports a punch file. `terminal` is required for `attlog.dat` (the file does not name its
/// terminal: `--terminal NAME`); for our CSV it is optional and, if given, every line must carry
/// its serial. Bad lines are reported, not fatal; a file with no good line stores nothing, and
/// neither does a file with a line whose serial is not a registered terminal (unless
/// `opts.allow_unregistered`): every punch stored keeps a known origin.
pub fn import_punches_file_with(
    store: &mut Store,
    actor: &Actor,
    path: &Path,
    terminal: Option<&Terminal>,
    opts: &ImportOptions,
    check_settings: &CheckSettings,
    now: NaiveDateTime,
) -> Result<ImportReport, SyncError> {
    let parsed = read_punch_file(path, terminal)?;
    let format = format_name(parsed.format);
    let learned = serial_to_learn(store, path, terminal, opts, parsed.format, &parsed.punches)?;
    let known_serial = terminal
        .and_then(|t| t.serial_no.clone())
        .or_else(|| learned.clone());
    let mut bad_lines = parsed.errors;
    let (groups, lines_ok) = group_by_serial(parsed.punches, known_serial.as_ref(), &mut bad_lines);
    bad_lines.sort_by_key(|e| e.line);
    let file = path.display().to_string();
    if groups.is_empty() {
        return Err(no_valid_line(&file, &bad_lines));
    }
    check_registered(store, &file, &groups, learned.as_ref(), opts)?;

    let tx = store.transaction()?;
    if let (Some(t), Some(serial)) = (terminal, &learned) {
        store_learned_serial(&tx, actor, t, serial, opts, &file, now)?;
    }
    let employees = employee_numbers(&tx)?;
    let batch = FileBatch {
        actor,
        file: &file,
        format,
        bad_lines: &bad_lines,
        check_settings,
        employees: &employees,
        now,
    };
    let mut imported = Vec::new();
    for (serial, rows) in groups {
        imported.push(import_terminal(&tx, &batch, serial, rows)?);
    }
    if opts.dry_run {
        // Dropping the transaction rolls back the punches, sessions, findings and audit entries.
        drop(tx);
    } else {
        tx.commit()?;
    }
    Ok(ImportReport {
        file,
        format,
        lines_ok,
        bad_lines,
        terminals: imported,
    })
}

/// The file's good lines by terminal serial, each with its line number, in file order.
type SerialGroups = BTreeMap<String, Vec<(usize, TerminalPunch)>>;

/// What every terminal's part of one file shares.
struct FileBatch<'a> {
    actor: &'a Actor,
    file: &'a str,
    format: &'static str,
    /// All of the file's bad lines (sorted): counted on every terminal's session and audit entry.
    bad_lines: &'a [LineError],
    check_settings: &'a CheckSettings,
    employees: &'a HashSet<String>,
    now: NaiveDateTime,
}

/// Reads and parses the file, refusing one over [`MAX_FILE_BYTES`] before reading it, and an
/// `attlog.dat` when no terminal is named (the file does not say where it came from).
fn read_punch_file(path: &Path, terminal: Option<&Terminal>) -> Result<attlog::Parsed, SyncError> {
    let io_err = |source| SyncError::Io {
        path: path.display().to_string(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io_err)?.len();
    if size > MAX_FILE_BYTES {
        return Err(SyncError::Invalid(format!(
            "{} is {:.1} MB; punch files over {} MB are refused and nothing was read. Is it the \
             terminal's attlog.dat? If so, export a shorter period from the terminal (or split the \
             file by lines) and import the parts",
            path.display(),
            size as f64 / (1024.0 * 1024.0),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = std::fs::read(path).map_err(io_err)?;
    let parsed = attlog::parse(&bytes);
    if parsed.format == FileFormat::AttLog && terminal.is_none() {
        return Err(SyncError::Invalid(format!(
            "{} is a ZK attlog.dat, which does not say which terminal it came from: \
             name the terminal (--terminal NAME)",
            path.display()
        )));
    }
    Ok(parsed)
}

/// The format's name in the report, the session row and the audit entry.
fn format_name(format: FileFormat) -> &'static str {
    match format {
        FileFormat::AttLog => "attlog",
        FileFormat::Csv => "csv",
    }
}

/// Groups the punches by serial (a line without one takes `known_serial`), keeping file order
/// within each group. A line whose serial contradicts the named terminal's, or that has none and
/// no terminal was named, goes to `bad_lines`. Returns the groups and the number of good lines.
fn group_by_serial(
    punches: Vec<attlog::FilePunch>,
    known_serial: Option<&String>,
    bad_lines: &mut Vec<LineError>,
) -> (SerialGroups, usize) {
    // File order within each group matters: the checks read it as log order.
    let mut groups = SerialGroups::new();
    let mut lines_ok = 0usize;
    for p in punches {
        let serial = match (&p.terminal_serial, known_serial) {
            (Some(s), Some(k)) if s != k => {
                bad_lines.push(LineError {
                    line: p.line,
                    reason: format!(
                        "terminal serial {s} is not the serial {k} of the terminal named on the command line"
                    ),
                });
                continue;
            }
            (Some(s), _) => s.clone(),
            (None, Some(k)) => k.clone(),
            (None, None) => {
                bad_lines.push(LineError {
                    line: p.line,
                    reason: "no terminal serial".into(),
                });
                continue;
            }
        };
        lines_ok += 1;
        groups.entry(serial).or_default().push((
            p.line,
            TerminalPunch {
                enrollment_no: p.enrollment_no,
                timestamp: p.timestamp,
                verify: p.verify,
                state: p.state,
                workcode: p.workcode,
            },
        ));
    }
    (groups, lines_ok)
}

/// The refusal of a file without one good line, naming the first bad one.
fn no_valid_line(file: &str, bad_lines: &[LineError]) -> SyncError {
    SyncError::Invalid(format!(
        "{file}: no valid punch line ({} bad line(s); first: {})",
        bad_lines.len(),
        bad_lines
            .first()
            .map(|e| e.to_string())
            .unwrap_or_else(|| "the file is empty".into())
    ))
}

/// Every serial must be a registered terminal (or the one being learned), else nothing is stored:
/// the refusal lists each unregistered serial's lines, unless `opts.allow_unregistered`.
fn check_registered(
    store: &Store,
    file: &str,
    groups: &SerialGroups,
    learned: Option<&String>,
    opts: &ImportOptions,
) -> Result<(), SyncError> {
    let mut unregistered: Vec<String> = Vec::new();
    for serial in groups.keys() {
        if learned != Some(serial) && terminals::find_by_serial(store.conn(), serial)?.is_none() {
            unregistered.push(serial.clone());
        }
    }
    if unregistered.is_empty() || opts.allow_unregistered {
        return Ok(());
    }
    let mut lines: Vec<LineError> = unregistered
        .iter()
        .flat_map(|serial| {
            groups
                .get(serial)
                .into_iter()
                .flatten()
                .map(move |(line, _)| LineError {
                    line: *line,
                    reason: format!("terminal serial {serial} is not a registered terminal"),
                })
        })
        .collect();
    lines.sort_by_key(|e| e.line);
    Err(SyncError::Unregistered {
        file: file.to_string(),
        serials: unregistered,
        lines,
    })
}

/// Stores the learned serial on the named terminal with its own audit entry, in the import's
/// transaction.
fn store_learned_serial(
    tx: &Transaction<'_>,
    actor: &Actor,
    terminal: &Terminal,
    serial: &str,
    opts: &ImportOptions,
    file: &str,
    now: NaiveDateTime,
) -> Result<(), SyncError> {
    terminals::set_serial_no(tx, terminal.id, serial)?;
    audit::append(
        tx,
        audit::NewEntry {
            at: now,
            actor: actor.name.clone(),
            role: Some(actor.role),
            action: "terminal.serial".into(),
            target: terminal.name.clone(),
            details: json!({
                "serial_no": serial,
                "from": if opts.serial.is_some() { "import --serial" } else { "import file" },
                "file": file,
            }),
        },
    )?;
    Ok(())
}

/// One terminal's part of the file: its `import` session, the new punches stored (dedup against
/// the ledger), its findings, the session's end and its audit entry with the batch hash.
fn import_terminal(
    tx: &Transaction<'_>,
    batch: &FileBatch<'_>,
    serial: String,
    rows: Vec<(usize, TerminalPunch)>,
) -> Result<ImportedTerminal, SyncError> {
    let term = terminals::find_by_serial(tx, &serial)?;
    let log: Vec<TerminalPunch> = rows.into_iter().map(|(_, p)| p).collect();
    let session_id = start_import_session(tx, batch, &serial, term.as_ref())?;
    let classified = classify(tx, &serial, &log)?;
    let stats = punches::insert_batch(tx, session_id, &serial, batch.now, &classified.new_punches)?;
    let hash = kaoqin_store::evidence::batch_hash(
        tx,
        session_id,
        &serial,
        crate::download::batch_range(&classified.new_punches),
    )?;
    let read = log.len() as u64;
    let counts = RecordCounts {
        read,
        new: stats.new,
        already_stored: read.saturating_sub(stats.new),
    };
    let found = terminal_findings(batch, &serial, term.is_none(), &log, &classified.is_new);
    store_findings(
        tx,
        session_id,
        term.as_ref().map(|t| t.id),
        batch.now,
        &found,
    )?;
    let part = ImportedTerminal {
        session_id,
        terminal_serial: serial,
        terminal_name: term.map(|t| t.name),
        counts,
        findings: found,
    };
    finish_import_session(tx, batch, &part, &hash)?;
    Ok(part)
}

/// The terminal's `import` session row (no connection: the peer is the file), with the file's
/// format.
fn start_import_session(
    tx: &Transaction<'_>,
    batch: &FileBatch<'_>,
    serial: &str,
    term: Option<&Terminal>,
) -> Result<i64, SyncError> {
    let session_id = sessions::start(
        tx,
        &NewSession {
            kind: SessionKind::Import,
            terminal_id: term.map(|t| t.id),
            terminal_name: term
                .map(|t| t.name.clone())
                .unwrap_or_else(|| format!("serial {serial}")),
            actor: batch.actor.name.clone(),
            role: batch.actor.role,
            peer_addr: Some(format!("file:{}", batch.file)),
            started_at: batch.now,
            override_reason: None,
        },
    )?;
    sessions::set_file_format(tx, session_id, batch.format)?;
    Ok(session_id)
}

/// The checks a download runs (no terminal clock: a file has none), plus an
/// `unregistered-terminal` finding first when no registered terminal has this serial.
fn terminal_findings(
    batch: &FileBatch<'_>,
    serial: &str,
    unregistered: bool,
    log: &[TerminalPunch],
    is_new: &[bool],
) -> Vec<Finding> {
    let records: Vec<LogRecord> = log
        .iter()
        .zip(is_new)
        .map(|(p, n)| LogRecord {
            enrollment_no: p.enrollment_no.clone(),
            timestamp: p.timestamp,
            verify: p.verify,
            is_new: *n,
        })
        .collect();
    let mut found = Vec::new();
    if unregistered {
        found.push(checks::unregistered_terminal(serial, batch.file, &records));
    }
    found.extend(checks::run_all(
        batch.check_settings,
        batch.now,
        None,
        &records,
        batch.employees,
    ));
    found
}

/// The session's end (the file's bad lines counted on it) and its `import` audit entry with the
/// batch's count and hash.
fn finish_import_session(
    tx: &Transaction<'_>,
    batch: &FileBatch<'_>,
    part: &ImportedTerminal,
    hash: &kaoqin_store::evidence::BatchHash,
) -> Result<(), SyncError> {
    let bad_lines = batch.bad_lines;
    let (session_id, serial, counts) = (part.session_id, &part.terminal_serial, part.counts);
    sessions::finish(
        tx,
        session_id,
        &SessionEnd {
            ended_at: batch.now,
            commands: json!({}),
            records_read: counts.read,
            records_new: counts.new,
            records_dup: counts.already_stored,
            result: SessionResult::Ok,
            error: (!bad_lines.is_empty())
                .then(|| format!("{} bad line(s) skipped", bad_lines.len())),
            cut: false,
            clock_skew_secs: None,
        },
    )?;
    let audited_bad: Vec<String> = bad_lines
        .iter()
        .take(AUDITED_BAD_LINES)
        .map(|e| e.to_string())
        .collect();
    audit::append(
        tx,
        audit::NewEntry {
            at: batch.now,
            actor: batch.actor.name.clone(),
            role: Some(batch.actor.role),
            action: "import".into(),
            target: part.terminal_name.clone().unwrap_or_else(|| serial.clone()),
            details: json!({
                "session": session_id,
                "file": batch.file,
                "format": batch.format,
                "terminal_serial": serial,
                "registered_terminal": part.terminal_name.is_some(),
                "records_read": counts.read,
                "records_new": counts.new,
                "records_already_stored": counts.already_stored,
                "bad_lines": bad_lines.len(),
                "first_bad_lines": audited_bad,
                "findings": part.findings.iter().map(|f| f.kind.as_str()).collect::<Vec<_>>(),
                kaoqin_store::evidence::BATCH_COUNT_KEY: hash.punches,
                kaoqin_store::evidence::BATCH_HASH_KEY: hash.sha256,
            }),
        },
    )?;
    Ok(())
}

/// The serial to store on `terminal` with this import: `--serial`, or the one serial our CSV
/// carries, when the terminal has none yet. Refuses a `--serial` that contradicts the stored one or
/// belongs to another terminal, and an attlog.dat for a terminal without any serial.
fn serial_to_learn(
    store: &Store,
    path: &Path,
    terminal: Option<&Terminal>,
    opts: &ImportOptions,
    format: FileFormat,
    punches: &[attlog::FilePunch],
) -> Result<Option<String>, SyncError> {
    let given = opts
        .serial
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let Some(t) = terminal else {
        return match given {
            Some(_) => Err(SyncError::Invalid(
                "--serial gives the serial number of the terminal named with --terminal NAME: \
                 name the terminal too"
                    .into(),
            )),
            None => Ok(None),
        };
    };
    let learned = match (&t.serial_no, given) {
        (Some(k), Some(g)) if k != g => {
            return Err(SyncError::Invalid(format!(
                "terminal '{}' is registered with serial number {k}, not {g}: check which \
                 terminal the file came from",
                t.name
            )));
        }
        (Some(_), _) => return Ok(None),
        (None, Some(g)) => g.to_string(),
        (None, None) => {
            let mut serials: Vec<&str> = punches
                .iter()
                .filter_map(|p| p.terminal_serial.as_deref())
                .collect();
            serials.sort_unstable();
            serials.dedup();
            match (format, serials.as_slice()) {
                (FileFormat::Csv, [one]) => one.to_string(),
                (FileFormat::Csv, []) => return Ok(None),
                (FileFormat::Csv, many) => {
                    return Err(SyncError::Invalid(format!(
                        "{} carries the terminal serials {} and terminal '{}' has none yet: give \
                         its serial number with --serial SN",
                        path.display(),
                        many.join(", "),
                        t.name
                    )));
                }
                (FileFormat::AttLog, _) => {
                    return Err(SyncError::Invalid(format!(
                        "terminal '{}' has no serial number yet and an attlog.dat does not carry one: \
                         give the serial number shown on the terminal (menu System info › Device \
                         info, or the label on its back) with --serial SN, or download it once over \
                         the network",
                        t.name
                    )));
                }
            }
        }
    };
    if let Some(other) = terminals::find_by_serial(store.conn(), &learned)?
        && other.id != t.id
    {
        return Err(SyncError::Invalid(format!(
            "serial number {learned} is already registered to terminal '{}', not '{}': check \
             which terminal the file came from",
            other.name, t.name
        )));
    }
    Ok(Some(learned))
}
