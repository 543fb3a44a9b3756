//! CLI for issue 5 (and the month parts of issue 6): `schedule`, `calendar`, `request`, `month`.
//! Parsing and printing only: every command calls one service in `app::{schedules, calendar,
//! requests, month}`, which checks permissions and audits.

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow};
use chrono::{NaiveDate, NaiveDateTime};
use clap::{Args, Subcommand, ValueEnum};
use kaoqin_domain::{CalendarEntry, PunchKind, RequestKind, Span, presets};
use kaoqin_store::requests::RequestFilter;

use super::args::{Format, FormatArg, parse_date};
use super::table;
use crate::app::Session;
use crate::app::calendar::parse_kind;
use crate::app::month::Month;
use crate::app::schedules::AssignTo;

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
    /// List the four presets of DOMAIN.md §3 (A–D).
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Leave,
    Outing,
    Trip,
    Supplement,
    Overtime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PunchArg {
    In,
    Out,
}

/// `kaoqin request`.
#[derive(Debug, Subcommand)]
pub enum RequestCmd {
    /// Enter a request for an employee (submitted at once).
    Add(RequestAddArgs),
    /// List requests.
    List {
        #[arg(long, value_name = "NO")]
        employee: Option<String>,
        /// draft, submitted, approved, rejected, withdrawn.
        #[arg(long)]
        state: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// One request with its history.
    Show { id: i64 },
    /// Approve (direct leader or supervisor; never one's own).
    Approve {
        id: i64,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Reject.
    Reject {
        id: i64,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Withdraw (an approved request only by a leader or supervisor).
    Withdraw {
        id: i64,
        #[arg(long, default_value = "")]
        comment: String,
    },
    /// Record that app user USER is employee NO (so nobody approves their own request).
    LinkUser {
        #[arg(value_name = "USER")]
        app_user: String,
        employee_no: String,
    },
    /// The configured leave types.
    LeaveTypes {
        #[command(flatten)]
        format: FormatArg,
    },
    /// Add or change a leave type.
    SetLeaveType {
        code: String,
        /// Chinese name.
        #[arg(long)]
        zh: String,
        #[arg(long, default_value = "")]
        en: String,
        /// Character on the monthly sheet.
        #[arg(long)]
        symbol: String,
        /// Never publish the reason (like sick leave).
        #[arg(long)]
        private: bool,
    },
    /// Record the leader (工号) of a department: the direct leader of its employees.
    SetLeader {
        department: String,
        leader_no: String,
    },
}

#[derive(Debug, Args)]
pub struct RequestAddArgs {
    /// The employee's 工号.
    #[arg(long, value_name = "NO")]
    pub employee: String,
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// Leave type code (annual, personal, sick, ...).
    #[arg(long = "type", value_name = "CODE")]
    pub leave_type: Option<String>,
    /// Start: a date (whole days) or 'YYYY-MM-DD HH:MM' (a time range).
    #[arg(long)]
    pub from: Option<String>,
    /// End (inclusive date, or a time).
    #[arg(long)]
    pub to: Option<String>,
    /// Half day: the date, with --session (0 = morning, 1 = afternoon).
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub date: Option<NaiveDate>,
    #[arg(long)]
    pub session: Option<usize>,
    /// Supplement (补签): the time of the forgotten punch.
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, value_enum)]
    pub punch: Option<PunchArg>,
    #[arg(long, default_value = "")]
    pub evidence: String,
    /// Outing place / trip destination.
    #[arg(long, default_value = "")]
    pub place: String,
    #[arg(long, default_value = "")]
    pub reason: String,
}

/// `kaoqin month`.
#[derive(Debug, Subcommand)]
pub enum MonthCmd {
    /// Reconcile a month and store its results.
    Run {
        #[arg(value_name = "YYYY-MM")]
        month: String,
    },
    /// Print a month's results (recomputed first if any input changed).
    Show {
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

fn print_rows(format: Format, headers: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
    print!("{}", table::render(format, headers, &rows)?);
    Ok(())
}

pub fn schedule(s: &mut Session, c: ScheduleCmd) -> Result<()> {
    match c {
        ScheduleCmd::Add { file } => {
            let shift = s
                .add_shift(&read_text(&file)?)
                .with_context(|| format!("cannot add the shift in {}", file.display()))?;
            println!(
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
            println!("Rotation {} saved ({} days).", r.code, r.cycle.len());
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
            println!("{}", s.get_shift(&code)?.to_json());
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
            println!("Assigned {plan} to {whom} (assignment {id}).");
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
            println!("{date} is now {}.", kind.code());
            Ok(())
        }
        CalendarCmd::Import { file } => {
            let text = read_text(&file)?;
            let n = s
                .import_calendar_text(&file.display().to_string(), &text)
                .with_context(|| format!("cannot import {}", file.display()))?;
            println!("Imported {n} calendar days from {}.", file.display());
            Ok(())
        }
    }
}

/// A date or a date and time ('YYYY-MM-DD HH:MM[:SS]' or with 'T').
enum When {
    Day(NaiveDate),
    At(NaiveDateTime),
}

fn parse_when(field: &str, s: &str) -> Result<When> {
    let t = s.trim().replace('T', " ");
    if t.contains(' ') {
        for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
            if let Ok(v) = NaiveDateTime::parse_from_str(&t, f) {
                return Ok(When::At(v));
            }
        }
        return Err(anyhow!(
            "invalid --{field}: '{s}' is not a date and time; write YYYY-MM-DD HH:MM"
        ));
    }
    parse_date(&t)
        .map(When::Day)
        .map_err(|e| anyhow!("invalid --{field}: {e}"))
}

fn span_of(a: &RequestAddArgs) -> Result<Span> {
    if let Some(date) = a.date {
        let session = a
            .session
            .ok_or_else(|| anyhow!("--date needs --session (0 = morning, 1 = afternoon)"))?;
        return Ok(Span::Session { date, session });
    }
    let from = a
        .from
        .as_deref()
        .ok_or_else(|| anyhow!("missing --from (or --date with --session)"))?;
    let to = a.to.as_deref().unwrap_or(from);
    match (parse_when("from", from)?, parse_when("to", to)?) {
        (When::Day(f), When::Day(t)) => {
            if t < f {
                return Err(anyhow!("invalid --to: the end {t} is before the start {f}"));
            }
            Ok(Span::Days { from: f, to: t })
        }
        (When::At(f), When::At(t)) => {
            if t <= f {
                return Err(anyhow!(
                    "invalid --to: the end {t} is not after the start {f}"
                ));
            }
            Ok(Span::Range { from: f, to: t })
        }
        _ => Err(anyhow!(
            "--from and --to must both be dates or both be date and time"
        )),
    }
}

fn kind_of(a: &RequestAddArgs) -> Result<RequestKind> {
    Ok(match a.kind {
        KindArg::Leave => RequestKind::Leave {
            leave_type: a
                .leave_type
                .clone()
                .ok_or_else(|| anyhow!("a leave needs --type (annual, personal, sick, ...)"))?,
            span: span_of(a)?,
        },
        KindArg::Outing => RequestKind::Outing {
            place: a.place.clone(),
            span: span_of(a)?,
        },
        KindArg::Trip => RequestKind::Trip {
            destination: a.place.clone(),
            span: span_of(a)?,
        },
        KindArg::Supplement => {
            let at =
                a.at.as_deref()
                    .ok_or_else(|| anyhow!("a supplement needs --at 'YYYY-MM-DD HH:MM'"))?;
            let When::At(at) = parse_when("at", at)? else {
                return Err(anyhow!(
                    "invalid --at: give a date and a time, YYYY-MM-DD HH:MM"
                ));
            };
            RequestKind::Supplement {
                at,
                punch: match a.punch {
                    Some(PunchArg::Out) => PunchKind::Out,
                    Some(PunchArg::In) => PunchKind::In,
                    None => return Err(anyhow!("a supplement needs --punch in|out")),
                },
                evidence: a.evidence.clone(),
            }
        }
        KindArg::Overtime => match span_of(a)? {
            Span::Range { from, to } => RequestKind::Overtime { from, to },
            _ => return Err(anyhow!("overtime needs --from and --to with times")),
        },
    })
}

pub fn request(s: &mut Session, c: RequestCmd) -> Result<()> {
    match c {
        RequestCmd::Add(a) => {
            let kind = kind_of(&a)?;
            let id = s
                .add_request(&a.employee, kind, &a.reason)
                .context("cannot enter the request")?;
            println!("Request {id} submitted for {}.", a.employee);
            Ok(())
        }
        RequestCmd::List {
            employee,
            state,
            format,
        } => {
            let rows = s
                .list_requests(&RequestFilter {
                    employee_no: employee,
                    state,
                    ..Default::default()
                })?
                .into_iter()
                .map(|r| {
                    vec![
                        r.id.to_string(),
                        r.employee_no,
                        r.kind,
                        r.from.to_string(),
                        r.to.to_string(),
                        r.state,
                        r.applicant,
                        r.approver.unwrap_or_default(),
                    ]
                })
                .collect();
            print_rows(
                format.format,
                &[
                    "id",
                    "employee_no",
                    "kind",
                    "from",
                    "to",
                    "state",
                    "entered_by",
                    "decided_by",
                ],
                rows,
            )
        }
        RequestCmd::Show { id } => {
            let v = s.show_request(id)?;
            println!(
                "request {} · {} · {} · {}",
                v.row.id, v.row.employee_no, v.row.kind, v.row.state
            );
            println!("{}", v.row.kind_json);
            if !v.row.reason.is_empty() {
                println!("reason: {}", v.row.reason);
            }
            for h in v.history {
                println!(
                    "{}  {}  {}  {} -> {}  {}",
                    h.at.format("%Y-%m-%d %H:%M:%S"),
                    h.actor,
                    h.action,
                    h.from_state,
                    h.to_state,
                    h.comment
                );
            }
            Ok(())
        }
        RequestCmd::Approve { id, comment } => {
            let st = s
                .approve_request(id, &comment)
                .with_context(|| format!("cannot approve request {id}"))?;
            println!("Request {id} is {}.", st.code());
            Ok(())
        }
        RequestCmd::Reject { id, comment } => {
            let st = s
                .reject_request(id, &comment)
                .with_context(|| format!("cannot reject request {id}"))?;
            println!("Request {id} is {}.", st.code());
            Ok(())
        }
        RequestCmd::Withdraw { id, comment } => {
            let st = s
                .withdraw_request(id, &comment)
                .with_context(|| format!("cannot withdraw request {id}"))?;
            println!("Request {id} is {}.", st.code());
            Ok(())
        }
        RequestCmd::LinkUser {
            app_user,
            employee_no,
        } => {
            s.link_user_employee(&app_user, &employee_no)?;
            println!("User {app_user} is employee {employee_no}.");
            Ok(())
        }
        RequestCmd::LeaveTypes { format } => {
            let rows = s
                .leave_types()?
                .into_iter()
                .map(|t| {
                    vec![
                        t.code,
                        t.name_zh,
                        t.name_en,
                        t.symbol,
                        t.private.to_string(),
                    ]
                })
                .collect();
            print_rows(
                format.format,
                &["code", "name", "name_en", "symbol", "private"],
                rows,
            )
        }
        RequestCmd::SetLeaveType {
            code,
            zh,
            en,
            symbol,
            private,
        } => {
            s.set_leave_type(kaoqin_domain::LeaveType {
                code: code.clone(),
                name_zh: zh,
                name_en: en,
                symbol,
                private,
            })?;
            println!("Leave type {code} saved.");
            Ok(())
        }
        RequestCmd::SetLeader {
            department,
            leader_no,
        } => {
            s.set_department_leader(&department, &leader_no)?;
            println!("{leader_no} leads {department}.");
            Ok(())
        }
    }
}

pub fn month(s: &mut Session, c: MonthCmd) -> Result<()> {
    match c {
        MonthCmd::Run { month } => {
            let m = Month::parse(&month)?;
            let (info, result) = s
                .run_month(m)
                .with_context(|| format!("cannot run {month}"))?;
            println!(
                "Month {} reconciled: {} employees, {} employee-days stored.",
                info.month, info.employees, info.days
            );
            if !result.unknown_enrollments.is_empty() {
                println!(
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
            let m = Month::parse(&month)?;
            let view = s
                .month_show(m, department.as_deref(), employee.as_deref())
                .with_context(|| format!("cannot show {month}"))?;
            match format.format {
                Format::Csv => print!("{}", view.csv),
                Format::Table => {
                    let mut rd = csv::Reader::from_reader(view.csv.as_bytes());
                    let headers: Vec<String> = rd.headers()?.iter().map(str::to_string).collect();
                    let heads: Vec<&str> = headers.iter().map(String::as_str).collect();
                    let rows = rd
                        .records()
                        .map(|r| r.map(|r| r.iter().map(str::to_string).collect()))
                        .collect::<Result<Vec<Vec<String>>, _>>()?;
                    print_rows(Format::Table, &heads, rows)?;
                }
            }
            Ok(())
        }
    }
}
