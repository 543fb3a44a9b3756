//! Service-layer tests of who may link users to employees and who may decide a request: nobody
//! decides their own request, by any route (the applicant, the user linked to the applicant, the
//! user who entered it); refusals are permission refusals, audited; the history names app users and
//! employees as they are (old untagged rows stay readable); half days are numbered from 1 at the
//! edges and checked against the employee's shift. Real SQLite in a temp dir, a fixed clock.

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_domain::{OwnRequest, RequestKind, Span, TransitionError};
use kaoqin_store::audit::{AuditEntry, AuditFilter};
use kaoqin_store::requests::{self as store_requests, HistoryRow, RequestRow};

use super::employees::EmployeeInput;
use super::requests::ActorName;
use super::*;

const PW: &str = "secret-pw-1";

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn t0() -> NaiveDateTime {
    day(2).and_hms_opt(10, 0, 0).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    paths: Paths,
    clock: Arc<FixedClock>,
}

impl Fixture {
    /// Users root (admin), sup and sup2 (supervisors), clerk and clerk2 (HR clerks); 办公室 with
    /// 1001 张三 and 2001 王五 (the employee record of the supervisor `sup`, not linked yet).
    fn new() -> Fixture {
        let (dir, paths, clock) = super::test_install::fresh_install(t0(), PW);
        let f = Fixture {
            _dir: dir,
            paths,
            clock,
        };
        let mut s = f.login("root");
        for (name, role) in [
            ("sup", Role::Supervisor),
            ("sup2", Role::Supervisor),
            ("clerk", Role::HrClerk),
            ("clerk2", Role::HrClerk),
        ] {
            s.add_user(name, role, PW).unwrap();
        }
        s.add_department("办公室", None).unwrap();
        for (no, name) in [("1001", "张三"), ("2001", "王五")] {
            s.add_employee(&EmployeeInput {
                no: no.into(),
                name: name.into(),
                department: "办公室".into(),
                hired: NaiveDate::from_ymd_opt(2025, 1, 6),
                ..Default::default()
            })
            .unwrap();
        }
        f
    }

    fn login(&self, name: &str) -> Session {
        let clock: Arc<dyn Clock> = self.clock.clone();
        Session::login(&self.paths, name, PW, clock, &ThreadSleeper).unwrap()
    }

    fn audit(&self) -> Vec<AuditEntry> {
        let store = kaoqin_store::Store::open(&self.paths.db).unwrap();
        kaoqin_store::audit::list(store.conn(), &AuditFilter::default()).unwrap()
    }

    fn linked(&self, user: &str) -> Option<String> {
        let store = kaoqin_store::Store::open(&self.paths.db).unwrap();
        store_requests::user_employee(store.conn(), user).unwrap()
    }

    fn state(&self, id: i64) -> String {
        self.login("root").show_request(id).unwrap().row.state
    }

    /// A whole-day annual leave for `no` on 9 March, entered by `clerk`.
    fn leave_for(&self, clerk: &str, no: &str) -> i64 {
        self.login(clerk)
            .add_request(
                no,
                RequestKind::Leave {
                    leave_type: "annual".into(),
                    span: Span::Days {
                        from: day(9),
                        to: day(9),
                    },
                },
                "休假",
            )
            .unwrap()
    }
}

fn own(e: &AppError) -> Option<OwnRequest> {
    match e {
        AppError::Request(TransitionError::SelfApproval { why, .. }) => Some(*why),
        _ => None,
    }
}

#[test]
fn only_the_administrator_links_users_to_employees_and_the_link_is_audited() {
    let f = Fixture::new();
    // The clerk cannot link (nor move a link to open a path around the rule): refused, audited,
    // nothing changed.
    let before = f.audit().len();
    let err = f
        .login("clerk")
        .link_user_employee("sup", "1001")
        .unwrap_err();
    assert!(err.is_permission_denied(), "{err}");
    assert_eq!(f.linked("sup"), None);
    let audit = f.audit();
    assert_eq!(audit.len(), before + 2, "log-in and refusal");
    let last = audit.last().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.target.as_str()
        ),
        ("clerk", "permission.denied", "sup")
    );
    assert_eq!(last.details["action"], "manage_users");

    // The administrator links; the audit entry names the link and the one it replaces.
    let mut root = f.login("root");
    root.link_user_employee("sup", "2001").unwrap();
    assert_eq!(f.linked("sup").as_deref(), Some("2001"));
    root.link_user_employee("sup", "1001").unwrap();
    assert_eq!(f.linked("sup").as_deref(), Some("1001"));
    let last = f.audit().pop().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.target.as_str()
        ),
        ("root", "user.link_employee", "sup")
    );
    assert_eq!(last.details["employee_no"], "1001");
    assert_eq!(last.details["previous"], "2001");
    // The clerk cannot move it back either.
    assert!(
        f.login("clerk")
            .link_user_employee("sup", "2001")
            .unwrap_err()
            .is_permission_denied()
    );
    assert_eq!(f.linked("sup").as_deref(), Some("1001"));
    // Unknown user or employee: named, nothing written.
    assert!(root.link_user_employee("nobody", "1001").is_err());
    assert!(root.link_user_employee("sup", "9999").is_err());
    assert_eq!(f.linked("sup").as_deref(), Some("1001"));
    assert_eq!(f.linked("nobody"), None);
}

#[test]
fn a_supervisor_cannot_decide_a_request_for_their_linked_employee() {
    let f = Fixture::new();
    f.login("root").link_user_employee("sup", "2001").unwrap();
    let id = f.leave_for("clerk", "2001");
    let mut sup = f.login("sup");
    for err in [
        sup.approve_request(id, "").unwrap_err(),
        sup.reject_request(id, "不行").unwrap_err(),
    ] {
        assert_eq!(own(&err), Some(OwnRequest::LinkedEmployee), "{err}");
        assert!(err.is_permission_denied(), "{err}");
        assert!(err.to_string().contains("their own request"), "{err}");
    }
    assert_eq!(f.state(id), "submitted");
    // Both refusals are audited like permission refusals.
    let refusals: Vec<_> = f
        .audit()
        .into_iter()
        .filter(|e| e.action == "permission.denied")
        .collect();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    for e in &refusals {
        assert_eq!(
            (e.actor.as_str(), e.target.as_str()),
            ("sup", &*format!("request {id}"))
        );
        assert_eq!(e.details["action"], "approve_requests");
    }
    // Another supervisor may; the history names the employee and the app user as they are.
    assert_eq!(
        f.login("sup2").approve_request(id, "同意").unwrap(),
        kaoqin_domain::RequestState::Approved
    );
    let view = f.login("clerk").show_request(id).unwrap();
    assert_eq!(view.row.approver.as_deref(), Some("sup2"));
    assert_eq!(
        view.actors,
        [
            ActorName::Employee {
                no: "2001".into(),
                name: Some("王五".into())
            },
            ActorName::User("sup2".into()),
        ]
    );
    assert_eq!(view.actors[0].to_string(), "2001 王五");
    assert_eq!(view.actors[1].to_string(), "sup2 (app user)");
    // Cancelling an approved request of one's own is refused the same way.
    let err = sup.withdraw_request(id, "").unwrap_err();
    assert_eq!(own(&err), Some(OwnRequest::LinkedEmployee), "{err}");
    assert_eq!(f.state(id), "approved");
}

#[test]
fn nobody_decides_a_request_they_entered_even_after_a_change_of_role() {
    let f = Fixture::new();
    let id = f.leave_for("clerk2", "1001");
    f.login("root")
        .set_user_role("clerk2", Role::Supervisor)
        .unwrap();
    let err = f.login("clerk2").approve_request(id, "").unwrap_err();
    assert_eq!(own(&err), Some(OwnRequest::EnteredIt), "{err}");
    assert!(err.is_permission_denied());
    assert_eq!(f.state(id), "submitted");
    // A supervisor with no link to it decides it.
    f.login("sup").approve_request(id, "").unwrap();
    assert_eq!(f.state(id), "approved");
    // The state rule is not a permission refusal.
    let err = f.login("sup2").approve_request(id, "").unwrap_err();
    assert!(
        matches!(err, AppError::Request(TransitionError::NotAllowed { .. })),
        "{err}"
    );
    assert!(!err.is_permission_denied());
}

#[test]
fn history_rows_written_before_actors_were_tagged_stay_readable() {
    let f = Fixture::new();
    let id = {
        let store = kaoqin_store::Store::open(&f.paths.db).unwrap();
        let c = store.conn();
        let id = store_requests::add(
            c,
            &RequestRow {
                id: 0,
                employee_no: "1001".into(),
                kind: "leave".into(),
                kind_json: r#"{"kind":"leave","leave_type":"annual","span":{"span":"days","from":"2026-03-09","to":"2026-03-09"}}"#.into(),
                reason: "旧".into(),
                state: "submitted".into(),
                applicant: "clerk".into(),
                approver: None,
                from: day(9),
                to: day(9),
                created_at: t0(),
                updated_at: t0(),
            },
        )
        .unwrap();
        let h = |actor: &str, action: &str, from: &str, to: &str| HistoryRow {
            at: t0(),
            actor: actor.into(),
            action: action.into(),
            from_state: from.into(),
            to_state: to.into(),
            comment: String::new(),
        };
        store_requests::add_history(c, id, &h("1001", "submit", "draft", "submitted")).unwrap();
        // An old approval by a linked supervisor was stored under the employee number.
        store_requests::set_state(
            c,
            id,
            "approved",
            Some("sup"),
            &h("2001", "approve", "submitted", "approved"),
        )
        .unwrap();
        store_requests::add_history(c, id, &h("2001", "withdraw", "approved", "withdrawn"))
            .unwrap();
        id
    };
    let view = f.login("sup2").show_request(id).unwrap();
    assert_eq!(
        view.actors,
        [
            ActorName::Employee {
                no: "1001".into(),
                name: Some("张三".into())
            },
            ActorName::User("sup".into()),
            ActorName::AsStored("2001".into()),
        ]
    );
}

#[test]
fn half_days_are_numbered_from_one_against_the_employees_shift() {
    let f = Fixture::new();
    let clerk = f.login("clerk");
    // Everyone works preset A (上午, 下午) without an assignment.
    assert_eq!(
        clerk.half_day("1001", day(9), 1).unwrap(),
        Span::Session {
            date: day(9),
            session: 0
        }
    );
    assert_eq!(
        clerk.half_day("1001", day(9), 2).unwrap(),
        Span::Session {
            date: day(9),
            session: 1
        }
    );
    for n in [0, 3] {
        let err = clerk.half_day("1001", day(9), n).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(
                err,
                AppError::Invalid {
                    field: "session",
                    ..
                }
            ),
            "{text}"
        );
        assert!(
            text.contains(&format!("no session {n} for 1001 on 2026-03-09"))
                && text.contains("1–2 (1 上午, 2 下午)"),
            "{text}"
        );
    }
    // An employee the database does not know: the general range.
    let text = clerk.half_day("9999", day(9), 0).unwrap_err().to_string();
    assert!(text.contains("1–N"), "{text}");
    // A stored index past the shift's sessions is refused at entry, nothing stored.
    let mut clerk = clerk;
    let err = clerk
        .add_request(
            "1001",
            RequestKind::Leave {
                leave_type: "annual".into(),
                span: Span::Session {
                    date: day(9),
                    session: 2,
                },
            },
            "",
        )
        .unwrap_err();
    assert!(err.to_string().contains("no session 3"), "{err}");
    assert!(clerk.list_requests(&Default::default()).unwrap().is_empty());
}
