//! `kaoqin-store`: Kaoqin's SQLite database — schema migrations, repositories, the append-only raw punch
//! ledger, the hash-chained audit log, sealed secrets, backup and restore. It holds no business rules,
//! no permission table and no clock: callers pass every time in (`chrono::NaiveDateTime`, PC local time).
//!
//! # Opening
//! - [`Store::open`]`(path) -> Result<Store>`: creates if missing; WAL, `foreign_keys=ON`,
//!   `synchronous=NORMAL`, busy timeout 10 s; runs migrations (`PRAGMA user_version`, currently
//!   [`SCHEMA_VERSION`]); marks the file with `PRAGMA application_id` = [`APPLICATION_ID`].
//!   Errors: [`StoreError::SchemaTooNew`], [`StoreError::NotKaoqinDatabase`] (not SQLite, or another
//!   program's SQLite file), [`StoreError::Corrupt`] — each names the file.
//! - [`Store::open_read_only_for_auditor`]`(path)`: an existing, current-schema database; a SQLite
//!   authorizer denies every write except INSERT into `audit_log`, `snapshots`, `auditor_keys`
//!   (→ [`StoreError::AuditorReadOnly`]).
//! - `store.conn() -> &Connection`, `store.transaction() -> Transaction` (BEGIN IMMEDIATE; a
//!   `Transaction` derefs to `&Connection`, so every repository function below takes `&Connection` and
//!   the caller writes the effect and its audit entry in ONE transaction, then `tx.commit()`).
//!
//! # Repositories (free functions taking `&Connection`)
//! - [`org`]: `get_name`, `set_name`; [`departments`]: `add(conn, name, parent_id) -> Department`,
//!   `list` (parents before children), `get(id)`, `find_by_name -> Option`, `get_by_name` (NotFound).
//! - [`employees`]: `add(&NewEmployee) -> Employee`, `find_by_no`/`get_by_no(工号)`,
//!   `list(&EmployeeFilter)`, `update(no, &EmployeeUpdate)`, `deactivate(no, leave_date)`. Duplicate 工号
//!   → `Duplicate{what:"工号 (enrollment number)"}`; empty name → `Invalid{field:"name"}`; leave before
//!   hire → `Invalid{field:"leave date"}`; unknown department id → `NotFound{what:"department"}`.
//! - [`terminals`]: `add(&NewTerminal)`, `list`, `get(id)`, `find_by_name`/`get_by_name`,
//!   `find_by_serial`, `update(name, &TerminalUpdate)`, `remove(name)`, `set_serial_no`,
//!   `record_contact_ok`, `record_contact_error`. [`TerminalKind`] (`zk-tcp|zk-udp|zk-serial|isapi`),
//!   [`TextEncoding`] (`gbk|utf8`); secrets are stored only as blobs sealed by [`SecretBox`].
//! - [`users`]: `hash_password`, `verify_password` (argon2id PHC), `add(name, role, phc, created_at)`,
//!   `find_by_name`/`get_by_name`, `list`, `count`, `set_role`, `set_disabled`, `set_password_hash`,
//!   `record_failed_login(name, at) -> u32`, `reset_failed_logins`. [`Role`]: `Admin|Supervisor|HrClerk|
//!   Auditor`, `as_str()` = `admin|supervisor|hr_clerk|auditor`, `FromStr` (error lists valid roles).
//! - [`settings`]: `get`, `set -> previous`, `remove`, `list`.
//! - [`sessions`]: `start(&NewSession) -> id`, `finish(id, &SessionEnd)`, `get`, `list(&SessionFilter)`,
//!   `last_connection(terminal_id)` (for the spacing rule).
//! - [`findings`]: `add(&NewFinding) -> id`, `get`, `list(&FindingFilter)`, `explain(id, note, by, at)`.
//! - [`snapshots`]: `add(&NewSnapshot)`, `get`, `list(terminal_name)`, `register_auditor_key`,
//!   `find_auditor_key`, `list_auditor_keys`.
//!
//! # The ledger ([`punches`])
//! `insert_batch(&Transaction, session_id, terminal_serial, stored_at, &[NewPunch]) -> InsertStats{read,
//! new, already}` (prepared `INSERT … ON CONFLICT DO NOTHING`; the key is (terminal serial, timestamp,
//! enrollment no.)); `list`/`for_each`/`count(&PunchFilter{terminal_serial, enrollment_no, from, to})`.
//! Triggers reject UPDATE and DELETE (→ [`StoreError::PunchesImmutable`]), even from raw SQL.
//!
//! # The audit chain ([`audit`])
//! `append(conn, NewEntry{at, actor, role, action, target, details}) -> AuditEntry`, `verify(conn) ->
//! VerifyReport{entries_checked, first_break: Option<Break{seq, expected, found, reason}>, head_hash}`,
//! `list(&AuditFilter{since, actor, action})`, `head`, `check_details` (refuses secret-looking keys;
//! `append` calls it). The canonical encoding is documented in [`audit`]. Triggers reject UPDATE/DELETE.
//!
//! # Secrets and backups
//! [`SecretBox`]`::load_or_create(key_path)` / `load`, `seal(&str) -> Vec<u8>`, `open(&[u8]) -> String`.
//! [`backup`]: `backup_to(conn, dest) -> DbInfo`, `backup_with_manifest(conn, dest, now)` (plus
//! `<dest>.manifest.json` with the copy's audit head), `check_is_kaoqin_db(path) -> DbInfo`,
//! `check_backup(path) -> BackupCheck{problems, ..}` (schema, chain, manifest, batches, an admin),
//! `restore(from, current, now) -> RestoreReport{kept_aside, restored}` (close the store first).
//!
//! # Evidence ([`evidence`])
//! `batch_hash` (recorded in each download/import entry), `verify_batches`, [`evidence::Anchor`] (the
//! chain's head kept outside the database: `anchor_file`, `append_anchor`, `read_anchors`,
//! `check_anchors`), `schema_problems` / `reinstate_schema` (against what the migrations create).

mod checkpoint;
mod db;
mod error;
mod role;
mod schema;
mod schema_v2;
mod schema_v3;
mod schema_v4;
mod timefmt;
mod validate;

pub mod audit;
pub mod backup;
pub mod calendar_days;
pub mod employees;
pub mod evidence;
pub mod findings;
pub mod login_throttle;
pub mod month_results;
pub mod org;
pub mod private_file;
pub mod punches;
pub mod requests;
pub mod schedules;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod snapshots;
pub mod terminals;
pub mod users;

pub use db::{AUDITOR_APPEND_TABLES, BUSY_TIMEOUT, Store};
pub use error::{Result, StoreError};
pub use org::{Department, departments};
pub use role::{Role, UnknownRole};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use secrets::SecretBox;
pub use terminals::{TerminalKind, TextEncoding};
pub use timefmt::{DATE, EVENT_TS, PUNCH_TS};

/// Re-exported so callers name the same rusqlite types (`Connection`, `Transaction`) without a version
/// mismatch.
pub use rusqlite;
