//! Schedules as stored: shifts and rotations as JSON documents keyed by code (the domain parses and
//! validates them), and assignments (organisation / department / employee, effective dates). Holds no
//! rule about which assignment wins: that is `kaoqin_domain::ScheduleBook`.

use chrono::NaiveDate;
use kaoqin_domain::{Assignment, PlanRef, Rotation, ScheduleBook, Shift, Target, presets};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::timefmt;

/// One stored assignment row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentRow {
    pub id: i64,
    /// `organisation`, `department` or `employee`.
    pub target_kind: String,
    /// Department name or 工号; empty for the organisation.
    pub target: String,
    /// `shift` or `rotation`.
    pub plan_kind: String,
    pub plan: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Inserts or replaces a shift's JSON; returns the previous JSON (for the audit entry).
pub fn put_shift(conn: &Connection, code: &str, json: &str) -> Result<Option<String>> {
    put_doc(conn, "shifts", code, json)
}

/// Inserts or replaces a rotation's JSON.
pub fn put_rotation(conn: &Connection, code: &str, json: &str) -> Result<Option<String>> {
    put_doc(conn, "rotations", code, json)
}

/// Inserts or replaces a leave type's JSON.
pub fn put_leave_type(conn: &Connection, code: &str, json: &str) -> Result<Option<String>> {
    put_doc(conn, "leave_types", code, json)
}

fn put_doc(conn: &Connection, table: &str, code: &str, json: &str) -> Result<Option<String>> {
    let code = code.trim();
    if code.is_empty() {
        return Err(StoreError::Invalid {
            field: "code",
            reason: "it is empty".into(),
        });
    }
    let old = get_doc(conn, table, code)?;
    conn.execute(
        &format!(
            "INSERT INTO {table} (code, json) VALUES (?1, ?2) \
             ON CONFLICT(code) DO UPDATE SET json = excluded.json"
        ),
        params![code, json],
    )?;
    Ok(old)
}

fn get_doc(conn: &Connection, table: &str, code: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            &format!("SELECT json FROM {table} WHERE code = ?1"),
            [code],
            |r| r.get(0),
        )
        .optional()?)
}

fn list_docs(conn: &Connection, table: &str) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(&format!("SELECT code, json FROM {table} ORDER BY code"))?;
    let v = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// A shift's JSON, if stored.
pub fn get_shift(conn: &Connection, code: &str) -> Result<Option<String>> {
    get_doc(conn, "shifts", code)
}

/// All shifts as (code, JSON), by code.
pub fn list_shifts(conn: &Connection) -> Result<Vec<(String, String)>> {
    list_docs(conn, "shifts")
}

/// All rotations as (code, JSON), by code.
pub fn list_rotations(conn: &Connection) -> Result<Vec<(String, String)>> {
    list_docs(conn, "rotations")
}

/// Configured leave types as (code, JSON); empty = the services use the domain defaults.
pub fn list_leave_types(conn: &Connection) -> Result<Vec<(String, String)>> {
    list_docs(conn, "leave_types")
}

/// Adds an assignment; returns its id. `to` before `from` → `Invalid{field:"to"}`.
pub fn add_assignment(conn: &Connection, a: &AssignmentRow) -> Result<i64> {
    if let (Some(f), Some(t)) = (a.from, a.to)
        && t < f
    {
        return Err(StoreError::Invalid {
            field: "to",
            reason: format!("the end {t} is before the start {f}"),
        });
    }
    conn.execute(
        "INSERT INTO schedule_assignments (target_kind, target, plan_kind, plan, from_date, to_date) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            a.target_kind,
            a.target,
            a.plan_kind,
            a.plan,
            a.from.map(timefmt::date),
            a.to.map(timefmt::date)
        ],
    )
    .map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Invalid {
                field: "assignment",
                reason: "target kind must be organisation|department|employee and plan kind shift|rotation".into(),
            }
        }
        e => e.into(),
    })?;
    Ok(conn.last_insert_rowid())
}

/// All assignments in insertion order.
pub fn list_assignments(conn: &Connection) -> Result<Vec<AssignmentRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, target_kind, target, plan_kind, plan, from_date, to_date \
         FROM schedule_assignments ORDER BY id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, target_kind, target, plan_kind, plan, f, t)| {
            Ok(AssignmentRow {
                id,
                target_kind,
                target,
                plan_kind,
                plan,
                from: f.as_deref().map(timefmt::parse_date).transpose()?,
                to: t.as_deref().map(timefmt::parse_date).transpose()?,
            })
        })
        .collect()
}

/// The shift the whole organisation works when no organisation-wide assignment is stored.
pub const DEFAULT_SHIFT: &str = "A";

/// The schedule book as stored: the presets, the stored shifts and rotations (parsed and validated
/// by the domain), and the assignments; without an organisation-wide assignment, everyone works
/// [`DEFAULT_SHIFT`]. Month runs and the connection rules' peak windows both read it.
pub fn load_book(conn: &Connection) -> Result<ScheduleBook> {
    let bad = |field: &'static str, code: &str, e: &dyn std::fmt::Display| StoreError::Invalid {
        field,
        reason: format!("{code}: {e}"),
    };
    let mut book = ScheduleBook::default();
    for s in presets::all() {
        book.shifts.insert(s.code.clone(), s);
    }
    for (code, text) in list_shifts(conn)? {
        let shift = Shift::from_json(&text).map_err(|e| bad("stored shift", &code, &e))?;
        book.shifts.insert(code, shift);
    }
    for (code, text) in list_rotations(conn)? {
        let rot: Rotation =
            serde_json::from_str(&text).map_err(|e| bad("stored rotation", &code, &e))?;
        book.rotations.insert(code, rot);
    }
    let rows = list_assignments(conn)?;
    if !rows.iter().any(|r| r.target_kind == "organisation") {
        book.assignments.push(Assignment {
            target: Target::Organisation,
            plan: PlanRef::Shift(DEFAULT_SHIFT.to_string()),
            from: None,
            to: None,
        });
    }
    for r in rows {
        let target = match r.target_kind.as_str() {
            "department" => Target::Department(r.target),
            "employee" => Target::Employee(r.target),
            _ => Target::Organisation,
        };
        let plan = if r.plan_kind == "rotation" {
            PlanRef::Rotation(r.plan)
        } else {
            PlanRef::Shift(r.plan)
        };
        book.assignments.push(Assignment {
            target,
            plan,
            from: r.from,
            to: r.to,
        });
    }
    Ok(book)
}
