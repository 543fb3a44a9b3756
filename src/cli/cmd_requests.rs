//! CLI for requests (docs/domain.md §4): `request add|list|show|approve|reject|withdraw|link-user|…`.
//! Parsing and printing only: every command calls one service in `app::requests`, which checks
//! permissions and audits. Sessions are numbered from 1 here (`--session 1` = the first session of the
//! employee's shift); the service converts to the stored index.

use super::out::outln;
use anyhow::{Context, Result, anyhow};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use kaoqin_domain::timefmt::{self, parse_date};
use kaoqin_domain::{PunchKind, RequestKind, Span, SpanEnd, SpanError};
use kaoqin_store::requests::RequestFilter;

use super::args::FormatArg;
use super::cmd_attendance::print_rows;
use crate::app::Session;

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
    /// End: an inclusive date, or a date and time (a bare HH:MM is on the start's day); none =
    /// the start's day. At most a year after the start.
    #[arg(long)]
    pub to: Option<String>,
    /// Half day: the date, with --session.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub date: Option<NaiveDate>,
    /// The session of the employee's shift that day, from 1 (1 = the first, usually the morning).
    #[arg(long, value_name = "N")]
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

fn span_of(s: &Session, a: &RequestAddArgs) -> Result<Span> {
    if let Some(date) = a.date {
        let number = a.session.ok_or_else(|| {
            anyhow!(
                "--date needs --session N (1 = the first session of the shift, usually the morning)"
            )
        })?;
        return Ok(s.half_day(&a.employee, date, number)?);
    }
    let from = a
        .from
        .as_deref()
        .ok_or_else(|| anyhow!("missing --from (or --date with --session)"))?;
    Span::parse(from, a.to.as_deref().unwrap_or("")).map_err(span_error)
}

/// A span the domain refused, said against the option to fix.
fn span_error(e: SpanError) -> anyhow::Error {
    let option = match e.end() {
        SpanEnd::Start => "--from",
        SpanEnd::End => "--to",
    };
    anyhow!("invalid {option}: {e}")
}

fn kind_of(s: &Session, a: &RequestAddArgs) -> Result<RequestKind> {
    Ok(match a.kind {
        KindArg::Leave => RequestKind::Leave {
            leave_type: a
                .leave_type
                .clone()
                .ok_or_else(|| anyhow!("a leave needs --type (annual, personal, sick, ...)"))?,
            span: span_of(s, a)?,
        },
        KindArg::Outing => RequestKind::Outing {
            place: a.place.clone(),
            span: span_of(s, a)?,
        },
        KindArg::Trip => RequestKind::Trip {
            destination: a.place.clone(),
            span: span_of(s, a)?,
        },
        KindArg::Supplement => {
            let at =
                a.at.as_deref()
                    .ok_or_else(|| anyhow!("a supplement needs --at 'YYYY-MM-DD HH:MM'"))?;
            let at = timefmt::parse_datetime(at).map_err(|e| anyhow!("invalid --at: {e}"))?;
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
        KindArg::Overtime => {
            let from = a
                .from
                .as_deref()
                .filter(|_| a.date.is_none())
                .ok_or_else(|| anyhow!("overtime needs --from and --to with dates and times"))?;
            let (from, to) =
                Span::parse_times(from, a.to.as_deref().unwrap_or("")).map_err(span_error)?;
            RequestKind::Overtime { from, to }
        }
    })
}

/// A stored request's kind for people: sessions numbered from 1 (the stored form, as is, if it
/// cannot be read).
fn describe(kind_json: &str) -> String {
    let Ok(kind) = serde_json::from_str::<RequestKind>(kind_json) else {
        return kind_json.to_string();
    };
    match kind {
        RequestKind::Leave { leave_type, span } => {
            format!("leave {leave_type}: {span}")
        }
        RequestKind::Outing { place, span } => format!("outing to {place}: {span}"),
        RequestKind::Trip { destination, span } => {
            format!("trip to {destination}: {span}")
        }
        RequestKind::Supplement {
            at,
            punch,
            evidence,
        } => format!(
            "supplement ({}) at {}; evidence: {evidence}",
            match punch {
                PunchKind::In => "sign-in",
                PunchKind::Out => "sign-out",
            },
            timefmt::fmt_datetime(at)
        ),
        RequestKind::Overtime { from, to } => {
            format!("overtime: {}", Span::Range { from, to })
        }
    }
}

pub fn request(s: &mut Session, c: RequestCmd) -> Result<()> {
    match c {
        RequestCmd::Add(a) => {
            let kind = kind_of(s, &a)?;
            let id = s
                .add_request(&a.employee, kind, &a.reason)
                .context("cannot enter the request")?;
            outln!("Request {id} submitted for {}.", a.employee);
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
            outln!(
                "request {} · {} · {} · {}",
                v.row.id,
                v.row.employee_no,
                v.row.kind,
                v.row.state
            );
            outln!("{}", describe(&v.row.kind_json));
            outln!("entered by: {} (app user)", v.row.applicant);
            if !v.row.reason.is_empty() {
                outln!("reason: {}", v.row.reason);
            }
            for (h, actor) in v.history.into_iter().zip(v.actors) {
                outln!(
                    "{}  {}  {}  {} -> {}  {}",
                    timefmt::fmt_datetime_secs(h.at),
                    actor,
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
            outln!("Request {id} is {}.", st.code());
            Ok(())
        }
        RequestCmd::Reject { id, comment } => {
            let st = s
                .reject_request(id, &comment)
                .with_context(|| format!("cannot reject request {id}"))?;
            outln!("Request {id} is {}.", st.code());
            Ok(())
        }
        RequestCmd::Withdraw { id, comment } => {
            let st = s
                .withdraw_request(id, &comment)
                .with_context(|| format!("cannot withdraw request {id}"))?;
            outln!("Request {id} is {}.", st.code());
            Ok(())
        }
        RequestCmd::LinkUser {
            app_user,
            employee_no,
        } => {
            s.link_user_employee(&app_user, &employee_no)?;
            outln!("User {app_user} is employee {employee_no}.");
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
            outln!("Leave type {code} saved.");
            Ok(())
        }
        RequestCmd::SetLeader {
            department,
            leader_no,
        } => {
            s.set_department_leader(&department, &leader_no)?;
            outln!("{leader_no} leads {department}.");
            Ok(())
        }
    }
}
