//! Service-layer tests on real SQLite in a temp dir: the role matrix (every role × every action,
//! through the services), log-in (audit, throttle, disabled users), and the rule that every
//! privileged act leaves its audit entry. No mocks: only the clock and the sleeper are injected.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_store::audit::AuditFilter;
use kaoqin_store::{StoreError, TerminalKind, TextEncoding};
use serde_json::json;

use super::audit_log::AuditQuery;
use super::employees::{EmployeeChanges, EmployeeInput, EmployeeQuery};
use super::terminals::{TerminalChanges, TerminalInput};
use super::*;

const PW: &str = "secret-pw-1";

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    paths: Paths,
    clock: Arc<FixedClock>,
}

impl Fixture {
    /// A database with one user per role (root, sup, clerk, aud), a department, an employee and a
    /// terminal.
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
            ("clerk", Role::HrClerk),
            ("aud", Role::Auditor),
        ] {
            s.add_user(name, role, PW).unwrap();
        }
        s.add_department("办公室", None).unwrap();
        s.add_employee(&EmployeeInput {
            no: "1001".into(),
            name: "张三".into(),
            department: "办公室".into(),
            hired: NaiveDate::from_ymd_opt(2025, 1, 6),
            ..Default::default()
        })
        .unwrap();
        s.add_terminal(&terminal_input("大门"), "820417").unwrap();
        f
    }

    fn login(&self, name: &str) -> Session {
        self.try_login(name, PW, &ThreadSleeper).unwrap()
    }

    fn try_login(&self, name: &str, pw: &str, sleeper: &dyn Sleeper) -> AppResult<Session> {
        let clock: Arc<dyn Clock> = self.clock.clone();
        Session::login(&self.paths, name, pw, clock, sleeper)
    }

    fn audit_count(&self) -> usize {
        let store = kaoqin_store::Store::open(&self.paths.db).unwrap();
        kaoqin_store::audit::list(store.conn(), &AuditFilter::default())
            .unwrap()
            .len()
    }

    fn last_audit(&self) -> kaoqin_store::audit::AuditEntry {
        let store = kaoqin_store::Store::open(&self.paths.db).unwrap();
        kaoqin_store::audit::list(store.conn(), &AuditFilter::default())
            .unwrap()
            .pop()
            .unwrap()
    }

    fn dir(&self) -> &Path {
        self._dir.path()
    }
}

fn terminal_input(name: &str) -> TerminalInput {
    TerminalInput {
        name: name.into(),
        kind: TerminalKind::ZkTcp,
        address: "127.0.0.1:4370".into(),
        baud: None,
        machine: None,
        encoding: TextEncoding::Gbk,
        location: None,
        serial: None,
    }
}

/// Runs the service that stands for `action` (or the bare gate for actions whose services live in
/// other layers). `tag` keeps names unique across roles.
fn exercise(s: &mut Session, action: Action, tag: &str, dir: &Path) -> AppResult<()> {
    match action {
        Action::ManageUsers => s.add_user(&format!("u-{tag}"), Role::HrClerk, PW).map(drop),
        Action::ChangeOwnPassword => {
            let me = s.user().name.clone();
            s.set_password(&me, PW)
        }
        Action::ViewOrganisation => s.list_employees(&EmployeeQuery::default()).map(drop),
        Action::ManageDepartments => s
            .add_department(&format!("处-{tag}"), Some("办公室"))
            .map(drop),
        Action::ManageEmployees => s
            .update_employee(
                "1001",
                &EmployeeChanges {
                    position: Some(format!("p-{tag}")),
                    ..Default::default()
                },
            )
            .map(drop),
        Action::ManageTerminals => s
            .update_terminal(
                "大门",
                &TerminalChanges {
                    location: Some(format!("l-{tag}")),
                    ..Default::default()
                },
            )
            .map(drop),
        Action::ViewAudit => s.audit_log(&AuditQuery::default()).map(drop),
        Action::VerifyAudit => s.verify_audit().map(drop),
        Action::Backup => s.backup(&dir.join(format!("b-{tag}.db"))).map(drop),
        Action::ConfigureReports => s
            .set_report_symbols(&[("late".to_string(), "L".to_string())].into())
            .map(drop),
        // Restore consumes the session: exercised separately.
        Action::Restore => s.require(action, "restore"),
        other => s.require(other, "gate"),
    }
}

#[test]
fn role_matrix_through_the_services() {
    let f = Fixture::new();
    let mut checked = 0;
    for (user, role) in [
        ("root", Role::Admin),
        ("sup", Role::Supervisor),
        ("clerk", Role::HrClerk),
        ("aud", Role::Auditor),
    ] {
        let mut s = f.login(user);
        assert_eq!(s.role(), role);
        for action in Action::ALL {
            let before = f.audit_count();
            let result = exercise(&mut s, action, user, f.dir());
            if allowed(role, action) {
                assert!(
                    result.is_ok(),
                    "{role} × {action} should be allowed: {result:?}"
                );
            } else {
                match result {
                    Err(AppError::PermissionDenied {
                        role: r, action: a, ..
                    }) => {
                        assert_eq!((r, a), (role, action));
                    }
                    other => panic!("{role} × {action} should be denied, got {other:?}"),
                }
                assert_eq!(
                    f.audit_count(),
                    before + 1,
                    "{role} × {action}: denial audited"
                );
                let e = f.last_audit();
                assert_eq!(
                    (e.actor.as_str(), e.action.as_str()),
                    (user, "permission.denied")
                );
                assert_eq!(e.details, json!({ "action": action.as_str() }));
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * Action::ALL.len());
}

#[test]
fn only_the_admin_may_restore() {
    let f = Fixture::new();
    let backup = f.dir().join("before.db");
    f.login("root").backup(&backup).unwrap();
    for user in ["sup", "clerk", "aud"] {
        let err = f.login(user).restore(&backup).unwrap_err();
        assert!(err.is_permission_denied(), "{user}: {err}");
    }
    let out = f.login("root").restore(&backup).unwrap();
    assert!(out.kept_aside.as_ref().is_some_and(|p| p.is_file()));
    // The restored database is the backup plus the restore entry, and still verifies.
    let s = f.login("root");
    assert!(s.verify_audit().unwrap().is_intact());
    let log = s
        .audit_log(&AuditQuery {
            action: Some("restore".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(log.len(), 1);
}

#[test]
fn privileged_acts_are_audited_with_their_effect() {
    let f = Fixture::new();
    let mut s = f.login("clerk");
    let before = f.audit_count();
    s.add_employee(&EmployeeInput {
        no: "1002".into(),
        name: "李四".into(),
        department: "办公室".into(),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(f.audit_count(), before + 1);
    let e = f.last_audit();
    assert_eq!(
        (
            e.actor.as_str(),
            e.role.as_str(),
            e.action.as_str(),
            e.target.as_str()
        ),
        ("clerk", "hr_clerk", "employee.add", "1002")
    );
    assert_eq!(e.at, t0());

    // A failing act leaves neither effect nor entry.
    let dup = s.add_employee(&EmployeeInput {
        no: "1002".into(),
        name: "王五".into(),
        department: "办公室".into(),
        ..Default::default()
    });
    assert!(
        matches!(dup, Err(AppError::Store(StoreError::Duplicate { .. }))),
        "{dup:?}"
    );
    assert_eq!(f.audit_count(), before + 1);
    assert_eq!(s.get_employee("1002").unwrap().name, "李四");
}

#[test]
fn bad_employee_input_is_named_and_nothing_is_written() {
    let f = Fixture::new();
    let mut s = f.login("clerk");
    let base = EmployeeInput {
        no: "2001".into(),
        name: "赵六".into(),
        department: "办公室".into(),
        ..Default::default()
    };
    let cases: Vec<(EmployeeInput, &str)> = vec![
        (
            EmployeeInput {
                no: "1001".into(),
                ..base.clone()
            },
            "工号 (enrollment number) '1001' already exists",
        ),
        (
            EmployeeInput {
                department: "没有".into(),
                ..base.clone()
            },
            "no department named '没有'",
        ),
        (
            EmployeeInput {
                name: "  ".into(),
                ..base.clone()
            },
            "invalid name",
        ),
        (
            EmployeeInput {
                no: "".into(),
                ..base.clone()
            },
            "invalid 工号",
        ),
    ];
    let before = f.audit_count();
    for (input, msg) in cases {
        let err = s.add_employee(&input).unwrap_err().to_string();
        assert!(err.contains(msg), "{input:?}: {err}");
    }
    let left_before_hire = s.update_employee(
        "1001",
        &EmployeeChanges {
            left: NaiveDate::from_ymd_opt(2024, 12, 31),
            ..Default::default()
        },
    );
    assert!(
        left_before_hire
            .unwrap_err()
            .to_string()
            .contains("invalid leave date")
    );
    assert_eq!(f.audit_count(), before);
    assert_eq!(
        s.list_employees(&EmployeeQuery::default()).unwrap().len(),
        1
    );
    assert!(s.get_employee("1001").unwrap().leave_date.is_none());
}

#[test]
fn wrong_passwords_are_audited_and_slow_down() {
    let f = Fixture::new();
    let sleeper = AdvancingSleeper::new(f.clock.clone());
    for n in 1..=6u32 {
        let err = f.try_login("clerk", "wrong", &sleeper).unwrap_err();
        assert_eq!(
            err.to_string(),
            AppError::Auth(AuthError::WrongPassword {
                name: "clerk".into(),
                failures: n
            })
            .to_string()
        );
        let e = f.last_audit();
        assert_eq!(
            (e.actor.as_str(), e.action.as_str()),
            ("clerk", "login.failed")
        );
        assert_eq!(
            e.details,
            json!({ "reason": "wrong password", "failures": n })
        );
    }
    // The right password still works, after the longest wait, and resets the count.
    let s = f.try_login("clerk", PW, &sleeper).unwrap();
    drop(s);
    f.try_login("clerk", PW, &sleeper).unwrap();
    let secs: Vec<u64> = sleeper.waits().iter().map(Duration::as_secs).collect();
    assert_eq!(secs, vec![0, 1, 2, 4, 8, 8, 8, 0]);
    assert_eq!(f.last_audit().action, "login.ok");
}

#[test]
fn unknown_and_disabled_users_cannot_log_in() {
    let f = Fixture::new();
    let err = f.try_login("nobody", PW, &ThreadSleeper).unwrap_err();
    assert!(matches!(err, AppError::Auth(AuthError::UnknownUser { .. })));
    assert_eq!(
        f.last_audit().details,
        json!({ "reason": "unknown user", "failures": 1 })
    );

    let mut root = f.login("root");
    root.disable_user("sup").unwrap();
    assert!(
        root.disable_user("root")
            .unwrap_err()
            .to_string()
            .contains("cannot disable yourself")
    );
    let err = f.try_login("sup", PW, &ThreadSleeper).unwrap_err();
    assert!(
        matches!(err, AppError::Auth(AuthError::Disabled { .. })),
        "{err}"
    );
    assert_eq!(f.last_audit().details["reason"], "disabled");
}

#[test]
fn the_auditor_connection_refuses_writes_even_past_the_table() {
    let f = Fixture::new();
    let mut s = f.login("aud");
    // ViewOrganisation is allowed, but the connection itself refuses a write.
    let r = s.act(Action::ViewOrganisation, "test.write", "", |tx| {
        tx.execute("UPDATE organisation SET name = 'x'", [])?;
        Ok(((), json!({})))
    });
    assert!(
        r.as_ref().is_err_and(AppError::is_permission_denied),
        "{r:?}"
    );
    assert!(s.verify_audit().unwrap().is_intact());
}

#[test]
fn passwords_and_secrets_never_reach_the_audit_log() {
    let f = Fixture::new();
    let mut s = f.login("root");
    s.set_password("clerk", "another-pw").unwrap();
    s.update_terminal(
        "大门",
        &TerminalChanges {
            secret: Some("305962".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(
        s.terminal_secret("大门")
            .unwrap_err()
            .is_permission_denied()
    );
    let all = s.audit_log(&AuditQuery::default()).unwrap();
    let text = serde_json::to_string(&all).unwrap();
    for secret in ["another-pw", "305962", "820417", PW] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    assert!(f.try_login("clerk", "another-pw", &ThreadSleeper).is_ok());
    let sup = f.login("sup");
    assert_eq!(
        sup.terminal_secret("大门").unwrap().as_deref(),
        Some("305962")
    );
}

#[test]
fn init_refuses_an_existing_database_and_leaves_nothing_on_bad_input() {
    let f = Fixture::new();
    let again = session::init(&f.paths, "x", "y", PW, f.clock.as_ref()).unwrap_err();
    assert!(matches!(again, AppError::AlreadyInitialised { .. }));
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::resolve_with(
        Some(dir.path().join("n.db")),
        Some(dir.path().into()),
        Some(dir.path().into()),
    )
    .unwrap();
    let short = session::init(&paths, "单位", "root", "123", f.clock.as_ref()).unwrap_err();
    assert!(short.to_string().contains("invalid password"));
    let empty = session::init(&paths, " ", "root", PW, f.clock.as_ref()).unwrap_err();
    assert!(empty.to_string().contains("invalid organisation name"));
    assert!(!paths.db.exists());
    assert!(!session::is_initialised(&paths).unwrap());
}

#[test]
fn departments_form_a_tree() {
    let f = Fixture::new();
    let mut s = f.login("root");
    s.add_department("财务处", Some("办公室")).unwrap();
    let err = s.add_department("x", Some("没有")).unwrap_err().to_string();
    assert!(err.contains("no parent department named '没有'"), "{err}");
    let dup = s.add_department("办公室", None).unwrap_err().to_string();
    assert!(dup.contains("department '办公室' already exists"), "{dup}");
    let list = s.list_departments().unwrap();
    let shape: Vec<(&str, Option<&str>, usize)> = list
        .iter()
        .map(|d| (d.name.as_str(), d.parent.as_deref(), d.depth))
        .collect();
    assert_eq!(
        shape,
        vec![("办公室", None, 0), ("财务处", Some("办公室"), 1)]
    );
}

#[test]
fn terminals_round_trip_without_showing_secrets() {
    let f = Fixture::new();
    let mut s = f.login("sup");
    let serial = TerminalInput {
        name: "后门".into(),
        kind: TerminalKind::ZkSerial,
        address: "/dev/ttyUSB0".into(),
        baud: Some(9600),
        machine: Some(2),
        encoding: TextEncoding::Utf8,
        location: Some("二楼".into()),
        serial: None,
    };
    let t = s.add_terminal(&serial, "").unwrap();
    assert_eq!((t.baud, t.machine, t.has_secret), (Some(9600), 2, false));
    let dup = s
        .add_terminal(&terminal_input("大门"), "")
        .unwrap_err()
        .to_string();
    assert!(dup.contains("terminal '大门' already exists"), "{dup}");
    let moved = s
        .update_terminal(
            "大门",
            &TerminalChanges {
                address: Some("10.0.0.9:5005".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(moved.address, "10.0.0.9:5005");
    s.remove_terminal("后门").unwrap();
    let names: Vec<String> = s
        .list_terminals()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, vec!["大门".to_string()]);
}

#[test]
fn report_symbols_are_changed_by_the_admin_checked_audited_and_reset() {
    let f = Fixture::new();
    let mut admin = f.login("root");
    let changes = |pairs: &[(&str, &str)]| -> crate::app::report_symbols::SymbolChanges {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    let set = admin
        .set_report_symbols(&changes(&[("late", "L"), ("leave:sick", "S")]))
        .unwrap();
    assert_eq!((set.late.as_str(), set.leave_symbol("sick")), ("L", "S"));
    let e = f.last_audit();
    assert_eq!(e.action, "report.symbols.set");
    assert_eq!(
        e.details,
        json!({ "changed": {
            "late": { "from": "迟", "to": "L" },
            "leave:sick": { "from": "病", "to": "S" },
        }})
    );
    // Everyone who reads reports sees the same set.
    let clerk = f.login("clerk");
    assert_eq!(clerk.report_symbols().unwrap(), set);

    // Bad changes are refused with the reason and change nothing.
    let before = f.audit_count();
    for (bad, says) in [
        (changes(&[("absent", "L")]), "both show 'L'"),
        (
            changes(&[("lateness", "X")]),
            "there is no symbol 'lateness'",
        ),
        (
            changes(&[("leave:nap", "X")]),
            "there is no symbol 'leave:nap'",
        ),
        (changes(&[("present", "")]), "is empty"),
        (changes(&[("trip", "a/b")]), "no '/'"),
        (changes(&[]), "no symbol given"),
    ] {
        let err = admin.set_report_symbols(&bad).unwrap_err().to_string();
        assert!(err.contains(says), "{bad:?}: {err}");
    }
    assert_eq!(f.audit_count(), before);
    assert_eq!(clerk.report_symbols().unwrap(), set);

    // Only the administrator; the attempt is audited.
    let mut sup = f.login("sup");
    assert!(matches!(
        sup.set_report_symbols(&changes(&[("late", "X")])),
        Err(AppError::PermissionDenied { .. })
    ));
    assert_eq!(f.last_audit().action, "permission.denied");

    // Back to the defaults.
    let reset = admin.reset_report_symbols().unwrap();
    assert_eq!(reset, kaoqin_domain::report::SymbolSet::default());
    assert_eq!(f.last_audit().action, "report.symbols.reset");
}

#[test]
fn a_restore_in_place_closes_the_file_and_the_same_session_reads_the_restored_one() {
    let f = Fixture::new();
    let mut admin = f.login("root");
    let backup = f.dir().join("before.db");
    admin.backup(&backup).unwrap();
    admin.add_department("新处", None).unwrap();
    let has_new = |s: &Session| {
        s.list_departments()
            .unwrap()
            .iter()
            .any(|d| d.name == "新处")
    };
    // A file that is not a Kaoqin database: refused before anything moves; the session still works.
    let junk = f.dir().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(admin.restore_in_place(&junk).is_err());
    assert!(has_new(&admin));
    // Only the administrator.
    let mut sup = f.login("sup");
    assert!(matches!(
        sup.restore_in_place(&backup),
        Err(AppError::PermissionDenied { .. })
    ));
    assert!(has_new(&sup), "the supervisor's session is untouched");
    drop(sup);

    let out = admin.restore_in_place(&backup).unwrap();
    let aside = out.kept_aside.expect("the previous database kept aside");
    assert!(!has_new(&admin), "the same session reads the restored file");
    // No handle of this process is left on the kept file (Windows would not have let it move).
    #[cfg(target_os = "linux")]
    {
        let aside = aside.canonicalize().unwrap();
        for fd in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
            if let Ok(target) = std::fs::read_link(fd.path()) {
                assert_ne!(target, aside, "the kept file is still open");
            }
        }
    }
    let kept = kaoqin_store::Store::open(&aside).unwrap();
    assert!(
        kaoqin_store::departments::list(kept.conn())
            .unwrap()
            .iter()
            .any(|d| d.name == "新处"),
        "the previous data is in the kept file"
    );
}

#[test]
fn a_usb_only_terminal_is_registered_with_its_serial_and_it_is_then_fixed() {
    let f = Fixture::new();
    let mut s = f.login("sup");
    let t = s
        .add_terminal(
            &TerminalInput {
                serial: Some(" CKUSB0001 ".into()),
                ..terminal_input("仓库")
            },
            "",
        )
        .unwrap();
    assert_eq!(t.serial_no.as_deref(), Some("CKUSB0001"));
    let dup = s
        .add_terminal(
            &TerminalInput {
                serial: Some("CKUSB0001".into()),
                ..terminal_input("车间")
            },
            "",
        )
        .unwrap_err()
        .to_string();
    assert!(dup.contains("CKUSB0001"), "{dup}");
    // A terminal without one gets it on update; a different one is refused.
    let set = |serial: &str| TerminalChanges {
        serial: Some(serial.into()),
        ..Default::default()
    };
    let t = s.update_terminal("大门", &set("CKDOOR01")).unwrap();
    assert_eq!(t.serial_no.as_deref(), Some("CKDOOR01"));
    assert!(s.update_terminal("大门", &set("CKDOOR01")).is_ok());
    let e = s
        .update_terminal("大门", &set("CKOTHER"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("registered with serial number CKDOOR01, not CKOTHER"),
        "{e}"
    );
    let log = s.audit_log(&AuditQuery::default()).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "terminal.add" && e.details["serial_no"] == "CKUSB0001"),
        "{log:?}"
    );
    assert!(
        log.iter()
            .any(|e| e.action == "terminal.update" && e.details["serial_no"] == "CKDOOR01")
    );
}
