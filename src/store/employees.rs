//! Employees: 工号 (the terminal enrollment number, unique), name, department, dates, card, active flag.
//! Repository only: validation here, audit and permissions in the services.

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params, types::Value};

use crate::error::{Result, StoreError, is_fk_violation, is_unique_violation};
use crate::timefmt;
use crate::validate::{non_empty, opt_text};

/// A stored employee. `department` is the department's name (joined for display).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Employee {
    pub id: i64,
    pub enrollment_no: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub department: Option<String>,
    pub position: Option<String>,
    pub hire_date: Option<NaiveDate>,
    pub leave_date: Option<NaiveDate>,
    pub card_no: Option<String>,
    pub active: bool,
}

/// A new employee.
#[derive(Debug, Clone, Default)]
pub struct NewEmployee {
    pub enrollment_no: String,
    pub name: String,
    pub department_id: Option<i64>,
    pub position: Option<String>,
    pub hire_date: Option<NaiveDate>,
    pub leave_date: Option<NaiveDate>,
    pub card_no: Option<String>,
}

/// Field changes; `None` leaves a field as it is, `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct EmployeeUpdate {
    pub name: Option<String>,
    pub department_id: Option<Option<i64>>,
    pub position: Option<Option<String>>,
    pub hire_date: Option<Option<NaiveDate>>,
    pub leave_date: Option<Option<NaiveDate>>,
    pub card_no: Option<Option<String>>,
    pub active: Option<bool>,
}

/// Listing filter; all conditions are ANDed.
#[derive(Debug, Clone, Default)]
pub struct EmployeeFilter {
    pub department_id: Option<i64>,
    pub active_only: bool,
    /// Substring of the name or the 工号.
    pub search: Option<String>,
}

const SELECT: &str =
    "SELECT e.id, e.enrollment_no, e.name, e.department_id, d.name, e.position, e.hire_date,
        e.leave_date, e.card_no, e.active
    FROM employees e LEFT JOIN departments d ON d.id = e.department_id";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Employee, Option<String>, Option<String>)> {
    Ok((
        Employee {
            id: r.get(0)?,
            enrollment_no: r.get(1)?,
            name: r.get(2)?,
            department_id: r.get(3)?,
            department: r.get(4)?,
            position: r.get(5)?,
            hire_date: None,
            leave_date: None,
            card_no: r.get(8)?,
            active: r.get(9)?,
        },
        r.get(6)?,
        r.get(7)?,
    ))
}

fn finish((mut e, hire, leave): (Employee, Option<String>, Option<String>)) -> Result<Employee> {
    e.hire_date = timefmt::opt_date(hire)?;
    e.leave_date = timefmt::opt_date(leave)?;
    Ok(e)
}

/// Checks a 工号: non-empty, no whitespace, at most 24 characters (ZK user ids are short digit strings).
pub fn validate_enrollment_no(no: &str) -> Result<String> {
    let no = non_empty("工号 (enrollment number)", no)?;
    if no.chars().any(char::is_whitespace) || no.chars().count() > 24 {
        return Err(StoreError::Invalid {
            field: "工号 (enrollment number)",
            reason: format!("'{no}' must be at most 24 characters without spaces"),
        });
    }
    Ok(no)
}

fn check_dates(hire: Option<NaiveDate>, leave: Option<NaiveDate>) -> Result<()> {
    if let (Some(h), Some(l)) = (hire, leave)
        && l < h
    {
        return Err(StoreError::Invalid {
            field: "leave date",
            reason: format!("{l} is before the hire date {h}"),
        });
    }
    Ok(())
}

fn map_write_err(e: rusqlite::Error, no: &str, dept: Option<i64>) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Duplicate {
            what: "工号 (enrollment number)",
            value: no.to_string(),
        }
    } else if is_fk_violation(&e) {
        StoreError::NotFound {
            what: "department",
            key: dept.map(|d| format!("#{d}")).unwrap_or_default(),
        }
    } else {
        e.into()
    }
}

/// Adds an employee (active).
pub fn add(conn: &Connection, e: &NewEmployee) -> Result<Employee> {
    let no = validate_enrollment_no(&e.enrollment_no)?;
    let name = non_empty("name", &e.name)?;
    check_dates(e.hire_date, e.leave_date)?;
    conn.execute(
        "INSERT INTO employees (enrollment_no, name, department_id, position, hire_date, leave_date, card_no)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            no,
            name,
            e.department_id,
            opt_text(e.position.as_deref()),
            e.hire_date.map(timefmt::date),
            e.leave_date.map(timefmt::date),
            opt_text(e.card_no.as_deref()),
        ],
    )
    .map_err(|err| map_write_err(err, &no, e.department_id))?;
    get_by_no(conn, &no)
}

/// An employee by 工号, or None.
pub fn find_by_no(conn: &Connection, no: &str) -> Result<Option<Employee>> {
    conn.query_row(
        &format!("{SELECT} WHERE e.enrollment_no = ?1"),
        [no.trim()],
        row,
    )
    .optional()?
    .map(finish)
    .transpose()
}

/// An employee by 工号, or `NotFound { what: "employee" }`.
pub fn get_by_no(conn: &Connection, no: &str) -> Result<Employee> {
    find_by_no(conn, no)?.ok_or_else(|| StoreError::NotFound {
        what: "employee with 工号",
        key: no.to_string(),
    })
}

/// Employees matching `f`, ordered by 工号 (numerically when both are digits).
pub fn list(conn: &Connection, f: &EmployeeFilter) -> Result<Vec<Employee>> {
    let mut sql = format!("{SELECT} WHERE 1=1");
    let mut args: Vec<Value> = Vec::new();
    if let Some(d) = f.department_id {
        args.push(Value::Integer(d));
        sql.push_str(&format!(" AND e.department_id = ?{}", args.len()));
    }
    if f.active_only {
        sql.push_str(" AND e.active = 1");
    }
    if let Some(s) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        args.push(Value::Text(format!(
            "%{}%",
            s.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        )));
        let n = args.len();
        sql.push_str(&format!(
            " AND (e.name LIKE ?{n} ESCAPE '\\' OR e.enrollment_no LIKE ?{n} ESCAPE '\\')"
        ));
    }
    sql.push_str(" ORDER BY length(e.enrollment_no), e.enrollment_no");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(finish).collect()
}

/// Applies `u` to the employee with 工号 `no`; returns the updated row.
pub fn update(conn: &Connection, no: &str, u: &EmployeeUpdate) -> Result<Employee> {
    let cur = get_by_no(conn, no)?;
    let name = match &u.name {
        Some(n) => non_empty("name", n)?,
        None => cur.name.clone(),
    };
    let department_id = u.department_id.unwrap_or(cur.department_id);
    let position = match &u.position {
        Some(p) => opt_text(p.as_deref()),
        None => cur.position.clone(),
    };
    let hire = u.hire_date.unwrap_or(cur.hire_date);
    let leave = u.leave_date.unwrap_or(cur.leave_date);
    check_dates(hire, leave)?;
    let card = match &u.card_no {
        Some(c) => opt_text(c.as_deref()),
        None => cur.card_no.clone(),
    };
    let active = u.active.unwrap_or(cur.active);
    conn.execute(
        "UPDATE employees SET name = ?1, department_id = ?2, position = ?3, hire_date = ?4, leave_date = ?5,
             card_no = ?6, active = ?7 WHERE id = ?8",
        params![
            name,
            department_id,
            position,
            hire.map(timefmt::date),
            leave.map(timefmt::date),
            card,
            active,
            cur.id
        ],
    )
    .map_err(|e| map_write_err(e, no, department_id))?;
    get_by_no(conn, no)
}

/// Marks the employee inactive, optionally recording the leave date.
pub fn deactivate(conn: &Connection, no: &str, leave_date: Option<NaiveDate>) -> Result<Employee> {
    let mut u = EmployeeUpdate {
        active: Some(false),
        ..Default::default()
    };
    if leave_date.is_some() {
        u.leave_date = Some(leave_date);
    }
    update(conn, no, &u)
}
