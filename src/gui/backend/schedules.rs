//! What the Schedules page reads and changes, through the application services (`Session`),
//! copied into plain row types the page renders. Blocking: called from the page's worker jobs only.
//! Must not hold egui types or decide what the page shows.

use chrono::NaiveDate;
use kaoqin_domain::{CalendarEntry, DayKind, Month, Rotation, Shift};

use crate::app::error::AppError;
use crate::app::schedules::AssignTo;

use super::super::model::UiError;
use super::employees::{ImportDone, ImportProblemRow, import_error, locale};
use super::{Backend, UserSession, app_error};
use crate::i18n::Lang;
use kaoqin_excel::{ImportKind, Severity};

/// One stored assignment, as the table shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignmentView {
    pub id: i64,
    /// `organisation`, `department` or `employee`.
    pub target_kind: String,
    pub target: String,
    /// `shift` or `rotation`.
    pub plan_kind: String,
    pub plan: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// Shifts (presets and stored), rotations and assignments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScheduleData {
    pub shifts: Vec<Shift>,
    pub rotations: Vec<Rotation>,
    pub assignments: Vec<AssignmentView>,
}

/// One day of the calendar as the month grid shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarDayView {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    pub statutory: bool,
}

/// A service refusal about a schedule value gets its own message; the rest as usual.
fn schedule_error(e: AppError) -> UiError {
    let key = match &e {
        AppError::Invalid { field: "shift", .. } => "schedules.err_shift",
        AppError::Invalid {
            field: "rotation", ..
        } => "schedules.err_rotation",
        AppError::Invalid { field: "to", .. } => "schedules.err_dates",
        AppError::Invalid {
            field: "calendar day",
            ..
        } => "schedules.err_day",
        AppError::Store(kaoqin_store::StoreError::NotFound { .. }) => "schedules.err_target",
        _ => return app_error(e),
    };
    UiError::new(key, e.to_string())
}

impl Backend {
    /// Shifts, rotations and assignments (`list_shifts`, `list_rotations`, `list_assignments`).
    pub fn schedule_data(&self, user: &UserSession) -> Result<ScheduleData, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let shifts = s.list_shifts().map_err(schedule_error)?;
        let rotations = s.list_rotations().map_err(schedule_error)?;
        let assignments = s
            .list_assignments()
            .map_err(schedule_error)?
            .into_iter()
            .map(|a| AssignmentView {
                id: a.id,
                target_kind: a.target_kind,
                target: a.target,
                plan_kind: a.plan_kind,
                plan: a.plan,
                from: a.from,
                to: a.to,
            })
            .collect();
        Ok(ScheduleData {
            shifts,
            rotations,
            assignments,
        })
    }

    /// Adds or replaces a shift (`Session::add_shift`, validated by the domain).
    pub fn save_shift(&self, user: &UserSession, shift: &Shift) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.add_shift(&shift.to_json()).map_err(schedule_error)?;
        Ok(())
    }

    /// Adds or replaces a rotation (`Session::add_rotation`).
    pub fn save_rotation(&self, user: &UserSession, rotation: &Rotation) -> Result<(), UiError> {
        let text = serde_json::to_string(rotation)
            .map_err(|e| UiError::new("schedules.err_rotation", e.to_string()))?;
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.add_rotation(&text).map_err(schedule_error)?;
        Ok(())
    }

    /// Assigns a shift or rotation (`Session::assign_schedule`); returns the new assignment's id.
    pub fn assign_schedule(
        &self,
        user: &UserSession,
        to_whom: &AssignTo,
        plan: &str,
        rotation: bool,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<i64, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.assign_schedule(to_whom, plan, rotation, from, to)
            .map_err(schedule_error)
    }

    /// Every day of a month with its type (`Session::calendar_days`: bundled + local days).
    pub fn calendar_month(
        &self,
        user: &UserSession,
        month: Month,
    ) -> Result<Vec<CalendarDayView>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        Ok(s.calendar_days(month.first(), month.last())
            .map_err(schedule_error)?
            .into_iter()
            .map(|(date, kind, name, statutory)| CalendarDayView {
                date,
                kind,
                name,
                statutory,
            })
            .collect())
    }

    /// Overrides one day's type (`Session::set_calendar_day`, audited).
    pub fn set_calendar_day(
        &self,
        user: &UserSession,
        entry: CalendarEntry,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.set_calendar_day(entry).map_err(schedule_error)
    }
}

/// The calendar import's check (a dry run of `kaoqin import calendar`): every problem, and how
/// many rows are valid and rejected. Nothing is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarImportCheck {
    pub file: std::path::PathBuf,
    pub problems: Vec<ImportProblemRow>,
    pub valid: usize,
    pub rejected: usize,
}

impl Backend {
    /// Step 1: `Session::import_file(Calendar, dry run)`.
    pub fn check_calendar_file(
        &self,
        user: &UserSession,
        file: &std::path::Path,
    ) -> Result<CalendarImportCheck, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let out = s
            .import_file(ImportKind::Calendar, file, true, true)
            .map_err(import_error)?;
        Ok(CalendarImportCheck {
            file: file.to_owned(),
            problems: out
                .problems
                .iter()
                .map(|p| ImportProblemRow {
                    error: p.severity == Severity::Error,
                    row: p.row,
                    field: p.column.clone(),
                    value: p.value.clone(),
                    problem: p.reason.clone(),
                })
                .collect(),
            valid: out.valid,
            rejected: out.rejected,
        })
    }

    /// Step 2: imports the valid rows (audited), the invalid ones go to an error workbook next to
    /// the file, like `kaoqin import calendar FILE --skip-invalid`.
    pub fn import_calendar_file(
        &self,
        user: &UserSession,
        file: &std::path::Path,
    ) -> Result<ImportDone, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let out = s
            .import_file(ImportKind::Calendar, file, false, true)
            .map_err(import_error)?;
        Ok(ImportDone {
            imported: out.imported,
            rejected: out.rejected,
            error_workbook: out.error_workbook,
        })
    }

    /// The calendar template (`kaoqin template calendar`), headers in `lang`.
    pub fn write_calendar_template(
        &self,
        user: &UserSession,
        path: &std::path::Path,
        lang: Lang,
    ) -> Result<(), UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.write_template(ImportKind::Calendar, path, locale(lang))
            .map_err(import_error)
    }
}
