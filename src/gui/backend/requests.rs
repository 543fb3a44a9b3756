//! What the Requests page reads and changes, through the application services (`Session`),
//! copied into plain row types the page renders. Blocking: called from the page's worker jobs only.
//! Must not hold egui types or decide what the page shows.

use chrono::NaiveDate;
use kaoqin_domain::{LeaveType, RequestError, RequestKind, TransitionError};
use kaoqin_store::requests::RequestFilter;

use crate::app::error::AppError;
pub use crate::app::requests::ActorName;

use super::super::model::UiError;
use super::{Backend, UserSession, app_error};
use kaoqin_domain::timefmt::fmt_datetime;

/// One request as the lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestItem {
    pub id: i64,
    pub employee_no: String,
    /// The kind with its details (leave type, span, place...), parsed from the stored form; `None`
    /// if the stored form cannot be read (the row is still listed).
    pub kind: Option<RequestKind>,
    /// `leave`, `outing`, `trip`, `supplement`, `overtime`.
    pub kind_code: String,
    pub reason: String,
    /// `draft`, `submitted`, `approved`, `rejected`, `withdrawn`.
    pub state: String,
    pub entered_by: String,
    pub decided_by: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub created_at: String,
}

/// One transition of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    pub at: String,
    /// An app user or an employee, as they are (the page words it).
    pub actor: ActorName,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub comment: String,
}

/// What the Requests page lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestsData {
    pub requests: Vec<RequestItem>,
    pub leave_types: Vec<LeaveType>,
    /// The employee this app user is, if linked: their own requests are not in their inbox.
    pub me: Option<String>,
}

/// Which requests to list: state code, 工号, a month's days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestQuery {
    pub state: Option<String>,
    pub employee_no: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// A refusal from the request services, with the message that says what to do.
fn request_error(e: AppError) -> UiError {
    let key = match &e {
        AppError::Invalid {
            field: "employee", ..
        } => "requests.err_employee",
        AppError::Request(t) => transition_key(t),
        AppError::Invalid {
            field: "request",
            reason,
        } => classify(reason),
        _ => return app_error(e),
    };
    UiError::new(key, e.to_string())
}

/// The approval rules' refusal (typed by the service).
fn transition_key(e: &TransitionError) -> &'static str {
    match e {
        TransitionError::SelfApproval { .. } => "requests.err_self",
        TransitionError::NotLeader { .. } => "requests.err_not_leader",
        TransitionError::NotAllowed { .. } => "requests.err_state",
        TransitionError::NotApplicant { .. } | TransitionError::NoActor { .. } => "error.invalid",
    }
}

/// The domain's validation refusal, told by its own words (the service passes them on as text).
fn classify(reason: &str) -> &'static str {
    if reason.starts_with("'")
        && reason.ends_with(&RequestError::UnknownLeaveType(String::new()).to_string()[2..])
    {
        return "requests.err_leave_type";
    }
    if reason == RequestError::EmptyRange.to_string() || reason.starts_with("the end (") {
        return "requests.err_range";
    }
    if reason.contains("a request covers at most") {
        return "requests.too_long";
    }
    if reason.starts_with("a ") && reason.contains(" needs a ") {
        return "requests.err_missing";
    }
    "error.invalid"
}

impl Backend {
    /// Requests matching `q` (`Session::list_requests`), the leave types, and who the user is.
    pub fn requests(&self, user: &UserSession, q: &RequestQuery) -> Result<RequestsData, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let filter = RequestFilter {
            employee_no: q.employee_no.clone(),
            state: q.state.clone(),
            from: q.from,
            to: q.to,
        };
        let requests = s
            .list_requests(&filter)
            .map_err(request_error)?
            .into_iter()
            .map(|r| RequestItem {
                id: r.id,
                kind: serde_json::from_str(&r.kind_json).ok(),
                employee_no: r.employee_no,
                kind_code: r.kind,
                reason: r.reason,
                state: r.state,
                entered_by: r.applicant,
                decided_by: r.approver.unwrap_or_default(),
                from: r.from,
                to: r.to,
                created_at: fmt_datetime(r.created_at),
            })
            .collect();
        let leave_types = s.leave_types().map_err(request_error)?;
        // ADAPTER (read-only): which employee this user is has no service of its own yet.
        let me = kaoqin_store::requests::user_employee(s.conn(), &user.user)
            .map_err(super::store_error)?;
        Ok(RequestsData {
            requests,
            leave_types,
            me,
        })
    }

    /// A request's transitions (`Session::show_request`).
    pub fn request_history(
        &self,
        user: &UserSession,
        id: i64,
    ) -> Result<Vec<HistoryItem>, UiError> {
        let s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let view = s.show_request(id).map_err(request_error)?;
        Ok(view
            .history
            .into_iter()
            .zip(view.actors)
            .map(|(h, actor)| HistoryItem {
                at: fmt_datetime(h.at),
                actor,
                action: h.action,
                from_state: h.from_state,
                to_state: h.to_state,
                comment: h.comment,
            })
            .collect())
    }

    /// Enters and submits a request for an employee (`Session::add_request`); returns its id.
    pub fn add_request(
        &self,
        user: &UserSession,
        employee_no: &str,
        kind: RequestKind,
        reason: &str,
    ) -> Result<i64, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        s.add_request(employee_no, kind, reason)
            .map_err(request_error)
    }

    /// Approves (`approve = true`) or rejects a request with a note; returns the new state code.
    pub fn decide_request(
        &self,
        user: &UserSession,
        id: i64,
        approve: bool,
        note: &str,
    ) -> Result<String, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let state = if approve {
            s.approve_request(id, note)
        } else {
            s.reject_request(id, note)
        }
        .map_err(request_error)?;
        Ok(state.code().to_owned())
    }

    /// Withdraws a request (`Session::withdraw_request`: the clerk a draft or submitted one, a
    /// leader or supervisor an approved one); returns the new state code.
    pub fn withdraw_request(
        &self,
        user: &UserSession,
        id: i64,
        note: &str,
    ) -> Result<String, UiError> {
        let mut s = user.session.lock().unwrap_or_else(|p| p.into_inner());
        let state = s.withdraw_request(id, note).map_err(request_error)?;
        Ok(state.code().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_refusals_get_their_own_message() {
        let refusal = |e: TransitionError| request_error(AppError::Request(e)).key;
        let self_approval = TransitionError::SelfApproval {
            id: 7,
            why: kaoqin_domain::OwnRequest::LinkedEmployee,
        };
        assert_eq!(refusal(self_approval), "requests.err_self");
        let not_leader = TransitionError::NotLeader {
            id: 7,
            action: "reject",
        };
        assert_eq!(refusal(not_leader), "requests.err_not_leader");
        let state = TransitionError::NotAllowed {
            id: 7,
            action: "approve",
            state: "approved",
        };
        assert_eq!(refusal(state), "requests.err_state");
        let lt = RequestError::UnknownLeaveType("xyz".into()).to_string();
        assert_eq!(classify(&lt), "requests.err_leave_type");
        let range = RequestError::EndBeforeStart {
            from: "a".into(),
            to: "b".into(),
        }
        .to_string();
        assert_eq!(classify(&range), "requests.err_range");
        let long = RequestError::Span(kaoqin_domain::SpanError::TooLong {
            from: "2026-01-01".into(),
            to: "2062-01-01".into(),
            days: 13150,
        })
        .to_string();
        assert_eq!(classify(&long), "requests.too_long");
        let missing = RequestError::Missing("outing", "place").to_string();
        assert_eq!(classify(&missing), "requests.err_missing");
        assert_eq!(classify("something else"), "error.invalid");
    }
}
