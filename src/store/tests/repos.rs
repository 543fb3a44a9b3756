//! Repository behaviour on real SQLite: validation errors name the field, uniqueness and references hold.

mod common;

use common::{d, t};
use kaoqin_store::employees::{self, EmployeeFilter, EmployeeUpdate, NewEmployee};
use kaoqin_store::findings::{self, FindingFilter, NewFinding};
use kaoqin_store::sessions::{self, SessionEnd, SessionFilter, SessionResult};
use kaoqin_store::terminals::{self, NewTerminal, TerminalUpdate};
use kaoqin_store::{
    Role, SecretBox, StoreError, TerminalKind, TextEncoding, departments, settings, users,
};

fn emp(no: &str, name: &str, dept: Option<i64>) -> NewEmployee {
    NewEmployee {
        enrollment_no: no.into(),
        name: name.into(),
        department_id: dept,
        ..Default::default()
    }
}

#[test]
fn departments_form_a_tree_listed_parents_first() {
    let (_dir, _p, store) = common::fresh();
    let c = store.conn();
    let office = departments::add(c, "办公室", None).unwrap();
    let fin = departments::add(c, "财务处", None).unwrap();
    departments::add(c, "出纳科", Some(fin.id)).unwrap();
    departments::add(c, "文秘科", Some(office.id)).unwrap();
    let names: Vec<_> = departments::list(c)
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    let pos = |n: &str| names.iter().position(|x| x == n).unwrap();
    assert!(pos("财务处") < pos("出纳科") && pos("办公室") < pos("文秘科"));
    assert_eq!(names.len(), 4);
    assert!(matches!(
        departments::add(c, "财务处", None),
        Err(StoreError::Duplicate {
            what: "department",
            ..
        })
    ));
    assert!(matches!(
        departments::add(c, "  ", None),
        Err(StoreError::Invalid {
            field: "department name",
            ..
        })
    ));
    assert!(matches!(
        departments::add(c, "x", Some(999)),
        Err(StoreError::NotFound { .. })
    ));
    let err = departments::get_by_name(c, "人事处").unwrap_err();
    assert_eq!(err.to_string(), "no department named '人事处'");
    assert_eq!(
        departments::find_by_name(c, "出纳科")
            .unwrap()
            .unwrap()
            .parent_id,
        Some(fin.id)
    );
}

#[test]
fn employees_validate_and_update() {
    let (_dir, _p, store) = common::fresh();
    let c = store.conn();
    let dept = departments::add(c, "办公室", None).unwrap();
    let mut e = emp("1001", "张三", Some(dept.id));
    e.hire_date = Some(d("2020-03-01"));
    let a = employees::add(c, &e).unwrap();
    assert_eq!(
        (a.department.as_deref(), a.active, a.hire_date),
        (Some("办公室"), true, Some(d("2020-03-01")))
    );

    let bad: Vec<(NewEmployee, &str)> = vec![
        (
            emp("1001", "李四", None),
            "工号 (enrollment number) '1001' already exists",
        ),
        (emp("1002", "  ", None), "invalid name: must not be empty"),
        (
            emp("", "李四", None),
            "invalid 工号 (enrollment number): must not be empty",
        ),
        (
            emp("10 02", "李四", None),
            "invalid 工号 (enrollment number)",
        ),
        (emp("1002", "李四", Some(999)), "no department named '#999'"),
        (
            NewEmployee {
                hire_date: Some(d("2021-01-01")),
                leave_date: Some(d("2020-12-31")),
                ..emp("1002", "李四", None)
            },
            "invalid leave date: 2020-12-31 is before the hire date 2021-01-01",
        ),
    ];
    for (e, msg) in bad {
        let err = employees::add(c, &e).unwrap_err();
        assert!(err.to_string().starts_with(msg), "{e:?}: got '{err}'");
    }
    assert_eq!(
        employees::list(c, &EmployeeFilter::default())
            .unwrap()
            .len(),
        1,
        "nothing half-written"
    );

    let err = employees::update(
        c,
        "1001",
        &EmployeeUpdate {
            leave_date: Some(Some(d("2019-01-01"))),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Invalid {
            field: "leave date",
            ..
        }
    ));
    let u = employees::update(
        c,
        "1001",
        &EmployeeUpdate {
            name: Some("张三丰".into()),
            position: Some(Some("科员".into())),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (u.name.as_str(), u.position.as_deref()),
        ("张三丰", Some("科员"))
    );
    employees::add(c, &emp("2", "王五", None)).unwrap();
    employees::add(c, &emp("10", "赵六", Some(dept.id))).unwrap();
    let gone = employees::deactivate(c, "2", Some(d("2026-10-31"))).unwrap();
    assert!(!gone.active);
    assert_eq!(gone.leave_date, Some(d("2026-10-31")));
    let nos = |f: EmployeeFilter| -> Vec<String> {
        employees::list(c, &f)
            .unwrap()
            .into_iter()
            .map(|e| e.enrollment_no)
            .collect()
    };
    assert_eq!(nos(EmployeeFilter::default()), ["2", "10", "1001"]);
    assert_eq!(
        nos(EmployeeFilter {
            active_only: true,
            ..Default::default()
        }),
        ["10", "1001"]
    );
    assert_eq!(
        nos(EmployeeFilter {
            department_id: Some(dept.id),
            ..Default::default()
        }),
        ["10", "1001"]
    );
    assert_eq!(
        nos(EmployeeFilter {
            search: Some("张".into()),
            ..Default::default()
        }),
        ["1001"]
    );
    assert!(matches!(
        employees::get_by_no(c, "77"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn terminals_store_sealed_secrets_and_health() {
    let (dir, _p, store) = common::fresh();
    let c = store.conn();
    let sb = SecretBox::load_or_create(dir.path().join("secret.key")).unwrap();
    let new = NewTerminal {
        name: "大门".into(),
        kind: TerminalKind::ZkTcp,
        address: "192.168.1.201".into(),
        port: Some(4370),
        baud: None,
        machine_no: 1,
        encoding: TextEncoding::Gbk,
        comm_secret: Some(sb.seal("123456").unwrap()),
        location: Some("一楼".into()),
    };
    let a = terminals::add(c, &new).unwrap();
    assert_eq!(
        sb.open(a.comm_secret.as_deref().unwrap()).unwrap(),
        "123456"
    );
    assert!(!format!("{a:?}").contains("123456"));
    let raw: Vec<u8> = c
        .query_row("SELECT comm_secret FROM terminals", [], |r| r.get(0))
        .unwrap();
    assert!(
        !raw.windows(6).any(|w| w == b"123456"),
        "never stored in plain text"
    );

    assert!(matches!(
        terminals::add(c, &new),
        Err(StoreError::Duplicate {
            what: "terminal",
            ..
        })
    ));
    let serial = NewTerminal {
        name: "串口".into(),
        kind: TerminalKind::ZkSerial,
        port: None,
        ..new.clone()
    };
    assert!(matches!(
        terminals::add(c, &serial),
        Err(StoreError::Invalid { field: "baud", .. })
    ));
    assert!(matches!(
        "zk-usb".parse::<TerminalKind>(),
        Err(StoreError::Invalid {
            field: "terminal kind",
            ..
        })
    ));
    assert_eq!("UTF-8".parse::<TextEncoding>().unwrap(), TextEncoding::Utf8);

    let u = terminals::update(
        c,
        "大门",
        &TerminalUpdate {
            name: Some("正门".into()),
            location: Some(None),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!((u.name.as_str(), u.location.as_ref()), ("正门", None));
    terminals::set_serial_no(c, u.id, "CKUA203960123").unwrap();
    assert_eq!(
        terminals::find_by_serial(c, "CKUA203960123")
            .unwrap()
            .unwrap()
            .id,
        u.id
    );
    terminals::record_contact_error(c, u.id, t("2026-11-25 10:00:00"), "connection refused")
        .unwrap();
    terminals::record_contact_error(c, u.id, t("2026-11-25 10:20:00"), "timeout").unwrap();
    let h = terminals::get(c, u.id).unwrap();
    assert_eq!(
        (h.consecutive_failures, h.last_error.as_deref()),
        (2, Some("timeout"))
    );
    terminals::record_contact_ok(c, u.id, t("2026-11-25 10:40:00")).unwrap();
    let h = terminals::get(c, u.id).unwrap();
    assert_eq!(
        (h.consecutive_failures, h.last_contact_at),
        (0, Some(t("2026-11-25 10:40:00")))
    );

    // A session keeps the terminal's name after the terminal is removed.
    let s = common::session(c, "正门");
    c.execute(
        "UPDATE download_sessions SET terminal_id = ?1 WHERE id = ?2",
        [u.id, s],
    )
    .unwrap();
    terminals::remove(c, "正门").unwrap();
    let sess = sessions::get(c, s).unwrap();
    assert_eq!(
        (sess.terminal_id, sess.terminal_name.as_str()),
        (None, "正门")
    );
    assert!(matches!(
        terminals::get_by_name(c, "正门"),
        Err(StoreError::NotFound {
            what: "terminal",
            ..
        })
    ));
}

#[test]
fn users_roles_passwords_and_failed_logins() {
    let (_dir, _p, store) = common::fresh();
    let c = store.conn();
    assert_eq!(users::count(c).unwrap(), 0);
    let h = users::hash_password("s3cret-密码").unwrap();
    assert!(h.starts_with("$argon2id$"));
    let u = users::add(c, "admin", Role::Admin, &h, t("2026-11-25 09:00:00")).unwrap();
    assert!(users::verify_password(&u.password_hash, "s3cret-密码"));
    assert!(!users::verify_password(&u.password_hash, "wrong"));
    assert!(!users::verify_password("not a phc string", "x"));
    assert!(!format!("{u:?}").contains("argon2"));
    assert!(matches!(
        users::add(c, "admin", Role::Auditor, &h, t("2026-11-25 09:00:00")),
        Err(StoreError::Duplicate { .. })
    ));
    assert_eq!(
        users::record_failed_login(c, "admin", t("2026-11-25 09:01:00")).unwrap(),
        1
    );
    assert_eq!(
        users::record_failed_login(c, "admin", t("2026-11-25 09:02:00")).unwrap(),
        2
    );
    assert_eq!(
        users::get_by_name(c, "admin").unwrap().last_failed_at,
        Some(t("2026-11-25 09:02:00"))
    );
    users::reset_failed_logins(c, "admin").unwrap();
    assert_eq!(users::get_by_name(c, "admin").unwrap().failed_logins, 0);
    users::set_role(c, "admin", Role::Supervisor).unwrap();
    users::set_disabled(c, "admin", true).unwrap();
    let u = users::get_by_name(c, "admin").unwrap();
    assert_eq!((u.role, u.disabled), (Role::Supervisor, true));
    assert!(matches!(
        users::set_disabled(c, "nobody", true),
        Err(StoreError::NotFound { what: "user", .. })
    ));
    let err: StoreError = "boss".parse::<Role>().unwrap_err().into();
    assert!(
        err.to_string()
            .contains("valid roles: admin, supervisor, hr_clerk, auditor")
    );
}

#[test]
fn settings_sessions_and_findings_round_trip() {
    let (_dir, _p, store) = common::fresh();
    let c = store.conn();
    assert_eq!(settings::set(c, "limit_secs", "180").unwrap(), None);
    assert_eq!(
        settings::set(c, "limit_secs", "120").unwrap().as_deref(),
        Some("180")
    );
    assert_eq!(
        settings::get(c, "limit_secs").unwrap().as_deref(),
        Some("120")
    );
    assert_eq!(
        settings::remove(c, "limit_secs").unwrap().as_deref(),
        Some("120")
    );
    assert_eq!(settings::get(c, "limit_secs").unwrap(), None);

    let s = common::session(c, "大门");
    sessions::finish(
        c,
        s,
        &SessionEnd {
            ended_at: t("2026-11-25 10:01:30"),
            commands: serde_json::json!({"CMD_CONNECT": 1, "CMD_ATTLOG_RRQ": 1}),
            records_read: 100,
            records_new: 60,
            records_dup: 40,
            result: SessionResult::Ok,
            error: None,
            cut: false,
            clock_skew_secs: Some(-95),
        },
    )
    .unwrap();
    let got = sessions::get(c, s).unwrap();
    assert_eq!(got.duration(), Some(chrono::Duration::seconds(90)));
    assert_eq!(
        (got.records_new, got.clock_skew_secs, got.result),
        (60, Some(-95), SessionResult::Ok)
    );
    assert_eq!(got.commands["CMD_ATTLOG_RRQ"], 1);
    assert_eq!(
        sessions::list(
            c,
            &SessionFilter {
                terminal_name: Some("大门".into()),
                ..Default::default()
            }
        )
        .unwrap()
        .len(),
        1
    );
    assert!(
        sessions::list(
            c,
            &SessionFilter {
                from: Some(t("2026-11-25 10:00:01")),
                ..Default::default()
            }
        )
        .unwrap()
        .is_empty()
    );
    c.execute("UPDATE download_sessions SET terminal_id = NULL", [])
        .unwrap();

    let f = findings::add(
        c,
        &NewFinding {
            session_id: Some(s),
            terminal_id: None,
            kind: "clock-skew".into(),
            details: serde_json::json!({"skew_secs": -95}),
            found_at: t("2026-11-25 10:00:05"),
        },
    )
    .unwrap();
    assert_eq!(
        findings::list(
            c,
            &FindingFilter {
                open_only: true,
                ..Default::default()
            }
        )
        .unwrap()
        .len(),
        1
    );
    assert!(matches!(
        findings::explain(c, f, " ", "boss", t("2026-11-26 09:00:00")),
        Err(StoreError::Invalid { .. })
    ));
    findings::explain(c, f, "停电后时钟复位", "boss", t("2026-11-26 09:00:00")).unwrap();
    assert!(
        findings::list(
            c,
            &FindingFilter {
                open_only: true,
                ..Default::default()
            }
        )
        .unwrap()
        .is_empty()
    );
    let got = findings::get(c, f).unwrap();
    assert_eq!(
        (
            got.explained_by.as_deref(),
            got.details["skew_secs"].as_i64()
        ),
        (Some("boss"), Some(-95))
    );
}
