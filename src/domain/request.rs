//! Requests (non-routine attendance): leave, outing, business trip, supplement (补签), overtime;
//! their state machine with audit entries, and the configurable list of leave types.
//!
//! `transition_by` is pure: it takes the actor (as the caller established it) and the time, and returns
//! the new request.
//! Must not decide who is whose leader (the caller says) nor read any clock.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::people::PunchKind;
pub use crate::span::{Span, SpanError};

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

/// The default leave types of docs/domain.md §4.
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
    /// Any other reason the span is not one a request may cover (e.g. longer than a year).
    #[error(transparent)]
    Span(SpanError),
}

impl Request {
    /// Check a request before it is stored: known leave type, ordered ranges, required notes.
    pub fn validate(&self, leave_types: &[LeaveType]) -> Result<(), RequestError> {
        let check_span = |span: &Span| {
            span.check().map_err(|e| match e {
                SpanError::EndBeforeStart { from, to } => RequestError::EndBeforeStart { from, to },
                SpanError::Empty { .. } => RequestError::EmptyRange,
                other => RequestError::Span(other),
            })
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

/// Who acts on a request, as the caller established it. The domain knows no roles: the caller says
/// who the actor is, which employee record they are, whether they entered the request, and whether
/// they may decide on this applicant's requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: ActorId,
    /// The employee record this actor is (e.g. the one an app user is linked to), if any.
    pub employee_no: Option<String>,
    /// True when this actor entered the request (typed it in on the employee's behalf).
    pub entered_request: bool,
    /// The caller established that this actor may decide on the applicant's requests.
    pub may_decide: bool,
}

impl Actor {
    /// The applicant themself (their own steps: submit, withdraw before a decision), however the
    /// request was entered.
    pub fn applicant(request: &Request) -> Actor {
        Actor {
            id: ActorId::Employee(request.employee_no.clone()),
            employee_no: Some(request.employee_no.clone()),
            entered_request: false,
            may_decide: false,
        }
    }

    /// Why this request is the actor's own, if it is: they are the applicant, they are the
    /// applicant's employee record, or they entered it.
    pub fn own_request(&self, request: &Request) -> Option<OwnRequest> {
        if matches!(&self.id, ActorId::Employee(no) if *no == request.employee_no) {
            Some(OwnRequest::Applicant)
        } else if self.employee_no.as_deref() == Some(request.employee_no.as_str()) {
            Some(OwnRequest::LinkedEmployee)
        } else if self.entered_request {
            Some(OwnRequest::EnteredIt)
        } else {
            None
        }
    }
}

/// Who did a step, as the history records it: an app user or an employee, each by their own key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ActorId {
    /// An app user, by user name.
    User(String),
    /// An employee, by 工号.
    Employee(String),
}

impl ActorId {
    const USER: &'static str = "user:";
    const EMPLOYEE: &'static str = "employee:";

    /// The user name or the 工号.
    pub fn name(&self) -> &str {
        match self {
            ActorId::User(n) | ActorId::Employee(n) => n,
        }
    }

    /// The form kept in the history (`AuditEntry::actor`): `user:NAME` or `employee:NO`.
    pub fn record(&self) -> String {
        match self {
            ActorId::User(n) => format!("{}{n}", Self::USER),
            ActorId::Employee(n) => format!("{}{n}", Self::EMPLOYEE),
        }
    }

    /// Reads the history's form back; `None` for entries written before actors were tagged (a bare
    /// user name or 工号, which the caller shows as stored).
    pub fn from_record(text: &str) -> Option<ActorId> {
        if let Some(n) = text.strip_prefix(Self::USER) {
            Some(ActorId::User(n.to_string()))
        } else {
            text.strip_prefix(Self::EMPLOYEE)
                .map(|n| ActorId::Employee(n.to_string()))
        }
    }
}

/// Why a request counts as the actor's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnRequest {
    Applicant,
    LinkedEmployee,
    EnteredIt,
}

impl std::fmt::Display for OwnRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OwnRequest::Applicant => "it is for you",
            OwnRequest::LinkedEmployee => "you are recorded as the applicant's employee",
            OwnRequest::EnteredIt => "you entered it",
        })
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
        "request {id}: nobody may approve or reject their own request ({why}); ask another approver"
    )]
    SelfApproval { id: u64, why: OwnRequest },
    #[error("request {id}: only the employee's direct leader or a supervisor may {action} it")]
    NotLeader { id: u64, action: &'static str },
    #[error("request {id}: only the applicant may {action} it")]
    NotApplicant { id: u64, action: &'static str },
    #[error("request {id}: the actor is empty; every transition must name who did it")]
    NoActor { id: u64 },
}

impl TransitionError {
    /// True when the refusal is about who acts (own request, not a leader, not the applicant),
    /// not about the request's state.
    pub fn is_about_the_actor(&self) -> bool {
        matches!(
            self,
            TransitionError::SelfApproval { .. }
                | TransitionError::NotLeader { .. }
                | TransitionError::NotApplicant { .. }
        )
    }
}

/// Apply `action` by `actor` (a bare 工号 or name, recorded as given) at `now`; the actor is the
/// applicant when it equals the request's 工号, and `actor_is_leader_or_supervisor` says whether it
/// may decide. Kept for callers that act as the applicant; deciders use [`transition_by`].
pub fn transition(
    request: &Request,
    action: Action,
    actor: &str,
    actor_is_leader_or_supervisor: bool,
    now: NaiveDateTime,
) -> Result<Request, TransitionError> {
    let name = actor.trim();
    let who = Actor {
        id: ActorId::Employee(name.to_string()),
        employee_no: Some(name.to_string()),
        entered_request: false,
        may_decide: actor_is_leader_or_supervisor,
    };
    apply(request, action, &who, name, now)
}

/// Apply `action` by `actor` at `now`; the history records `actor.id` in its tagged form.
///
/// Rules: the applicant submits a draft and may withdraw it while it is a draft or submitted; an actor
/// who may decide and whose request it is not (not the applicant, not the applicant's employee record,
/// not the one who entered it) approves or rejects a submitted request. An approved request may be
/// withdrawn (cancelled) only by such an actor too, because it changes results that someone already
/// signed off. Rejected and withdrawn requests are final.
pub fn transition_by(
    request: &Request,
    action: Action,
    actor: &Actor,
    now: NaiveDateTime,
) -> Result<Request, TransitionError> {
    apply(request, action, actor, &actor.id.record(), now)
}

fn apply(
    request: &Request,
    action: Action,
    actor: &Actor,
    recorded: &str,
    now: NaiveDateTime,
) -> Result<Request, TransitionError> {
    use RequestState as S;
    let id = request.id;
    if actor.id.name().trim().is_empty() {
        return Err(TransitionError::NoActor { id });
    }
    let own = actor.own_request(request);
    let is_applicant = own == Some(OwnRequest::Applicant);
    let decide = |action: &'static str| match own {
        Some(why) => Err(TransitionError::SelfApproval { id, why }),
        None if !actor.may_decide => Err(TransitionError::NotLeader { id, action }),
        None => Ok(()),
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
        (Action::Approve { .. }, S::Submitted) => {
            decide("approve")?;
            S::Approved
        }
        (Action::Reject { .. }, S::Submitted) => {
            decide("reject")?;
            S::Rejected
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
            decide("withdraw")?;
            S::Withdrawn
        }
        _ => {
            return Err(TransitionError::NotAllowed {
                id,
                action: action.code(),
                state: request.state.code(),
            });
        }
    };
    let mut next = request.clone();
    next.history.push(AuditEntry {
        at: now,
        actor: recorded.to_string(),
        action: action.code().to_string(),
        from: request.state,
        to,
        comment: action.comment().to_string(),
    });
    if matches!(to, S::Approved | S::Rejected) {
        next.decided_by = Some(actor.id.name().to_string());
    }
    next.state = to;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default()
    }

    fn submitted() -> Result<Request, TransitionError> {
        let kind = RequestKind::Leave {
            leave_type: "annual".into(),
            span: Span::Session {
                date: at().date(),
                session: 0,
            },
        };
        let draft = Request::draft(1, "2001", kind, "", at());
        transition_by(&draft, Action::Submit, &Actor::applicant(&draft), at())
    }

    fn user(name: &str, employee_no: Option<&str>, entered_request: bool) -> Actor {
        Actor {
            id: ActorId::User(name.into()),
            employee_no: employee_no.map(Into::into),
            entered_request,
            may_decide: true,
        }
    }

    #[test]
    fn nobody_decides_their_own_request_by_any_route() -> Result<(), TransitionError> {
        let r = submitted()?;
        assert_eq!(r.history[0].actor, "employee:2001");
        let approve = || Action::Approve { comment: "".into() };
        let refused = |a: &Actor, action: Action| match transition_by(&r, action, a, at()) {
            Err(TransitionError::SelfApproval { why, .. }) => Some(why),
            _ => None,
        };
        let linked = user("sup", Some("2001"), false);
        assert_eq!(
            refused(&linked, approve()),
            Some(OwnRequest::LinkedEmployee)
        );
        let reject = Action::Reject { comment: "".into() };
        assert_eq!(refused(&linked, reject), Some(OwnRequest::LinkedEmployee));
        let entered = user("clerk2", None, true);
        assert_eq!(refused(&entered, approve()), Some(OwnRequest::EnteredIt));
        assert_eq!(
            refused(&Actor::applicant(&r), approve()),
            Some(OwnRequest::Applicant)
        );
        // Someone else who may decide: recorded as the app user, decided_by the user name.
        let other = transition_by(&r, approve(), &user("sup2", Some("1001"), false), at())?;
        assert_eq!(other.state, RequestState::Approved);
        assert_eq!(other.history[1].actor, "user:sup2");
        assert_eq!(other.decided_by.as_deref(), Some("sup2"));
        // Cancelling an approved request of one's own is refused too.
        let w = Action::Withdraw { comment: "".into() };
        let got = transition_by(&other, w, &linked, at());
        assert!(matches!(got, Err(TransitionError::SelfApproval { .. })));
        Ok(())
    }

    #[test]
    fn history_actors_round_trip_and_old_rows_are_not_taken_for_tagged_ones() {
        for id in [
            ActorId::User("sup".into()),
            ActorId::Employee("2001".into()),
        ] {
            assert_eq!(ActorId::from_record(&id.record()), Some(id));
        }
        assert_eq!(ActorId::from_record("2001"), None);
        assert_eq!(ActorId::from_record("sup"), None);
    }
}
