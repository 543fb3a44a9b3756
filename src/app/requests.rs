//! Requests service: enter (draft + submit on the employee's behalf), list, show, approve, reject,
//! withdraw. The state machine is the domain's `transition`; this module decides who the actor is and
//! whether they lead the applicant, then stores the new state, the history row and the audit entry in
//! one transaction.
//!
//! Who is who: an app user may be linked to an employee (`user_employees`, set by the administrator:
//! `manage_users`). The actor passed to the domain is the app user, with that employee record and
//! whether they entered the request, so nobody decides a request that is their own by any route: the
//! applicant, the user linked to the applicant, the user who entered it. The history records
//! `user:NAME` or `employee:NO` and shows them as they are ([`ActorName`]). "Direct leader" = the
//! leader recorded for the applicant's department (`department_leaders`). Approving needs the
//! `approve_requests` permission (supervisors); a recorded leader who is a supervisor counts as
//! leader, any supervisor counts as "a supervisor".
//!
//! Half-day spans keep the shift's session index (0-based); users number sessions from 1
//! ([`Session::half_day`] converts and checks against the employee's shift).

use chrono::NaiveDateTime;
use kaoqin_domain::{
    Action as Step, Actor, ActorId, AuditEntry, Employee as DomEmployee, LeaveType, Request,
    RequestKind, RequestState, Span, TransitionError, default_leave_types, transition_by,
};
use kaoqin_store::requests::{self, HistoryRow, RequestFilter, RequestRow};
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::{Role, employees, schedules, users};
use serde_json::json;

use super::calendar::load_calendar;

use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::session::Session;

fn invalid(field: &'static str, reason: impl ToString) -> AppError {
    AppError::Invalid {
        field,
        reason: reason.to_string(),
    }
}

/// The configured leave types (stored ones, else the domain defaults).
pub fn leave_types(conn: &Connection) -> AppResult<Vec<LeaveType>> {
    let stored = schedules::list_leave_types(conn)?;
    if stored.is_empty() {
        return Ok(default_leave_types());
    }
    stored
        .into_iter()
        .map(|(code, text)| {
            serde_json::from_str(&text)
                .map_err(|e| invalid("stored leave type", format!("{code}: {e}")))
        })
        .collect()
}

fn state_of(code: &str) -> RequestState {
    match code {
        "draft" => RequestState::Draft,
        "submitted" => RequestState::Submitted,
        "approved" => RequestState::Approved,
        "rejected" => RequestState::Rejected,
        _ => RequestState::Withdrawn,
    }
}

/// Maps a stored row (and its history) to the domain's request.
pub fn to_domain(row: &RequestRow, history: &[HistoryRow]) -> AppResult<Request> {
    let kind: RequestKind = serde_json::from_str(&row.kind_json)
        .map_err(|e| invalid("stored request", format!("request {}: {e}", row.id)))?;
    Ok(Request {
        id: u64::try_from(row.id).unwrap_or_default(),
        employee_no: row.employee_no.clone(),
        kind,
        reason: row.reason.clone(),
        state: state_of(&row.state),
        created_at: row.created_at,
        decided_by: row.approver.clone(),
        history: history
            .iter()
            .map(|h| AuditEntry {
                at: h.at,
                actor: h.actor.clone(),
                action: h.action.clone(),
                from: state_of(&h.from_state),
                to: state_of(&h.to_state),
                comment: h.comment.clone(),
            })
            .collect(),
    })
}

/// All requests overlapping [from, to] as domain values (reconciliation filters by state itself).
pub fn load_requests(
    conn: &Connection,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> AppResult<Vec<Request>> {
    let rows = requests::list(
        conn,
        &RequestFilter {
            from: Some(from),
            to: Some(to),
            ..Default::default()
        },
    )?;
    rows.iter().map(|r| to_domain(r, &[])).collect()
}

fn history_row(e: &AuditEntry) -> HistoryRow {
    HistoryRow {
        at: e.at,
        actor: e.actor.clone(),
        action: e.action.clone(),
        from_state: e.from.code().to_string(),
        to_state: e.to.code().to_string(),
        comment: e.comment.clone(),
    }
}

/// A request with its history, for `request show`.
#[derive(Debug, Clone)]
pub struct RequestView {
    pub row: RequestRow,
    pub history: Vec<HistoryRow>,
    /// Who did each step of `history` (same order), as they are.
    pub actors: Vec<ActorName>,
}

/// Who did a step of a request: an app user or an employee, as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorName {
    /// An app user, by user name.
    User(String),
    /// An employee: 工号 and name (none if the record is gone).
    Employee { no: String, name: Option<String> },
    /// A step recorded before actors were tagged whose author cannot be told: the text as stored.
    AsStored(String),
}

impl std::fmt::Display for ActorName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActorName::User(n) => write!(f, "{n} (app user)"),
            ActorName::Employee { no, name: Some(n) } => write!(f, "{no} {n}"),
            ActorName::Employee { no, name: None } => write!(f, "{no}"),
            ActorName::AsStored(t) => f.write_str(t),
        }
    }
}

fn employee_name(conn: &Connection, no: String) -> AppResult<ActorName> {
    let name = employees::find_by_no(conn, &no)?.map(|e| e.name);
    Ok(ActorName::Employee { no, name })
}

/// Who did `h`. Old rows hold a bare user name or 工号: a decision is the request's recorded
/// approver (a user), the applicant's own steps (submit, withdraw before a decision) the applicant.
fn actor_name(conn: &Connection, row: &RequestRow, h: &HistoryRow) -> AppResult<ActorName> {
    match ActorId::from_record(&h.actor) {
        Some(ActorId::User(n)) => Ok(ActorName::User(n)),
        Some(ActorId::Employee(no)) => employee_name(conn, no),
        None => {
            let decision = matches!(h.action.as_str(), "approve" | "reject");
            let own_step = h.action == "submit"
                || (h.action == "withdraw" && h.from_state != RequestState::Approved.code());
            match &row.approver {
                Some(user) if decision => Ok(ActorName::User(user.clone())),
                _ if own_step && h.actor == row.employee_no => employee_name(conn, h.actor.clone()),
                _ => Ok(ActorName::AsStored(h.actor.clone())),
            }
        }
    }
}

/// The sessions' numbers as users give them, e.g. "1–2 (1 上午, 2 下午)"; for no known shift "1–N".
pub fn session_choices(names: Option<&[String]>) -> String {
    match names {
        Some(n) if !n.is_empty() => {
            let each: Vec<String> = n
                .iter()
                .enumerate()
                .map(|(i, name)| format!("{} {name}", i + 1))
                .collect();
            format!("1–{} ({})", n.len(), each.join(", "))
        }
        _ => "1–N, N being the number of sessions of the employee's shift (none is assigned that day)"
            .to_string(),
    }
}

impl Session {
    /// This app user as the domain sees them acting on `row`: their linked employee record, whether
    /// they entered it, whether they lead the applicant or supervise.
    fn request_actor(&self, row: &RequestRow) -> AppResult<Actor> {
        let me = self.user().name.clone();
        let employee_no = requests::user_employee(self.conn(), &me)?;
        let dept = employees::find_by_no(self.conn(), &row.employee_no)?.and_then(|e| e.department);
        let is_direct_leader = match (dept, &employee_no) {
            (Some(d), Some(no)) => {
                requests::department_leader(self.conn(), &d)?.as_deref() == Some(no.as_str())
            }
            _ => false,
        };
        Ok(Actor {
            entered_request: row.applicant == me,
            id: ActorId::User(me),
            employee_no,
            may_decide: is_direct_leader || self.role() == Role::Supervisor,
        })
    }

    /// The names of the sessions of `employee_no`'s shift on `date` (in order), if a shift applies.
    pub fn shift_sessions(
        &self,
        employee_no: &str,
        date: chrono::NaiveDate,
    ) -> AppResult<Option<Vec<String>>> {
        self.require(Action::ViewReports, employee_no)?;
        let Some(e) = employees::find_by_no(self.conn(), employee_no)? else {
            return Ok(None);
        };
        let emp = DomEmployee {
            no: e.enrollment_no,
            name: e.name,
            department: e.department.unwrap_or_default(),
            hired: e.hire_date,
            left: e.leave_date,
            active: e.active,
        };
        let book = schedules::load_book(self.conn())?;
        let calendar = load_calendar(self.conn())?;
        let plan = book.plan(&emp, date, &calendar);
        Ok(plan
            .shift
            .map(|s| s.sessions.iter().map(|x| x.name.clone()).collect()))
    }

    /// The half day `number` (1 = the shift's first session) of `date` for `employee_no`, checked
    /// against the sessions of the employee's shift that day; the error names the valid numbers.
    pub fn half_day(
        &self,
        employee_no: &str,
        date: chrono::NaiveDate,
        number: usize,
    ) -> AppResult<Span> {
        let names = self.shift_sessions(employee_no, date)?;
        let count = names.as_ref().map(Vec::len);
        if number == 0 || count.is_some_and(|n| number > n) {
            return Err(invalid(
                "session",
                format!(
                    "there is no session {number} for {employee_no} on {date}; sessions are numbered {}",
                    session_choices(names.as_deref())
                ),
            ));
        }
        Ok(Span::Session {
            date,
            session: number - 1,
        })
    }

    /// A half-day span must name a session of the employee's shift that day (when one applies).
    fn check_session(&self, employee_no: &str, kind: &RequestKind) -> AppResult<()> {
        let span = match kind {
            RequestKind::Leave { span, .. }
            | RequestKind::Outing { span, .. }
            | RequestKind::Trip { span, .. } => span,
            _ => return Ok(()),
        };
        if let Span::Session { date, session } = span {
            self.half_day(employee_no, *date, session + 1)?;
        }
        Ok(())
    }

    /// Enters a request for an employee and submits it (on the employee's behalf). Validation errors
    /// name the field (unknown employee, unknown leave type, end before start).
    pub fn add_request(
        &mut self,
        employee_no: &str,
        kind: RequestKind,
        reason: &str,
    ) -> AppResult<i64> {
        self.require(Action::ManageRequests, employee_no)?;
        super::validate::text("reason", reason)?;
        let emp = employees::find_by_no(self.conn(), employee_no)?
            .ok_or_else(|| invalid("employee", format!("no employee with 工号 '{employee_no}'")))?;
        let types = leave_types(self.conn())?;
        let now = self.now();
        self.check_session(&emp.enrollment_no, &kind)?;
        let draft = Request::draft(0, &emp.enrollment_no, kind, reason, now);
        draft.validate(&types).map_err(|e| invalid("request", e))?;
        let submitted = transition_by(&draft, Step::Submit, &Actor::applicant(&draft), now)?;
        let kind_json =
            serde_json::to_string(&submitted.kind).map_err(|e| invalid("request", e))?;
        let (from, to) = submitted.kind.dates();
        let applicant = self.user().name.clone();
        let row = RequestRow {
            id: 0,
            employee_no: emp.enrollment_no.clone(),
            kind: submitted.kind.code().to_string(),
            kind_json: kind_json.clone(),
            reason: reason.to_string(),
            state: submitted.state.code().to_string(),
            applicant,
            approver: None,
            from,
            to,
            created_at: now,
            updated_at: now,
        };
        let target = emp.enrollment_no.clone();
        self.act(Action::ManageRequests, "request.add", &target, |tx| {
            let id = requests::add(tx, &row)?;
            for h in &submitted.history {
                requests::add_history(tx, id, &history_row(h))?;
            }
            Ok((
                id,
                json!({ "id": id, "kind": row.kind, "from": from, "to": to, "state": row.state }),
            ))
        })
    }

    /// Requests matching the filter.
    pub fn list_requests(&self, f: &RequestFilter) -> AppResult<Vec<RequestRow>> {
        self.require(Action::ViewReports, "requests")?;
        Ok(requests::list(self.conn(), f)?)
    }

    /// One request with its history.
    pub fn show_request(&self, id: i64) -> AppResult<RequestView> {
        self.require(Action::ViewReports, &format!("request {id}"))?;
        let row = requests::get(self.conn(), id)?;
        let history = requests::history(self.conn(), id)?;
        let actors = history
            .iter()
            .map(|h| actor_name(self.conn(), &row, h))
            .collect::<AppResult<_>>()?;
        Ok(RequestView {
            row,
            history,
            actors,
        })
    }

    /// Approves a submitted request (direct leader or supervisor, never the applicant).
    pub fn approve_request(&mut self, id: i64, comment: &str) -> AppResult<RequestState> {
        super::validate::text("comment", comment)?;
        self.decide(
            id,
            Step::Approve {
                comment: comment.into(),
            },
            Action::ApproveRequests,
        )
    }

    /// Rejects a submitted request.
    pub fn reject_request(&mut self, id: i64, comment: &str) -> AppResult<RequestState> {
        super::validate::text("comment", comment)?;
        self.decide(
            id,
            Step::Reject {
                comment: comment.into(),
            },
            Action::ApproveRequests,
        )
    }

    /// Withdraws a request: a draft/submitted one on the employee's behalf (clerk), an approved one only
    /// by a leader or supervisor who is not the applicant.
    pub fn withdraw_request(&mut self, id: i64, comment: &str) -> AppResult<RequestState> {
        super::validate::text("comment", comment)?;
        let row = requests::get(self.conn(), id)?;
        let perm = if row.state == "approved" {
            Action::ApproveRequests
        } else {
            Action::ManageRequests
        };
        self.decide(
            id,
            Step::Withdraw {
                comment: comment.into(),
            },
            perm,
        )
    }

    fn decide(&mut self, id: i64, step: Step, perm: Action) -> AppResult<RequestState> {
        let target = format!("request {id}");
        self.require(perm, &target)?;
        let row = requests::get(self.conn(), id)?;
        let req = to_domain(&row, &requests::history(self.conn(), id)?)?;
        let actor = if perm == Action::ApproveRequests {
            self.request_actor(&row)?
        } else {
            // The clerk acts on the employee's behalf for the applicant's own steps.
            Actor::applicant(&req)
        };
        let now: NaiveDateTime = self.now();
        let code = step.code();
        let next = match transition_by(&req, step, &actor, now) {
            Ok(next) => next,
            Err(e) => return Err(self.refused(&target, perm, e)),
        };
        let Some(last) = next.history.last().cloned() else {
            return Err(invalid("request", "the transition left no history"));
        };
        let state = next.state;
        let approver = matches!(code, "approve" | "reject").then(|| self.user().name.clone());
        let audit = format!("request.{code}");
        self.act(perm, &audit, &target, |tx| {
            requests::set_state(tx, id, state.code(), approver.as_deref(), &history_row(&last))?;
            Ok((state, json!({ "from": last.from.code(), "to": state.code(), "actor": last.actor, "comment": last.comment })))
        })
    }

    /// A refusal by the approval rules; one about who acts is audited like a permission refusal.
    fn refused(&self, target: &str, perm: Action, e: TransitionError) -> AppError {
        if e.is_about_the_actor() {
            let why = match &e {
                TransitionError::SelfApproval { why, .. } => why.to_string(),
                other => other.to_string(),
            };
            self.audit_refusal(
                target,
                json!({ "action": perm.as_str(), "refused": "request rule", "why": why }),
            );
        }
        AppError::Request(e)
    }

    /// The configured leave types.
    pub fn leave_types(&self) -> AppResult<Vec<LeaveType>> {
        self.require(Action::ViewReports, "leave types")?;
        leave_types(self.conn())
    }

    /// Adds or changes a leave type. The first change stores the domain defaults too, so the list
    /// stays complete.
    pub fn set_leave_type(&mut self, t: LeaveType) -> AppResult<()> {
        let code = t.code.trim().to_string();
        if code.is_empty() || code.contains([',', ';', ':']) || t.symbol.trim().is_empty() {
            return Err(invalid(
                "leave type",
                "give a code without , ; : and a symbol (one character for the sheet)",
            ));
        }
        let mut all = leave_types(self.conn())?;
        all.retain(|x| x.code != code);
        all.push(LeaveType {
            code: code.clone(),
            ..t
        });
        let docs = all
            .iter()
            .map(|x| {
                Ok((
                    x.code.clone(),
                    serde_json::to_string(x).map_err(|e| invalid("leave type", e))?,
                ))
            })
            .collect::<AppResult<Vec<_>>>()?;
        self.act(Action::ManageSchedules, "leave_type.set", &code, |tx| {
            for (c, j) in &docs {
                schedules::put_leave_type(tx, c, j)?;
            }
            Ok(((), json!({ "code": code })))
        })
    }

    /// Records that app user `user` is employee `employee_no`, so nobody decides their own requests.
    /// The administrator's act (`manage_users`): whoever could move the link could open a path around
    /// that rule. Audited with the link it replaces.
    pub fn link_user_employee(&mut self, user: &str, employee_no: &str) -> AppResult<()> {
        self.require(Action::ManageUsers, user)?;
        users::get_by_name(self.conn(), user)?;
        employees::get_by_no(self.conn(), employee_no)?;
        let previous = requests::user_employee(self.conn(), user)?;
        self.act(Action::ManageUsers, "user.link_employee", user, |tx| {
            requests::link_user_employee(tx, user, employee_no)?;
            Ok((
                (),
                json!({ "employee_no": employee_no, "previous": previous }),
            ))
        })
    }

    /// Records a department's leader (the direct leader of its employees).
    pub fn set_department_leader(&mut self, department: &str, leader_no: &str) -> AppResult<()> {
        kaoqin_store::departments::get_by_name(self.conn(), department)?;
        employees::get_by_no(self.conn(), leader_no)?;
        self.act(
            Action::ManageDepartments,
            "department.leader",
            department,
            |tx| {
                requests::set_department_leader(tx, department, leader_no)?;
                Ok(((), json!({ "leader_no": leader_no })))
            },
        )
    }
}
