//! Requests (leave, outing, trip, supplement, overtime) as stored: the kind as JSON, the state, who
//! entered and who decided, and the append-only history of transitions. Also the two facts approval
//! needs: a department's leader (工号) and which employee an app user is. The approval rules themselves
//! are the domain's (`kaoqin_domain::transition`).

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Result, StoreError};
use crate::timefmt;

/// A request row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub id: i64,
    pub employee_no: String,
    pub kind: String,
    pub kind_json: String,
    pub reason: String,
    pub state: String,
    pub applicant: String,
    pub approver: Option<String>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// One transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
}

/// Which requests to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub employee_no: Option<String>,
    pub state: Option<String>,
    /// Requests overlapping [from, to].
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Inserts a request (its `id` is ignored); returns the new id.
pub fn add(conn: &Connection, r: &RequestRow) -> Result<i64> {
    conn.execute(
        "INSERT INTO requests (employee_no, kind, kind_json, reason, state, applicant, approver, \
         from_date, to_date, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
        params![
            r.employee_no,
            r.kind,
            r.kind_json,
            r.reason,
            r.state,
            r.applicant,
            r.approver,
            timefmt::date(r.from),
            timefmt::date(r.to),
            timefmt::event_ts(r.created_at),
            timefmt::event_ts(r.updated_at)
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Records a new state and appends its history row (call inside the caller's transaction).
pub fn set_state(
    conn: &Connection,
    id: i64,
    state: &str,
    approver: Option<&str>,
    h: &HistoryRow,
) -> Result<()> {
    // Compare-and-set on the state the step started from: two people deciding the same request at
    // once cannot both succeed (the second finds it changed and is told to look again).
    let n = conn.execute(
        "UPDATE requests SET state = ?2, approver = COALESCE(?3, approver), updated_at = ?4 \
         WHERE id = ?1 AND state = ?5",
        params![id, state, approver, timefmt::event_ts(h.at), h.from_state],
    )?;
    if n == 0 {
        let now: Option<String> = conn
            .query_row("SELECT state FROM requests WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        return Err(match now {
            None => StoreError::NotFound {
                what: "request",
                key: id.to_string(),
            },
            Some(now) => StoreError::Invalid {
                field: "request state",
                reason: format!(
                    "request {id} was changed meanwhile (it is now {now}, not {}); reload it and decide again",
                    h.from_state
                ),
            },
        });
    }
    add_history(conn, id, h)
}

/// Appends a history row.
pub fn add_history(conn: &Connection, id: i64, h: &HistoryRow) -> Result<()> {
    conn.execute(
        "INSERT INTO request_history (request_id, at, actor, action, from_state, to_state, comment) \
         VALUES (?1,?2,?3,?4,?5,?6,?7)",
        params![
            id,
            timefmt::event_ts(h.at),
            h.actor,
            h.action,
            h.from_state,
            h.to_state,
            h.comment
        ],
    )?;
    Ok(())
}

const COLS: &str = "id, employee_no, kind, kind_json, reason, state, applicant, approver, from_date, \
                    to_date, created_at, updated_at";

type Raw = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    String,
    String,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
    ))
}

fn cook(x: Raw) -> Result<RequestRow> {
    Ok(RequestRow {
        id: x.0,
        employee_no: x.1,
        kind: x.2,
        kind_json: x.3,
        reason: x.4,
        state: x.5,
        applicant: x.6,
        approver: x.7,
        from: timefmt::parse_date(&x.8)?,
        to: timefmt::parse_date(&x.9)?,
        created_at: timefmt::parse_event_ts(&x.10)?,
        updated_at: timefmt::parse_event_ts(&x.11)?,
    })
}

/// A request by id, or NotFound.
pub fn get(conn: &Connection, id: i64) -> Result<RequestRow> {
    let x = conn
        .query_row(
            &format!("SELECT {COLS} FROM requests WHERE id = ?1"),
            [id],
            raw,
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "request",
            key: id.to_string(),
        })?;
    cook(x)
}

/// Requests matching the filter, by id.
pub fn list(conn: &Connection, f: &RequestFilter) -> Result<Vec<RequestRow>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM requests WHERE (?1 IS NULL OR employee_no = ?1) AND (?2 IS NULL OR state = ?2) \
         AND (?3 IS NULL OR to_date >= ?3) AND (?4 IS NULL OR from_date <= ?4) ORDER BY id"
    ))?;
    let rows = stmt
        .query_map(
            params![
                f.employee_no,
                f.state,
                f.from.map(timefmt::date),
                f.to.map(timefmt::date)
            ],
            raw,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(cook).collect()
}

/// A request's transitions in order.
pub fn history(conn: &Connection, id: i64) -> Result<Vec<HistoryRow>> {
    let mut stmt = conn.prepare(
        "SELECT at, actor, action, from_state, to_state, comment FROM request_history \
         WHERE request_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(at, actor, action, from_state, to_state, comment)| {
            Ok(HistoryRow {
                at: timefmt::parse_event_ts(&at)?,
                actor,
                action,
                from_state,
                to_state,
                comment,
            })
        })
        .collect()
}

/// Sets a department's leader (工号).
pub fn set_department_leader(conn: &Connection, department: &str, leader_no: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO department_leaders (department, leader_no) VALUES (?1, ?2) \
         ON CONFLICT(department) DO UPDATE SET leader_no = excluded.leader_no",
        params![department, leader_no],
    )?;
    Ok(())
}

/// A department's leader, if recorded.
pub fn department_leader(conn: &Connection, department: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT leader_no FROM department_leaders WHERE department = ?1",
            [department],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records that app user `user` is employee `employee_no` (so approvals know who is who).
pub fn link_user_employee(conn: &Connection, user: &str, employee_no: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO user_employees (user_name, employee_no) VALUES (?1, ?2) \
         ON CONFLICT(user_name) DO UPDATE SET employee_no = excluded.employee_no",
        params![user, employee_no],
    )?;
    Ok(())
}

/// The employee an app user is, if linked.
pub fn user_employee(conn: &Connection, user: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT employee_no FROM user_employees WHERE user_name = ?1",
            [user],
            |r| r.get(0),
        )
        .optional()?)
}
