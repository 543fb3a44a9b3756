//! Imports service: employees, requests and calendar days from .xlsx/.xls/.ods/.csv files read
//! and validated by `kaoqin-excel`, then applied in ONE transaction with ONE audit entry. With any error
//! nothing is imported, unless `skip_invalid`, which imports the valid rows and writes the rejected ones
//! to an error workbook next to the file. `dry_run` validates and reports without writing. Also the
//! import templates (`kaoqin template`).

use std::path::{Path, PathBuf};

use kaoqin_domain::{Action as Step, Request, transition};
use kaoqin_excel::{Import, ImportContext, ImportKind, Locale, Problem};
use kaoqin_store::employees::{self, EmployeeFilter, NewEmployee};
use kaoqin_store::requests::{self as req_store, HistoryRow, RequestRow as StoredRequest};
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::{calendar_days, departments};
use serde_json::json;

use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::requests::leave_types;
use super::session::Session;

/// What an import did (or would do).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportOutcome {
    pub kind: ImportKind,
    /// Every problem (errors and warnings) with sheet, row, column, value and reason.
    pub problems: Vec<Problem>,
    /// Valid rows (imported, or that would be with `dry_run`).
    pub valid: usize,
    pub rejected: usize,
    /// Rows written to the database (0 on refusal or dry run).
    pub imported: usize,
    pub dry_run: bool,
    /// True when errors stopped the import (nothing written).
    pub refused: bool,
    /// The error workbook written with `skip_invalid`.
    pub error_workbook: Option<PathBuf>,
}

fn kind_name(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Employees => "employees",
        ImportKind::Requests => "requests",
        ImportKind::Calendar => "calendar",
    }
}

fn excel_err(path: &Path, e: kaoqin_excel::ExcelError) -> AppError {
    AppError::Invalid {
        field: "file",
        reason: format!("{}: {e}", path.display()),
    }
}

/// The validation context: known departments, employees and leave types.
pub fn import_context(conn: &Connection) -> AppResult<ImportContext> {
    Ok(ImportContext {
        departments: departments::list(conn)?
            .into_iter()
            .map(|d| d.name)
            .collect(),
        allow_new_departments: false,
        employees: employees::list(conn, &EmployeeFilter::default())?
            .into_iter()
            .map(|e| e.enrollment_no)
            .collect(),
        leave_types: leave_types(conn)?,
    })
}

/// `<file stem>.errors.xlsx` next to the file.
pub fn error_workbook_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "import".into());
    file.with_file_name(format!("{stem}.errors.xlsx"))
}

fn permission(kind: ImportKind) -> Action {
    match kind {
        ImportKind::Employees => Action::ManageEmployees,
        ImportKind::Requests => Action::ManageRequests,
        ImportKind::Calendar => Action::ManageSchedules,
    }
}

/// Moves employee rows whose values break the bounds of [`super::validate`] (the same checks as
/// `employee add`) to the rejected rows, each with a problem naming the row and the field.
fn screen_employee_rows(
    mut imp: Import<kaoqin_excel::EmployeeRow>,
) -> Import<kaoqin_excel::EmployeeRow> {
    let rows = std::mem::take(&mut imp.rows);
    for r in rows {
        let input = super::employees::EmployeeInput {
            no: r.no.clone(),
            name: r.name.clone(),
            department: r.department.clone(),
            hired: r.hired,
            position: Some(r.position.clone()),
            card: Some(r.card.clone()),
        };
        let checked = super::employees::check_employee_input(&input)
            .and_then(|()| super::validate::name("department", &r.department).map(|_| ()));
        match checked {
            Ok(()) => imp.rows.push(r),
            Err(e) => {
                let (column, reason) = match &e {
                    AppError::Invalid { field, reason } => (field.to_string(), reason.clone()),
                    other => (String::new(), other.to_string()),
                };
                imp.problems.push(kaoqin_excel::Problem {
                    severity: kaoqin_excel::Severity::Error,
                    sheet: imp.sheet.clone(),
                    row: r.row,
                    column,
                    value: String::new(),
                    reason: reason.clone(),
                });
                imp.rejected.push(kaoqin_excel::RejectedRow {
                    sheet: imp.sheet.clone(),
                    row: r.row,
                    values: vec![
                        r.no,
                        r.name,
                        r.department,
                        r.position,
                        r.hired.map(|d| d.to_string()).unwrap_or_default(),
                        r.left.map(|d| d.to_string()).unwrap_or_default(),
                        r.card,
                    ],
                    reasons: vec![reason],
                });
            }
        }
    }
    imp
}

impl Session {
    /// Imports `file` of `kind`. Refusals (errors without `skip_invalid`) return `Ok` with
    /// `refused = true` so the caller can print the report; the CLI exits non-zero then.
    pub fn import_file(
        &mut self,
        kind: ImportKind,
        file: &Path,
        dry_run: bool,
        skip_invalid: bool,
    ) -> AppResult<ImportOutcome> {
        let target = file.display().to_string();
        self.require(permission(kind), &target)?;
        let ctx = import_context(self.conn())?;
        match kind {
            ImportKind::Employees => {
                let imp =
                    kaoqin_excel::read_employees(file, &ctx).map_err(|e| excel_err(file, e))?;
                let imp = screen_employee_rows(imp);
                self.apply(kind, file, imp, dry_run, skip_invalid, |tx, rows| {
                    for r in rows {
                        let dept = departments::get_by_name(tx, &r.department)?.id;
                        let opt = |s: &String| Some(s.clone()).filter(|v| !v.trim().is_empty());
                        employees::add(
                            tx,
                            &NewEmployee {
                                enrollment_no: r.no.clone(),
                                name: r.name.clone(),
                                department_id: Some(dept),
                                position: opt(&r.position),
                                hire_date: r.hired,
                                leave_date: r.left,
                                card_no: opt(&r.card),
                            },
                        )?;
                    }
                    Ok(())
                })
            }
            ImportKind::Calendar => {
                let imp =
                    kaoqin_excel::read_calendar(file, &ctx).map_err(|e| excel_err(file, e))?;
                self.apply(kind, file, imp, dry_run, skip_invalid, |tx, rows| {
                    for r in rows {
                        calendar_days::set(
                            tx,
                            &calendar_days::CalendarDay {
                                date: r.date,
                                kind: r.kind.code().to_string(),
                                name: r.name.clone(),
                                statutory: r.statutory,
                            },
                        )?;
                    }
                    Ok(())
                })
            }
            ImportKind::Requests => {
                let imp =
                    kaoqin_excel::read_requests(file, &ctx).map_err(|e| excel_err(file, e))?;
                let now = self.now();
                let applicant = self.user().name.clone();
                self.apply(kind, file, imp, dry_run, skip_invalid, move |tx, rows| {
                    for r in rows {
                        // Entered on the employee's behalf and submitted; approval is a separate step.
                        let draft =
                            Request::draft(0, &r.employee_no, r.kind.clone(), &r.reason, now);
                        let sub = transition(&draft, Step::Submit, &r.employee_no, false, now)
                            .map_err(|e| AppError::Invalid {
                                field: "request",
                                reason: format!("row {}: {e}", r.row),
                            })?;
                        let (from, to) = sub.kind.dates();
                        let id = req_store::add(
                            tx,
                            &StoredRequest {
                                id: 0,
                                employee_no: r.employee_no.clone(),
                                kind: sub.kind.code().to_string(),
                                kind_json: serde_json::to_string(&sub.kind).map_err(|e| {
                                    AppError::Invalid {
                                        field: "request",
                                        reason: e.to_string(),
                                    }
                                })?,
                                reason: r.reason.clone(),
                                state: sub.state.code().to_string(),
                                applicant: applicant.clone(),
                                approver: None,
                                from,
                                to,
                                created_at: now,
                                updated_at: now,
                            },
                        )?;
                        for h in &sub.history {
                            req_store::add_history(
                                tx,
                                id,
                                &HistoryRow {
                                    at: h.at,
                                    actor: h.actor.clone(),
                                    action: h.action.clone(),
                                    from_state: h.from.code().to_string(),
                                    to_state: h.to.code().to_string(),
                                    comment: h.comment.clone(),
                                },
                            )?;
                        }
                    }
                    Ok(())
                })
            }
        }
    }

    fn apply<T>(
        &mut self,
        kind: ImportKind,
        file: &Path,
        imp: Import<T>,
        dry_run: bool,
        skip_invalid: bool,
        write: impl FnOnce(&kaoqin_store::rusqlite::Transaction<'_>, &[T]) -> AppResult<()>,
    ) -> AppResult<ImportOutcome> {
        let mut out = ImportOutcome {
            kind,
            problems: imp.problems.clone(),
            valid: imp.rows.len(),
            rejected: imp.rejected.len(),
            imported: 0,
            dry_run,
            refused: false,
            error_workbook: None,
        };
        if imp.has_errors() && !skip_invalid {
            out.refused = true;
            return Ok(out);
        }
        if dry_run {
            return Ok(out);
        }
        let target = file.display().to_string();
        let n = imp.rows.len();
        let rejected = imp.rejected.len();
        let audit = format!("import.{}", kind_name(kind));
        self.act(permission(kind), &audit, &target, |tx| {
            write(tx, &imp.rows)?;
            Ok((
                (),
                json!({ "rows": n, "rejected": rejected, "sheet": imp.sheet }),
            ))
        })?;
        out.imported = n;
        if skip_invalid && !imp.rejected.is_empty() {
            let path = error_workbook_path(file);
            kaoqin_excel::write_error_workbook(
                &path,
                &imp.headers,
                &imp.rejected,
                Locale::default(),
            )
            .map_err(|e| excel_err(&path, e))?;
            out.error_workbook = Some(path);
        }
        Ok(out)
    }

    /// Writes an import template (headers, an example row, validation lists, notes).
    pub fn write_template(&self, kind: ImportKind, path: &Path, locale: Locale) -> AppResult<()> {
        self.require(Action::ViewOrganisation, &path.display().to_string())?;
        let ctx = import_context(self.conn())?;
        kaoqin_excel::write_template(kind, path, &ctx, locale).map_err(|e| excel_err(path, e))
    }
}
