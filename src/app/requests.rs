//! Requests service: enter (draft + submit on the employee's behalf), list, show, approve, reject,
//! withdraw. The state machine is the domain's `transition`; this module decides who the actor is and
//! whether they lead the applicant, then stores the new state, the history row and the audit entry in
//! one transaction.
//!
//! Who is who: an app user may be linked to an employee (`user_employees`); the actor passed to the
//! domain is that 工号 (else the user name), so a supervisor who is also the applicant cannot approve
//! their own request. "Direct leader" = the leader recorded for the applicant's department
//! (`department_leaders`). Approving needs the `approve_requests` permission (supervisors); a recorded
//! leader who is a supervisor counts as leader, any supervisor counts as "a supervisor".

use chrono::NaiveDateTime;
use kaoqin_domain::{
    Action as Step, AuditEntry, LeaveType, Request, RequestKind, RequestState, default_leave_types,
    transition,
};
use kaoqin_store::requests::{self, HistoryRow, RequestFilter, RequestRow};
use kaoqin_store::rusqlite::Connection;
use kaoqin_store::{Role, employees, schedules};
use serde_json::json;

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
}

impl Session {
    /// The employee this app user is (linked), else the user name: the actor the domain sees.
    fn request_actor(&self) -> AppResult<String> {
        Ok(requests::user_employee(self.conn(), &self.user().name)?
            .unwrap_or_else(|| self.user().name.clone()))
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
        let emp = employees::find_by_no(self.conn(), employee_no)?
            .ok_or_else(|| invalid("employee", format!("no employee with 工号 '{employee_no}'")))?;
        let types = leave_types(self.conn())?;
        let now = self.now();
        let draft = Request::draft(0, &emp.enrollment_no, kind, reason, now);
        draft.validate(&types).map_err(|e| invalid("request", e))?;
        let submitted = transition(&draft, Step::Submit, &emp.enrollment_no, false, now)
            .map_err(|e| invalid("request", e))?;
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
        Ok(RequestView {
            row: requests::get(self.conn(), id)?,
            history: requests::history(self.conn(), id)?,
        })
    }

    /// Approves a submitted request (direct leader or supervisor, never the applicant).
    pub fn approve_request(&mut self, id: i64, comment: &str) -> AppResult<RequestState> {
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
        let is_approval = perm == Action::ApproveRequests;
        let (actor, leader) = if is_approval {
            let actor = self.request_actor()?;
            let dept =
                employees::find_by_no(self.conn(), &row.employee_no)?.and_then(|e| e.department);
            let is_direct_leader = match dept {
                Some(d) => {
                    requests::department_leader(self.conn(), &d)?.as_deref() == Some(actor.as_str())
                }
                None => false,
            };
            (actor, is_direct_leader || self.role() == Role::Supervisor)
        } else {
            // The clerk acts on the employee's behalf for the applicant's own steps.
            (row.employee_no.clone(), false)
        };
        let now: NaiveDateTime = self.now();
        let code = step.code();
        let next =
            transition(&req, step, &actor, leader, now).map_err(|e| invalid("request", e))?;
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

    /// Records that app user `user` is employee `employee_no` (admin/HR: manage employees).
    pub fn link_user_employee(&mut self, user: &str, employee_no: &str) -> AppResult<()> {
        employees::get_by_no(self.conn(), employee_no)?;
        self.act(Action::ManageEmployees, "user.link_employee", user, |tx| {
            requests::link_user_employee(tx, user, employee_no)?;
            Ok(((), json!({ "employee_no": employee_no })))
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
