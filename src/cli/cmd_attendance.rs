//! CLI for schedules, the calendar and the month run: `schedule`, `calendar`, `month`; `request` is
//! in `cmd_requests` (re-exported here).
//! Parsing and printing only: every command calls one service in `app::{schedules, calendar,
//! requests, month}`, which checks permissions and audits.

use super::out::{out_raw, outln};
use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use kaoqin_domain::timefmt::parse_date;
use kaoqin_domain::{CalendarEntry, presets};

use super::args::{Format, FormatArg};
pub use super::cmd_requests::{RequestCmd, request};
use super::table;
use crate::app::calendar::parse_kind;
use crate::app::month::Month;
use crate::app::schedules::AssignTo;
use crate::app::{AppError, Session};

/// `kaoqin schedule`.
#[derive(Debug, Subcommand)]
pub enum ScheduleCmd {
    /// Add or replace a shift from a JSON file (the form `schedule show` prints).
    Add {
        /// JSON file of one shift (`-` = stdin).
        file: PathBuf,
    },
    /// Add or replace a rotation from a JSON file: {"code","name","start","cycle":["A",null,…]}.
    AddRotation { file: PathBuf },
    /// List shifts (presets A–D and stored ones).
    List {
        #[command(flatten)]
        format: FormatArg,
    },
    /// Print one shift as JSON.
    Show { code: String },
    /// Assign a shift (or rotation) to the organisation, a department or an employee.
    Assign(AssignArgs),
    /// List the four presets of docs/domain.md §3 (A–D).
    Presets {
        #[command(flatten)]
        format: FormatArg,
    },
    /// List stored assignments.
    Assignments {
        #[command(flatten)]
        format: FormatArg,
    },
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    /// Shift code (e.g. A).
    #[arg(
        long,
        conflicts_with = "rotation",
        required_unless_present = "rotation"
    )]
    pub shift: Option<String>,
    /// Rotation code.
    #[arg(long)]
    pub rotation: Option<String>,
    /// The whole organisation.
    #[arg(long, conflicts_with_all = ["department", "employee"], required_unless_present_any = ["department", "employee"])]
    pub org: bool,
    /// A department (处室) by name.
    #[arg(long, conflicts_with = "employee")]
    pub department: Option<String>,
    /// An employee by 工号.
    #[arg(long)]
    pub employee: Option<String>,
    /// First effective day.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Last effective day.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub to: Option<NaiveDate>,
}

/// `kaoqin calendar`.
#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Days with their type (bundled 2025/2026 Chinese calendar plus local days).
    List {
        #[arg(long, value_parser = parse_date, value_name = "DATE")]
        from: NaiveDate,
        #[arg(long, value_parser = parse_date, value_name = "DATE")]
        to: NaiveDate,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Set one day: workday, restday, holiday, other_holiday, makeup_workday.
    Set {
        #[arg(value_parser = parse_date, value_name = "DATE")]
        date: NaiveDate,
        #[arg(value_name = "TYPE")]
        kind: String,
        /// Name (e.g. 春节).
        #[arg(long, default_value = "")]
        name: String,
        /// A statutory holiday (300% overtime) rather than a shifted rest day (200%).
        #[arg(long)]
        statutory: bool,
    },
    /// Import days from a calendar JSON year file or CSV (date,type,name,statutory).
    Import { file: PathBuf },
}

/// `kaoqin month`.
#[derive(Debug, Subcommand)]
pub enum MonthCmd {
    /// Reconcile a month and store its results.
    Run {
        /// The month: YYYY-MM (also YYYY-M, YYYY/M, YYYY.M).
        #[arg(value_name = "YYYY-MM")]
        month: String,
    },
    /// Print a month's results (recomputed first if any input changed).
    Show {
        /// The month: YYYY-MM (also YYYY-M, YYYY/M, YYYY.M).
        #[arg(value_name = "YYYY-MM")]
        month: String,
        #[arg(long)]
        department: Option<String>,
        #[arg(long, value_name = "NO")]
        employee: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
}

fn read_text(file: &PathBuf) -> Result<String> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)?;
        return Ok(s);
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    String::from_utf8(bytes).map_err(|_| anyhow!("{} is not UTF-8 text", file.display()))
}

pub(super) fn print_rows(format: Format, headers: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
    out_raw!("{}", table::render(format, headers, &rows)?);
    Ok(())
}

pub fn schedule(s: &mut Session, c: ScheduleCmd) -> Result<()> {
    match c {
        ScheduleCmd::Add { file } => {
            let shift = s
                .add_shift(&read_text(&file)?)
                .with_context(|| format!("cannot add the shift in {}", file.display()))?;
            outln!(
                "Shift {} ({}) saved: {}.",
                shift.code,
                shift.name_zh,
                shift.hours_text()
            );
            Ok(())
        }
        ScheduleCmd::AddRotation { file } => {
            let r = s
                .add_rotation(&read_text(&file)?)
                .with_context(|| format!("cannot add the rotation in {}", file.display()))?;
            outln!("Rotation {} saved ({} days).", r.code, r.cycle.len());
            Ok(())
        }
        ScheduleCmd::List { format } => {
            let rows = s
                .list_shifts()?
                .into_iter()
                .map(|sh| {
                    vec![
                        sh.code.clone(),
                        sh.name_zh.clone(),
                        sh.name_en.clone(),
                        sh.hours_text(),
                    ]
                })
                .collect();
            print_rows(format.format, &["code", "name", "name_en", "hours"], rows)
        }
        ScheduleCmd::Presets { format } => {
            let rows = presets::all()
                .into_iter()
                .map(|sh| {
                    vec![
                        sh.code.clone(),
                        sh.name_zh.clone(),
                        sh.name_en.clone(),
                        sh.hours_text(),
                    ]
                })
                .collect();
            print_rows(format.format, &["code", "name", "name_en", "hours"], rows)
        }
        ScheduleCmd::Show { code } => {
            // Pretty JSON spans lines on purpose (its strings escape control characters).
            out_raw!("{}\n", s.get_shift(&code)?.to_json());
            Ok(())
        }
        ScheduleCmd::Assign(a) => {
            let to_whom = match (a.department, a.employee) {
                (Some(d), _) => AssignTo::Department(d),
                (None, Some(e)) => AssignTo::Employee(e),
                (None, None) => AssignTo::Organisation,
            };
            let (plan, rotation) = match (a.shift, a.rotation) {
                (Some(p), _) => (p, false),
                (None, Some(r)) => (r, true),
                (None, None) => return Err(anyhow!("give --shift CODE or --rotation CODE")),
            };
            let id = s
                .assign_schedule(&to_whom, &plan, rotation, a.from, a.to)
                .context("cannot assign the schedule")?;
            let whom = match &to_whom {
                AssignTo::Organisation => "the organisation".to_string(),
                AssignTo::Department(d) => format!("department {d}"),
                AssignTo::Employee(e) => format!("employee {e}"),
            };
            outln!("Assigned {plan} to {whom} (assignment {id}).");
            Ok(())
        }
        ScheduleCmd::Assignments { format } => {
            let rows = s
                .list_assignments()?
                .into_iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.target_kind,
                        r.target,
                        r.plan_kind,
                        r.plan,
                        r.from.map(|d| d.to_string()).unwrap_or_default(),
                        r.to.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            print_rows(
                format.format,
                &[
                    "id",
                    "target_kind",
                    "target",
                    "plan_kind",
                    "plan",
                    "from",
                    "to",
                ],
                rows,
            )
        }
    }
}

pub fn calendar(s: &mut Session, c: CalendarCmd) -> Result<()> {
    match c {
        CalendarCmd::List { from, to, format } => {
            let rows = s
                .calendar_days(from, to)?
                .into_iter()
                .map(|(d, kind, name, statutory)| {
                    vec![
                        d.to_string(),
                        kind.csv_code().to_string(),
                        kind.code().to_string(),
                        name,
                        statutory.to_string(),
                    ]
                })
                .collect();
            print_rows(
                format.format,
                &["date", "day_type", "kind", "name", "statutory"],
                rows,
            )
        }
        CalendarCmd::Set {
            date,
            kind,
            name,
            statutory,
        } => {
            let kind = parse_kind(&kind)?;
            s.set_calendar_day(CalendarEntry {
                date,
                kind,
                name,
                statutory,
            })
            .with_context(|| format!("cannot set {date}"))?;
            outln!("{date} is now {}.", kind.code());
            Ok(())
        }
        CalendarCmd::Import { file } => {
            let text = read_text(&file)?;
            let n = s
                .import_calendar_text(&file.display().to_string(), &text)
                .with_context(|| format!("cannot import {}", file.display()))?;
            outln!("Imported {n} calendar days from {}.", file.display());
            Ok(())
        }
    }
}

pub fn month(s: &mut Session, c: MonthCmd) -> Result<()> {
    match c {
        MonthCmd::Run { month } => {
            let m = Month::parse(&month).map_err(AppError::from)?;
            let (info, result) = s.run_month(m).with_context(|| format!("cannot run {m}"))?;
            outln!(
                "Month {} reconciled: {} employees, {} employee-days stored.",
                info.month,
                info.employees,
                info.days
            );
            if !result.unknown_enrollments.is_empty() {
                outln!(
                    "Punches with no employee (工号): {}",
                    result.unknown_enrollments.join(", ")
                );
            }
            Ok(())
        }
        MonthCmd::Show {
            month,
            department,
            employee,
            format,
        } => {
            let m = Month::parse(&month).map_err(AppError::from)?;
            let view = s
                .month_show(m, department.as_deref(), employee.as_deref())
                .with_context(|| format!("cannot show {m}"))?;
            match format.format {
                Format::Csv => out_raw!("{}", view.csv),
                Format::Table => {
                    let mut rd = csv::Reader::from_reader(view.csv.as_bytes());
                    let headers: Vec<String> = rd.headers()?.iter().map(str::to_string).collect();
                    let heads: Vec<&str> = headers.iter().map(String::as_str).collect();
                    let rows = rd
                        .records()
                        .map(|r| {
                            r.map(|r| {
                                r.iter()
                                    .map(|c| kaoqin_domain::csv_safe::unquote(c).to_string())
                                    .collect()
                            })
                        })
                        .collect::<Result<Vec<Vec<String>>, _>>()?;
                    print_rows(Format::Table, &heads, rows)?;
                }
            }
            Ok(())
        }
    }
}
