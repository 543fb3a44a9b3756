//! Failed log-ins per user name — known users and unknown names alike — in a small SQLite file
//! beside the database (`<db>.logins`, owner-only). Kept apart from the database so that the
//! attempts of every process (CLI, GUI) queue on one row per name without a schema change, and so
//! that an auditor's restricted connection is never needed to count a failure.
//!
//! Each attempt *reserves* its turn before the password is checked: in one IMMEDIATE transaction
//! it counts the attempt and takes the next free time for that name (`next_at`), pushing it on by
//! the gap the caller's policy gives. Twenty parallel attempts therefore wait one after the other
//! (the twentieth waits for the nineteen gaps before it), not all at once. A successful log-in
//! clears the name's row; an administrator can list and clear rows. No clock here: times are
//! passed in; the gap policy is the caller's.

use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::error::{Result, StoreError};
use crate::timefmt;

/// Names longer than this are cut before they are stored (the key of a row).
pub const MAX_NAME_CHARS: usize = 128;

/// Rows whose last attempt is older than this are forgotten at the next reservation.
pub const FORGET_AFTER_DAYS: i64 = 30;

/// One name's failed attempts in a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedLogins {
    pub name: String,
    /// Attempts counted since the last successful log-in or clearing (an attempt counts as soon
    /// as it reserves its turn; a success clears the row).
    pub failures: u32,
    pub last_attempt_at: NaiveDateTime,
    /// The earliest time the next attempt for this name is checked.
    pub next_at: NaiveDateTime,
}

/// An attempt's turn: the failures before it and when it may be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    pub failures_before: u32,
    pub at: NaiveDateTime,
}

/// The throttle file.
pub struct LoginThrottle {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for LoginThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginThrottle")
            .field("path", &self.path)
            .finish()
    }
}

fn key(name: &str) -> String {
    name.trim().chars().take(MAX_NAME_CHARS).collect()
}

fn io_error(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

fn sqlite_error(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e.to_string()),
    }
}

impl LoginThrottle {
    /// The throttle file of the database at `db`.
    pub fn path_for(db: &Path) -> PathBuf {
        let mut name = db
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "kaoqin.db".into());
        name.push(".logins");
        db.with_file_name(name)
    }

    /// Opens (creating, owner-only) the throttle file of the database at `db`.
    pub fn open(db: &Path) -> Result<LoginThrottle> {
        let path = Self::path_for(db);
        crate::private_file::touch(&path).map_err(|e| io_error(&path, e))?;
        let conn = Connection::open(&path).map_err(|e| sqlite_error(&path, e))?;
        conn.busy_timeout(crate::BUSY_TIMEOUT)
            .map_err(|e| sqlite_error(&path, e))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS failed_logins (
                 name            TEXT PRIMARY KEY,
                 failures        INTEGER NOT NULL,
                 last_attempt_at TEXT NOT NULL,
                 next_at         TEXT NOT NULL
             );",
        )
        .map_err(|e| sqlite_error(&path, e))?;
        Ok(LoginThrottle { conn, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Counts an attempt for `name` at `now` and returns its turn: `max(now, next_at)`. The next
    /// attempt's turn moves on by `gap(failures after this one)`.
    pub fn reserve(
        &mut self,
        name: &str,
        now: NaiveDateTime,
        gap: impl Fn(u32) -> Duration,
    ) -> Result<Turn> {
        let k = key(name);
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sqlite_error(&path, e))?;
        tx.execute(
            "DELETE FROM failed_logins WHERE last_attempt_at < ?1 AND next_at < ?2",
            params![
                timefmt::event_ts(now - Duration::days(FORGET_AFTER_DAYS)),
                timefmt::event_ts(now)
            ],
        )
        .map_err(|e| sqlite_error(&path, e))?;
        let row: Option<(u32, String)> = tx
            .query_row(
                "SELECT failures, next_at FROM failed_logins WHERE name = ?1",
                [&k],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| sqlite_error(&path, e))?;
        let (before, next_at) = match row {
            Some((f, n)) => (f, timefmt::parse_event_ts(&n)?),
            None => (0, now),
        };
        let at = next_at.max(now);
        let after = before.saturating_add(1);
        let next = at + gap(after);
        tx.execute(
            "INSERT INTO failed_logins (name, failures, last_attempt_at, next_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET failures = ?2, last_attempt_at = ?3, next_at = ?4",
            params![k, after, timefmt::event_ts(now), timefmt::event_ts(next)],
        )
        .map_err(|e| sqlite_error(&path, e))?;
        tx.commit().map_err(|e| sqlite_error(&path, e))?;
        Ok(Turn {
            failures_before: before,
            at,
        })
    }

    /// The row of `name`, if any.
    pub fn get(&self, name: &str) -> Result<Option<FailedLogins>> {
        Ok(self.list()?.into_iter().find(|r| r.name == key(name)))
    }

    /// Every name with counted attempts, by name.
    pub fn list(&self) -> Result<Vec<FailedLogins>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT name, failures, last_attempt_at, next_at FROM failed_logins ORDER BY name",
            )
            .map_err(|e| sqlite_error(&self.path, e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, u32>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| sqlite_error(&self.path, e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| sqlite_error(&self.path, e))?;
        rows.into_iter()
            .map(|(name, failures, last, next)| {
                Ok(FailedLogins {
                    name,
                    failures,
                    last_attempt_at: timefmt::parse_event_ts(&last)?,
                    next_at: timefmt::parse_event_ts(&next)?,
                })
            })
            .collect()
    }

    /// Forgets `name`'s attempts (a successful log-in, or an administrator clearing a lock).
    /// Returns whether there was a row.
    pub fn clear(&self, name: &str) -> Result<bool> {
        let n = self
            .conn
            .execute("DELETE FROM failed_logins WHERE name = ?1", [key(name)])
            .map_err(|e| sqlite_error(&self.path, e))?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn gap(n: u32) -> Duration {
        Duration::seconds(i64::from(n))
    }

    #[test]
    fn attempts_queue_one_after_the_other_and_clear() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("k.db");
        let mut th = LoginThrottle::open(&db).unwrap();
        assert_eq!(th.path(), dir.path().join("k.db.logins"));
        let now = t("2026-11-25 14:00:00");
        let turns: Vec<_> = (0..4)
            .map(|_| th.reserve(" ghost ", now, gap).unwrap())
            .collect();
        let waits: Vec<i64> = turns.iter().map(|x| (x.at - now).num_seconds()).collect();
        assert_eq!(waits, vec![0, 1, 3, 6]);
        assert_eq!(turns[3].failures_before, 3);
        let row = th.get("ghost").unwrap().unwrap();
        assert_eq!(
            (row.failures, row.next_at),
            (4, now + Duration::seconds(10))
        );
        // Another connection (another process) sees and continues the same queue.
        let mut other = LoginThrottle::open(&db).unwrap();
        assert_eq!(
            other.reserve("ghost", now, gap).unwrap().at,
            now + Duration::seconds(10)
        );
        assert!(th.clear("ghost").unwrap());
        assert!(!th.clear("ghost").unwrap());
        assert!(th.list().unwrap().is_empty());
        // Long-finished rows are forgotten.
        th.reserve("old", now, gap).unwrap();
        th.reserve("new", now + Duration::days(31), gap).unwrap();
        let names: Vec<String> = th.list().unwrap().into_iter().map(|r| r.name).collect();
        assert_eq!(names, vec!["new".to_string()]);
    }
}
