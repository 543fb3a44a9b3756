//! Requests (non-routine attendance): leave, outing, business trip, supplement (补签), overtime;
//! their state machine with audit entries, and the configurable list of leave types.
//!
//! `transition` is pure: it takes the actor's role and the time, and returns the new request.
//! Must not decide who is whose leader (the caller says) nor read any clock.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::people::PunchKind;

/// A leave type: stable code (used in CSV as `leave:<code>`), names and the sheet character.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveType {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub symbol: String,
    /// Whether the reason may be published (sick leave's may not).
    #[serde(default)]
    pub private: bool,
}

/// The default leave types of DOMAIN.md §4.
pub fn default_leave_types() -> Vec<LeaveType> {
    let t = |code: &str, zh: &str, en: &str, sym: &str, private: bool| LeaveType {
        code: code.to_string(),
        name_zh: zh.to_string(),
        name_en: en.to_string(),
        symbol: sym.to_string(),
        private,
    };
    vec![
        t("annual", "年假", "annual leave", "年", false),
        t("personal", "事假", "personal leave", "事", true),
        t("sick", "病假", "sick leave", "病", true),
        t("marriage", "婚假", "marriage leave", "婚", false),
        t("maternity", "产假", "maternity leave", "产", true),
        t("paternity", "陪产假", "paternity leave", "陪", false),
        t("bereavement", "丧假", "bereavement leave", "丧", true),
        t("home_visit", "探亲假", "home-visit leave", "探", false),
        t("work_injury", "工伤", "work-injury leave", "伤", true),
        t("time_off_in_lieu", "调休", "time off in lieu", "调", false),
    ]
}

/// The time a leave, outing or trip covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "span")]
pub enum Span {
    /// Whole days, both ends inclusive.
    Days { from: NaiveDate, to: NaiveDate },
    /// One session (half day) of a date: 0 = first session (morning), 1 = second, ...
    Session { date: NaiveDate, session: usize },
    /// A time range.
    Range {
        from: NaiveDateTime,
        to: NaiveDateTime,
    },
}

impl Span {
    /// First and last calendar dates the span touches.
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        match self {
            Span::Days { from, to } => (*from, *to),
            Span::Session { date, .. } => (*date, *date),
            Span::Range { from, to } => (from.date(), to.date()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum RequestKind {
    Leave {
        leave_type: String,
        span: Span,
    },
    /// 因公外出
    Outing {
        place: String,
        span: Span,
    },
    /// 出差
    Trip {
        destination: String,
        span: Span,
    },
    /// 补签: counts as a punch of its own kind at `at`.
    Supplement {
        at: NaiveDateTime,
        punch: PunchKind,
        evidence: String,
    },
    Overtime {
        from: NaiveDateTime,
        to: NaiveDateTime,
    },
}

impl RequestKind {
    pub fn code(&self) -> &'static str {
        match self {
            RequestKind::Leave { .. } => "leave",
            RequestKind::Outing { .. } => "outing",
            RequestKind::Trip { .. } => "trip",
            RequestKind::Supplement { .. } => "supplement",
            RequestKind::Overtime { .. } => "overtime",
        }
    }

    /// First and last calendar dates the request touches.
    pub fn dates(&self) -> (NaiveDate, NaiveDate) {
        match self {
            RequestKind::Leave { span, .. }
            | RequestKind::Outing { span, .. }
            | RequestKind::Trip { span, .. } => span.dates(),
            RequestKind::Supplement { at, .. } => (at.date(), at.date()),
            RequestKind::Overtime { from, to } => (from.date(), to.date()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Withdrawn,
}

impl RequestState {
    pub fn code(self) -> &'static str {
        match self {
            RequestState::Draft => "draft",
            RequestState::Submitted => "submitted",
            RequestState::Approved => "approved",
            RequestState::Rejected => "rejected",
            RequestState::Withdrawn => "withdrawn",
        }
    }
}

/// What someone does to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    Submit,
    Approve { comment: String },
    Reject { comment: String },
    Withdraw { comment: String },
}

impl Action {
    pub fn code(&self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve { .. } => "approve",
            Action::Reject { .. } => "reject",
            Action::Withdraw { .. } => "withdraw",
        }
    }

    fn comment(&self) -> &str {
        match self {
            Action::Submit => "",
            Action::Approve { comment }
            | Action::Reject { comment }
            | Action::Withdraw { comment } => comment,
        }
    }
}

/// One audited transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub from: RequestState,
    pub to: RequestState,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: u64,
    /// The applicant's employee number.
    pub employee_no: String,
    pub kind: RequestKind,
    pub reason: String,
    pub state: RequestState,
    pub created_at: NaiveDateTime,
    /// Who approved or rejected it.
    #[serde(default)]
    pub decided_by: Option<String>,
    #[serde(default)]
    pub history: Vec<AuditEntry>,
}

impl Request {
    /// A new draft.
    pub fn draft(
        id: u64,
        employee_no: &str,
        kind: RequestKind,
        reason: &str,
        now: NaiveDateTime,
    ) -> Self {
        Request {
            id,
            employee_no: employee_no.to_string(),
            kind,
            reason: reason.to_string(),
            state: RequestState::Draft,
            created_at: now,
            decided_by: None,
            history: Vec::new(),
        }
    }

    pub fn is_approved(&self) -> bool {
        self.state == RequestState::Approved
    }
}

/// A request that cannot be recorded as entered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RequestError {
    #[error("'{0}' is not a leave type; choose one of the configured leave types")]
    UnknownLeaveType(String),
    #[error("the end ({to}) is before the start ({from})")]
    EndBeforeStart { from: String, to: String },
    #[error("the time range is empty; give a start and a later end")]
    EmptyRange,
    #[error("a {0} needs a {1}")]
    Missing(&'static str, &'static str),
}

impl Request {
    /// Check a request before it is stored: known leave type, ordered ranges, required notes.
    pub fn validate(&self, leave_types: &[LeaveType]) -> Result<(), RequestError> {
        let check_span = |span: &Span| match span {
            Span::Days { from, to } if to < from => Err(RequestError::EndBeforeStart {
                from: from.to_string(),
                to: to.to_string(),
            }),
            Span::Range { from, to } if to < from => Err(RequestError::EndBeforeStart {
                from: from.to_string(),
                to: to.to_string(),
            }),
            Span::Range { from, to } if to == from => Err(RequestError::EmptyRange),
            _ => Ok(()),
        };
        match &self.kind {
            RequestKind::Leave { leave_type, span } => {
                if !leave_types.iter().any(|t| &t.code == leave_type) {
                    return Err(RequestError::UnknownLeaveType(leave_type.clone()));
                }
                check_span(span)
            }
            RequestKind::Outing { place, span } => {
                if place.trim().is_empty() {
                    return Err(RequestError::Missing("outing", "place"));
                }
                if self.reason.trim().is_empty() {
                    return Err(RequestError::Missing("outing", "reason"));
                }
                check_span(span)
            }
            RequestKind::Trip { span, .. } => check_span(span),
            RequestKind::Supplement { evidence, .. } => {
                if self.reason.trim().is_empty() {
                    return Err(RequestError::Missing("supplement", "reason"));
                }
                if evidence.trim().is_empty() {
                    return Err(RequestError::Missing("supplement", "evidence note"));
                }
                Ok(())
            }
            RequestKind::Overtime { from, to } => check_span(&Span::Range {
                from: *from,
                to: *to,
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransitionError {
    #[error("request {id}: cannot {action} a request that is {state}")]
    NotAllowed {
        id: u64,
        action: &'static str,
        state: &'static str,
    },
    #[error(
        "request {id}: nobody may approve or reject their own request; ask the direct leader or a supervisor"
    )]
    SelfApproval { id: u64 },
    #[error("request {id}: only the employee's direct leader or a supervisor may {action} it")]
    NotLeader { id: u64, action: &'static str },
    #[error("request {id}: only the applicant may {action} it")]
    NotApplicant { id: u64, action: &'static str },
    #[error("request {id}: the actor is empty; every transition must name who did it")]
    NoActor { id: u64 },
}

/// Apply `action` by `actor` at `now`.
///
/// Rules: the applicant submits a draft and may withdraw it while it is a draft or submitted; the direct
/// leader or a supervisor (never the applicant) approves or rejects a submitted request. An approved
/// request may be withdrawn (cancelled) only by a leader or supervisor who is not the applicant, because
/// it changes results that someone already signed off. Rejected and withdrawn requests are final.
pub fn transition(
    request: &Request,
    action: Action,
    actor: &str,
    actor_is_leader_or_supervisor: bool,
    now: NaiveDateTime,
) -> Result<Request, TransitionError> {
    use RequestState as S;
    let id = request.id;
    let actor = actor.trim();
    if actor.is_empty() {
        return Err(TransitionError::NoActor { id });
    }
    let is_applicant = actor == request.employee_no;
    let not_allowed = || TransitionError::NotAllowed {
        id,
        action: action.code(),
        state: request.state.code(),
    };
    let to = match (&action, request.state) {
        (Action::Submit, S::Draft) => {
            if !is_applicant {
                return Err(TransitionError::NotApplicant {
                    id,
                    action: "submit",
                });
            }
            S::Submitted
        }
        (Action::Approve { .. } | Action::Reject { .. }, S::Submitted) => {
            if is_applicant {
                return Err(TransitionError::SelfApproval { id });
            }
            if !actor_is_leader_or_supervisor {
                return Err(TransitionError::NotLeader {
                    id,
                    action: action.code(),
                });
            }
            if matches!(action, Action::Approve { .. }) {
                S::Approved
            } else {
                S::Rejected
            }
        }
        (Action::Withdraw { .. }, S::Draft | S::Submitted) => {
            if !is_applicant {
                return Err(TransitionError::NotApplicant {
                    id,
                    action: "withdraw",
                });
            }
            S::Withdrawn
        }
        (Action::Withdraw { .. }, S::Approved) => {
            if is_applicant {
                return Err(TransitionError::SelfApproval { id });
            }
            if !actor_is_leader_or_supervisor {
                return Err(TransitionError::NotLeader {
                    id,
                    action: "withdraw",
                });
            }
            S::Withdrawn
        }
        _ => return Err(not_allowed()),
    };
    let mut next = request.clone();
    next.history.push(AuditEntry {
        at: now,
        actor: actor.to_string(),
        action: action.code().to_string(),
        from: request.state,
        to,
        comment: action.comment().to_string(),
    });
    if matches!(to, S::Approved | S::Rejected) {
        next.decided_by = Some(actor.to_string());
    }
    next.state = to;
    Ok(next)
}
