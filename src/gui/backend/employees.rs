//! The Employees page's door to the services: add/update/deactivate employees
//! (`app::employees`), add departments (`app::org`), and the Excel import in two steps through
//! `app::imports` (a dry run that reports, then the commit with invalid rows skipped, like
//! `kaoqin import employees --skip-invalid`), plus the import template.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::app::employees::{EmployeeChanges, EmployeeInput};
use crate::app::imports::import_context;
use crate::i18n::Lang;
use kaoqin_excel::{ImportKind, Locale, Severity};

use super::super::model::UiError;
use super::{Backend, UserSession, app_error};

/// The employee form as typed; dates are parsed by `kaoqin_domain::timefmt::parse_opt_date`
/// before this is built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeForm {
    pub no: String,
    pub name: String,
    pub department: String,
    pub position: String,
    pub card: String,
    pub hired: Option<NaiveDate>,
    pub left: Option<NaiveDate>,
}

/// One problem of an import file, for the validation table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblemRow {
    pub error: bool,
    pub row: usize,
    pub field: String,
    pub value: String,
    pub problem: String,
}

/// One row the import would add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreviewRow {
    pub row: usize,
    pub no: String,
    pub name: String,
    pub department: String,
    pub position: String,
    pub hired: String,
}

/// The dry run's report: nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreview {
    pub file: PathBuf,
    pub problems: Vec<ImportProblemRow>,
    pub rows: Vec<ImportPreviewRow>,
    pub valid: usize,
    pub rejected: usize,
}

/// What the commit did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportDone {
    pub imported: usize,
    pub rejected: usize,
    pub error_workbook: Option<PathBuf>,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

pub(super) fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::ZhCn => Locale::ZhCn,
        Lang::ZhTw => Locale::ZhTw,
        Lang::English => Locale::En,
    }
}

impl Backend {
    /// `Session::add_employee` (工号 uniqueness and values are checked by the service/store).
    pub fn add_employee(&self, user: &UserSession, f: &EmployeeForm) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let input = EmployeeInput {
            no: f.no.trim().to_owned(),
            name: f.name.trim().to_owned(),
            department: f.department.trim().to_owned(),
            hired: f.hired,
            position: opt(&f.position),
            card: opt(&f.card),
        };
        s.add_employee(&input).map_err(app_error)?;
        Ok(())
    }

    /// `Session::get_employee`, as the edit form shows it.
    pub fn get_employee(&self, user: &UserSession, no: &str) -> Result<EmployeeForm, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let e = s.get_employee(no).map_err(app_error)?;
        Ok(EmployeeForm {
            no: e.enrollment_no,
            name: e.name,
            department: e.department.unwrap_or_default(),
            position: e.position.unwrap_or_default(),
            card: e.card_no.unwrap_or_default(),
            hired: e.hire_date,
            left: e.leave_date,
        })
    }

    /// `Session::update_employee` with every field of the form (the 工号 does not change).
    pub fn update_employee(&self, user: &UserSession, f: &EmployeeForm) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let changes = EmployeeChanges {
            name: Some(f.name.trim().to_owned()),
            department: Some(f.department.trim().to_owned()),
            // "" clears the field (the service maps blank to NULL).
            position: Some(f.position.trim().to_owned()),
            card: Some(f.card.trim().to_owned()),
            hired: f.hired,
            left: f.left,
        };
        s.update_employee(f.no.trim(), &changes)
            .map_err(app_error)?;
        Ok(())
    }

    /// `Session::deactivate_employee` (left today unless a date is given).
    pub fn deactivate_employee(
        &self,
        user: &UserSession,
        no: &str,
        left: Option<NaiveDate>,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.deactivate_employee(no, left).map_err(app_error)?;
        Ok(())
    }

    /// `Session::add_department`.
    pub fn add_department(
        &self,
        user: &UserSession,
        name: &str,
        parent: Option<&str>,
    ) -> Result<(), UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.add_department(name.trim(), parent).map_err(app_error)?;
        Ok(())
    }

    /// Step 1 of the import: `Session::import_file(dry_run)` validates (and checks the
    /// permission); the valid rows are then read with the same validator for the preview table.
    /// Writes nothing.
    pub fn import_preview(
        &self,
        user: &UserSession,
        file: &Path,
    ) -> Result<ImportPreview, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let out = s
            .import_file(ImportKind::Employees, file, true, true)
            .map_err(import_error)?;
        let ctx = import_context(s.conn()).map_err(app_error)?;
        let imp = kaoqin_excel::read_employees(file, &ctx)
            .map_err(|e| UiError::new("employees.import_unreadable", e.to_string()))?;
        let problems = out
            .problems
            .iter()
            .map(|p| ImportProblemRow {
                error: p.severity == Severity::Error,
                row: p.row,
                field: p.column.clone(),
                value: p.value.clone(),
                problem: p.reason.clone(),
            })
            .collect();
        let rows = imp
            .rows
            .iter()
            .map(|r| ImportPreviewRow {
                row: r.row,
                no: r.no.clone(),
                name: r.name.clone(),
                department: r.department.clone(),
                position: r.position.clone(),
                hired: r.hired.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect();
        Ok(ImportPreview {
            file: file.to_owned(),
            problems,
            rows,
            valid: out.valid,
            rejected: out.rejected,
        })
    }

    /// Step 2: imports the valid rows in one transaction, skipping the invalid ones (written to
    /// an error workbook next to the file), like `kaoqin import employees --skip-invalid`.
    pub fn import_commit(&self, user: &UserSession, file: &Path) -> Result<ImportDone, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let out = s
            .import_file(ImportKind::Employees, file, false, true)
            .map_err(import_error)?;
        Ok(ImportDone {
            imported: out.imported,
            rejected: out.rejected,
            error_workbook: out.error_workbook,
        })
    }

    /// The employees import template (`kaoqin template employees`), headers in `lang`.
    pub fn write_employee_template(
        &self,
        user: &UserSession,
        path: &Path,
        lang: Lang,
    ) -> Result<(), UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.write_template(ImportKind::Employees, path, locale(lang))
            .map_err(|e| match e {
                crate::app::AppError::Invalid { field: "file", .. } => {
                    UiError::new("employees.template_failed", e.to_string())
                }
                other => app_error(other),
            })
    }

    /// A sensible default folder for files the user saves or opens (Documents, else home, else
    /// the data directory).
    pub fn import_dir(&self) -> PathBuf {
        directories::UserDirs::new()
            .and_then(|u| {
                u.document_dir()
                    .map(Path::to_path_buf)
                    .or_else(|| Some(u.home_dir().to_path_buf()))
            })
            .unwrap_or_else(|| self.paths.data_dir.clone())
    }
}

pub(super) fn import_error(e: crate::app::AppError) -> UiError {
    match e {
        crate::app::AppError::Invalid { field: "file", .. } => {
            UiError::new("employees.import_unreadable", e.to_string())
        }
        other => app_error(other),
    }
}
