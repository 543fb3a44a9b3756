//! Application users: name, role, argon2 PHC hash, disabled flag, failed-log-in counter. Hashing helpers
//! live here too so every caller uses the same parameters. Plain passwords are never stored or logged.

use chrono::NaiveDateTime;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError, is_unique_violation};
use crate::role::Role;
use crate::timefmt;
use crate::validate::non_empty;

/// A stored application user.
#[derive(Clone, PartialEq, Eq)]
pub struct AppUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    pub disabled: bool,
    pub failed_logins: u32,
    pub last_failed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

impl std::fmt::Debug for AppUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppUser")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .field("failed_logins", &self.failed_logins)
            .finish_non_exhaustive()
    }
}

const SELECT: &str = "SELECT id, name, role, password_hash, disabled, failed_logins, last_failed_at, created_at FROM app_users";

type RawUser = (
    i64,
    String,
    String,
    String,
    bool,
    u32,
    Option<String>,
    String,
);

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
    ))
}

fn finish(r: RawUser) -> Result<AppUser> {
    Ok(AppUser {
        id: r.0,
        name: r.1,
        role: r.2.parse()?,
        password_hash: r.3,
        disabled: r.4,
        failed_logins: r.5,
        last_failed_at: timefmt::opt_event(r.6)?,
        created_at: timefmt::parse_event_ts(&r.7)?,
    })
}

/// Hashes a password with argon2id (default parameters, random salt) into a PHC string.
pub fn hash_password(password: &str) -> Result<String> {
    use argon2::password_hash::PasswordHasher;
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::PasswordHash(e.to_string()))
}

/// True if `password` matches the PHC string. A malformed hash counts as no match.
pub fn verify_password(phc: &str, password: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Adds a user with an already-hashed password.
pub fn add(
    conn: &Connection,
    name: &str,
    role: Role,
    password_hash: &str,
    created_at: NaiveDateTime,
) -> Result<AppUser> {
    let name = non_empty("user name", name)?;
    conn.execute(
        "INSERT INTO app_users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![
            name,
            role.as_str(),
            password_hash,
            timefmt::event_ts(created_at)
        ],
    )
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Duplicate {
                what: "user",
                value: name.clone(),
            }
        } else {
            e.into()
        }
    })?;
    get_by_name(conn, &name)
}

/// A user by name, or None.
pub fn find_by_name(conn: &Connection, name: &str) -> Result<Option<AppUser>> {
    conn.query_row(&format!("{SELECT} WHERE name = ?1"), [name.trim()], row)
        .optional()?
        .map(finish)
        .transpose()
}

/// A user by name, or `NotFound { what: "user" }`.
pub fn get_by_name(conn: &Connection, name: &str) -> Result<AppUser> {
    find_by_name(conn, name)?.ok_or_else(|| StoreError::NotFound {
        what: "user",
        key: name.to_string(),
    })
}

/// All users by name.
pub fn list(conn: &Connection) -> Result<Vec<AppUser>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY name"))?;
    let rows = stmt
        .query_map([], row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

/// Number of users (0 before `kaoqin init`).
pub fn count(conn: &Connection) -> Result<u64> {
    Ok(crate::timefmt::to_u64(conn.query_row(
        "SELECT count(*) FROM app_users",
        [],
        |r| r.get(0),
    )?))
}

fn touch(conn: &Connection, name: &str, sql: &str, value: &dyn rusqlite::ToSql) -> Result<()> {
    let n = conn.execute(sql, params![value, name.trim()])?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "user",
            key: name.to_string(),
        });
    }
    Ok(())
}

/// Changes a user's role.
pub fn set_role(conn: &Connection, name: &str, role: Role) -> Result<()> {
    touch(
        conn,
        name,
        "UPDATE app_users SET role = ?1 WHERE name = ?2",
        &role.as_str(),
    )
}

/// Disables or re-enables a user.
pub fn set_disabled(conn: &Connection, name: &str, disabled: bool) -> Result<()> {
    touch(
        conn,
        name,
        "UPDATE app_users SET disabled = ?1 WHERE name = ?2",
        &disabled,
    )
}

/// Replaces the password hash (and clears the failure counter).
pub fn set_password_hash(conn: &Connection, name: &str, phc: &str) -> Result<()> {
    touch(
        conn,
        name,
        "UPDATE app_users SET password_hash = ?1, failed_logins = 0, last_failed_at = NULL WHERE name = ?2",
        &phc,
    )
}

/// Counts a failed log-in at `at`; returns the new consecutive-failure count (for the increasing delay).
pub fn record_failed_login(conn: &Connection, name: &str, at: NaiveDateTime) -> Result<u32> {
    touch(
        conn,
        name,
        "UPDATE app_users SET failed_logins = failed_logins + 1, last_failed_at = ?1 WHERE name = ?2",
        &timefmt::event_ts(at),
    )?;
    Ok(get_by_name(conn, name)?.failed_logins)
}

/// Clears the failure counter after a successful log-in.
pub fn reset_failed_logins(conn: &Connection, name: &str) -> Result<()> {
    touch(
        conn,
        name,
        "UPDATE app_users SET failed_logins = ?1, last_failed_at = NULL WHERE name = ?2",
        &0,
    )
}
