//! Schedules service: shifts (presets A–D are always available; stored shifts add to or replace them),
//! rotations and assignments. Builds the domain's `ScheduleBook` from the database for a month run.
//! Rules (which assignment wins, shift validation) are the domain's; this module only maps and audits.
//!
//! Without any stored organisation assignment, the organisation default is preset `A`.

use chrono::NaiveDate;
use kaoqin_domain::{Rotation, ScheduleBook, Shift};
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::schedules::{self, AssignmentRow};
use kaoqin_store::{departments, employees};
use serde_json::json;

use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::session::Session;

/// The organisation default when nothing is assigned.
pub const DEFAULT_SHIFT: &str = schedules::DEFAULT_SHIFT;

/// Who an assignment is for, as a clerk names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignTo {
    Organisation,
    Department(String),
    Employee(String),
}

fn invalid(field: &'static str, reason: impl ToString) -> AppError {
    AppError::Invalid {
        field,
        reason: reason.to_string(),
    }
}

/// The schedule book as stored (presets + stored shifts/rotations/assignments).
pub fn load_book(conn: &Connection) -> AppResult<ScheduleBook> {
    Ok(schedules::load_book(conn)?)
}

impl Session {
    /// Adds or replaces a shift from its JSON (the form `schedule show` prints). Validated by the domain.
    pub fn add_shift(&mut self, json_text: &str) -> AppResult<Shift> {
        let shift = Shift::from_json(json_text).map_err(|e| invalid("shift", e))?;
        super::validate::code("shift code", &shift.code)?;
        super::validate::name("shift name", &shift.name_zh)?;
        if !shift.name_en.trim().is_empty() {
            super::validate::name("shift name (English)", &shift.name_en)?;
        }
        for s in &shift.sessions {
            super::validate::name("session name", &s.name)?;
        }
        let code = shift.code.clone();
        let text = shift.to_json();
        self.act(Action::ManageSchedules, "schedule.add", &code, |tx| {
            let old = schedules::put_shift(tx, &code, &text)?;
            Ok((
                shift,
                json!({ "replaced": old.is_some(), "hours": text.len() }),
            ))
        })
    }

    /// Adds or replaces a rotation (JSON of `kaoqin_domain::Rotation`); every shift it names must exist.
    pub fn add_rotation(&mut self, json_text: &str) -> AppResult<Rotation> {
        let rot: Rotation = serde_json::from_str(json_text).map_err(|e| invalid("rotation", e))?;
        super::validate::code("rotation code", &rot.code)?;
        super::validate::name("rotation name", &rot.name)?;
        let book = load_book(self.conn())?;
        for code in rot.cycle.iter().flatten() {
            if !book.shifts.contains_key(code) {
                return Err(invalid("rotation", format!("unknown shift '{code}'")));
            }
        }
        let code = rot.code.clone();
        let text = serde_json::to_string(&rot).map_err(|e| invalid("rotation", e))?;
        let days = rot.cycle.len();
        let rot_out = rot;
        self.act(Action::ManageSchedules, "rotation.add", &code, |tx| {
            schedules::put_rotation(tx, &code, &text)?;
            Ok((rot_out, json!({ "cycle_days": days })))
        })
    }

    /// All shifts (presets and stored), by code.
    pub fn list_shifts(&self) -> AppResult<Vec<Shift>> {
        self.require(Action::ViewReports, "schedules")?;
        Ok(load_book(self.conn())?.shifts.into_values().collect())
    }

    /// One shift by code.
    pub fn get_shift(&self, code: &str) -> AppResult<Shift> {
        self.require(Action::ViewReports, code)?;
        load_book(self.conn())?.shifts.remove(code).ok_or_else(|| {
            invalid(
                "shift",
                format!("no shift with code '{code}'; see `kaoqin schedule list`"),
            )
        })
    }

    /// Assigns a shift (or a rotation with `rotation = true`) to the organisation, a department or an
    /// employee from `from` to `to` (inclusive, open when None).
    pub fn assign_schedule(
        &mut self,
        to_whom: &AssignTo,
        plan: &str,
        rotation: bool,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> AppResult<i64> {
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            return Err(invalid(
                "to",
                format!("the end {t} is before the start {f}"),
            ));
        }
        let book = load_book(self.conn())?;
        let known = if rotation {
            book.rotations.contains_key(plan)
        } else {
            book.shifts.contains_key(plan)
        };
        if !known {
            return Err(invalid(
                if rotation { "rotation" } else { "shift" },
                format!(
                    "no {} with code '{plan}'",
                    if rotation { "rotation" } else { "shift" }
                ),
            ));
        }
        let (kind, target) = match to_whom {
            AssignTo::Organisation => ("organisation", String::new()),
            AssignTo::Department(d) => {
                departments::get_by_name(self.conn(), d)?;
                ("department", d.clone())
            }
            AssignTo::Employee(no) => {
                employees::get_by_no(self.conn(), no)?;
                ("employee", no.clone())
            }
        };
        let row = AssignmentRow {
            id: 0,
            target_kind: kind.into(),
            target: target.clone(),
            plan_kind: if rotation { "rotation" } else { "shift" }.into(),
            plan: plan.to_string(),
            from,
            to,
        };
        let label = format!("{kind}:{target}");
        self.act(Action::ManageSchedules, "schedule.assign", &label, |tx| {
            let id = schedules::add_assignment(tx, &row)?;
            Ok((
                id,
                json!({ "plan": row.plan, "plan_kind": row.plan_kind, "from": from, "to": to }),
            ))
        })
    }

    /// All rotations, by code.
    pub fn list_rotations(&self) -> AppResult<Vec<Rotation>> {
        self.require(Action::ViewReports, "rotations")?;
        Ok(load_book(self.conn())?.rotations.into_values().collect())
    }

    /// Stored assignments.
    pub fn list_assignments(&self) -> AppResult<Vec<AssignmentRow>> {
        self.require(Action::ViewReports, "assignments")?;
        Ok(schedules::list_assignments(self.conn())?)
    }
}
