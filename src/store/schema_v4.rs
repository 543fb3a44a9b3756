//! Schema step 4 (the evidence chain against someone holding the database file): `REPLACE` must not
//! walk past the append-only triggers.
//!
//! `REPLACE INTO t …` (and `INSERT OR REPLACE`) resolves a key conflict by deleting the old row
//! without firing DELETE triggers (unless the connection turned `recursive_triggers` on, which a
//! hostile sqlite3 shell does not), so the UPDATE/DELETE triggers of steps 1–2 never saw it. A
//! BEFORE INSERT trigger runs before conflict resolution on every insert path, so each ledger table
//! gets one that looks for the key first:
//!
//! - `raw_punches`: a punch whose key is held with the same content is skipped (`RAISE(IGNORE)`:
//!   exactly what `ON CONFLICT DO NOTHING` did for a punch read twice); with different content it
//!   aborts (`raw punches are immutable`), so `REPLACE` can neither rewrite nor re-stamp a punch.
//! - `audit_log`, `request_history`: an insert with a key already taken aborts.

pub(crate) const MIGRATION_4: &str = r#"
CREATE TRIGGER raw_punches_no_replace BEFORE INSERT ON raw_punches
WHEN EXISTS (SELECT 1 FROM raw_punches p WHERE p.terminal_serial = NEW.terminal_serial
             AND p.ts = NEW.ts AND p.enrollment_no = NEW.enrollment_no)
BEGIN
    SELECT RAISE(ABORT, 'raw punches are immutable: REPLACE of a stored punch rejected')
    WHERE NOT EXISTS (SELECT 1 FROM raw_punches p WHERE p.terminal_serial = NEW.terminal_serial
                      AND p.ts = NEW.ts AND p.enrollment_no = NEW.enrollment_no
                      AND p.verify_mode IS NEW.verify_mode AND p.in_out_state IS NEW.in_out_state
                      AND p.work_code IS NEW.work_code);
    SELECT RAISE(IGNORE);
END;
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log a WHERE a.seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: REPLACE rejected'); END;
CREATE TRIGGER request_history_no_replace BEFORE INSERT ON request_history
WHEN EXISTS (SELECT 1 FROM request_history h WHERE h.id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'request history is append-only: REPLACE rejected'); END;
"#;
