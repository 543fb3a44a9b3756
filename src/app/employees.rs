//! Employees (工号 = enrollment number on the terminals): add, list, update, deactivate. Departments
//! are named here and resolved to ids; validation of values is the store's (it names the field).

use chrono::NaiveDate;
use kaoqin_store::employees::{self, EmployeeFilter, EmployeeUpdate, NewEmployee};
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::{StoreError, departments};
use serde_json::json;

use super::error::AppResult;
use super::permissions::Action;
use super::session::Session;
use super::validate;

pub use kaoqin_store::employees::Employee;

/// A new employee as a clerk enters it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeInput {
    pub no: String,
    pub name: String,
    pub department: String,
    pub hired: Option<NaiveDate>,
    pub position: Option<String>,
    pub card: Option<String>,
}

/// Changes to an employee; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeChanges {
    pub name: Option<String>,
    pub department: Option<String>,
    pub position: Option<String>,
    pub card: Option<String>,
    pub hired: Option<NaiveDate>,
    pub left: Option<NaiveDate>,
}

/// Which employees to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeQuery {
    pub department: Option<String>,
    pub include_inactive: bool,
}

fn department_id(conn: &Connection, name: &str) -> AppResult<i64> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid {
            field: "department",
            reason: "it is empty".into(),
        }
        .into());
    }
    Ok(departments::get_by_name(conn, name)?.id)
}

/// The bounds on a new employee's values (also used for each row of an employee import).
pub fn check_employee_input(e: &EmployeeInput) -> AppResult<()> {
    validate::code("工号", &e.no)?;
    validate::name("name", &e.name)?;
    validate::opt_line("position", e.position.as_deref(), validate::MAX_NAME_CHARS)?;
    validate::opt_line("card number", e.card.as_deref(), validate::MAX_CODE_CHARS)?;
    Ok(())
}

fn opt(s: &Option<String>) -> Option<Option<String>> {
    s.as_ref()
        .map(|v| Some(v.clone()).filter(|v| !v.trim().is_empty()))
}

impl Session {
    pub fn add_employee(&mut self, e: &EmployeeInput) -> AppResult<Employee> {
        self.require(Action::ManageEmployees, &e.no)?;
        check_employee_input(e)?;
        let dept = department_id(self.conn(), &e.department)?;
        let new = NewEmployee {
            enrollment_no: e.no.clone(),
            name: e.name.clone(),
            department_id: Some(dept),
            position: e.position.clone(),
            hire_date: e.hired,
            leave_date: None,
            card_no: e.card.clone(),
        };
        self.act(Action::ManageEmployees, "employee.add", e.no.trim(), |tx| {
            let emp = employees::add(tx, &new)?;
            let details =
                json!({ "name": emp.name, "department": emp.department, "hired": emp.hire_date });
            Ok((emp, details))
        })
    }

    pub fn list_employees(&self, q: &EmployeeQuery) -> AppResult<Vec<Employee>> {
        self.require(Action::ViewOrganisation, "employees")?;
        let department_id = match &q.department {
            Some(d) => Some(department_id(self.conn(), d)?),
            None => None,
        };
        let filter = EmployeeFilter {
            department_id,
            active_only: !q.include_inactive,
            ..Default::default()
        };
        Ok(employees::list(self.conn(), &filter)?)
    }

    pub fn get_employee(&self, no: &str) -> AppResult<Employee> {
        self.require(Action::ViewOrganisation, no)?;
        Ok(employees::get_by_no(self.conn(), no)?)
    }

    pub fn update_employee(&mut self, no: &str, c: &EmployeeChanges) -> AppResult<Employee> {
        self.require(Action::ManageEmployees, no)?;
        if let Some(n) = &c.name {
            validate::name("name", n)?;
        }
        validate::opt_line("position", c.position.as_deref(), validate::MAX_NAME_CHARS)?;
        validate::opt_line("card number", c.card.as_deref(), validate::MAX_CODE_CHARS)?;
        let department_id = match &c.department {
            Some(d) => Some(Some(department_id(self.conn(), d)?)),
            None => None,
        };
        let u = EmployeeUpdate {
            name: c.name.clone(),
            department_id,
            position: opt(&c.position),
            hire_date: c.hired.map(Some),
            leave_date: c.left.map(Some),
            card_no: opt(&c.card),
            active: None,
        };
        let changed: Vec<&str> = [
            ("name", c.name.is_some()),
            ("department", c.department.is_some()),
            ("position", c.position.is_some()),
            ("card", c.card.is_some()),
            ("hired", c.hired.is_some()),
            ("left", c.left.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        self.act(
            Action::ManageEmployees,
            "employee.update",
            no.trim(),
            |tx| {
                let emp = employees::update(tx, no, &u)?;
                Ok((emp, json!({ "changed": changed })))
            },
        )
    }

    /// Marks the employee as left on `left` (default: today by the session clock).
    pub fn deactivate_employee(
        &mut self,
        no: &str,
        left: Option<NaiveDate>,
    ) -> AppResult<Employee> {
        let left = left.unwrap_or_else(|| self.now().date());
        self.act(
            Action::ManageEmployees,
            "employee.deactivate",
            no.trim(),
            |tx| {
                let emp = employees::deactivate(tx, no, Some(left))?;
                Ok((emp, json!({ "left": left })))
            },
        )
    }
}
