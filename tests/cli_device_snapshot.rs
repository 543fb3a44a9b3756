//! End-to-end through the `kaoqin` binary against the real simulator (docs/domain.md §2.1, §2.7): the auditor takes
//! signed snapshots, verify passes and fails after one byte is changed, the diff of two snapshots
//! names the deleted and altered records and the clock change; the auditor cannot run a device
//! write command (exit 3, audited, the terminal untouched); the supervisor's policy apply and
//! password change are visible on the simulator's own user table.
//! Linux only: the simulator and the `kaoqin` runs share a clock through libfaketime (the
//! one-minute spacing between connections, `cli_sim::setup`).
#![cfg(target_os = "linux")]

mod cli_common;
use cli_common::*;
mod cli_sim;
use cli_sim::*;

#[test]
fn snapshots_verify_detect_tampering_and_diff_exactly() {
    let sim = Sim::start(&[
        "--employees",
        "6",
        "--days",
        "4",
        "--start",
        "2026-03-02",
        "--seed",
        "9",
    ]);
    let env = setup(&sim);
    let a = env.path("a.kqsnap");
    let b = env.path("b.kqsnap");
    let r = env.run_as(
        "aud",
        USER_PW,
        &[
            "snapshot",
            "take",
            "--terminal",
            "大门",
            "--out",
            a.to_str().unwrap(),
        ],
        &[],
    );
    ok(&r);
    let log = sim.dump();
    assert!(
        r.stdout.contains(&format!("{} records", log.len())),
        "{r:?}"
    );
    let r = env.run_as(
        "aud",
        USER_PW,
        &["snapshot", "verify", a.to_str().unwrap()],
        &[],
    );
    ok(&r);
    assert!(r.stdout.contains("OK: every part"), "{r:?}");

    // Only the auditor takes snapshots; the refusal is audited.
    let r = env.run_as(
        "clerk",
        USER_PW,
        &[
            "snapshot",
            "take",
            "--terminal",
            "大门",
            "--out",
            env.path("x").to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{r:?}");

    // Change the terminal: delete 3 records, alter 2, move the clock 10 minutes.
    for i in [2usize, 7, 11] {
        sim.control(&format!("delete-punch {} {}", log[i].0, log[i].1));
    }
    for i in [4usize, 9] {
        let t = chrono::NaiveDateTime::parse_from_str(&log[i].1, "%Y-%m-%d %H:%M:%S").unwrap()
            + chrono::Duration::minutes(30);
        sim.control(&format!(
            "alter-punch-time {} {} {}",
            log[i].0,
            log[i].1,
            t.format("%Y-%m-%d %H:%M:%S")
        ));
    }
    sim.control("set-clock-offset -600");
    ok(&env.run_as(
        "aud",
        USER_PW,
        &[
            "snapshot",
            "take",
            "--terminal",
            "大门",
            "--out",
            b.to_str().unwrap(),
        ],
        &[],
    ));
    let r = env.run_as(
        "aud",
        USER_PW,
        &["snapshot", "diff", a.to_str().unwrap(), b.to_str().unwrap()],
        &[],
    );
    ok(&r);
    assert!(
        r.stdout
            .contains("3 removed, 2 time changed, 0 back-dated, 0 user changes, clock changed"),
        "{r:?}"
    );
    for i in [2usize, 7, 11] {
        assert!(
            r.stdout
                .contains(&format!("removed: {} {}", log[i].0, log[i].1)),
            "{r:?}"
        );
    }

    // The same diff as an Excel report: one sheet per kind, rows equal to the diff.
    let report = env.path("diff.xlsx");
    let r = env.run_as(
        "aud",
        USER_PW,
        &[
            "snapshot",
            "diff",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--xlsx",
            report.to_str().unwrap(),
        ],
        &[],
    );
    ok(&r);
    assert!(r.stdout.contains("report written to"), "{r:?}");
    let sheets = xlsx_sheets(&report);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "删除的记录",
            "补录的旧记录",
            "时间被改",
            "用户与权限变化",
            "时钟变化"
        ]
    );
    let body = |i: usize| sheets[i].1[1..].to_vec();
    let mut removed: Vec<(String, String)> = body(0)
        .iter()
        .map(|r| (r[1].clone(), r[2].clone()))
        .collect();
    removed.sort();
    let mut want: Vec<(String, String)> = [2usize, 7, 11]
        .iter()
        .map(|&i| (log[i].0.clone(), log[i].1.clone()))
        .collect();
    want.sort();
    assert_eq!(removed, want);
    assert_eq!(body(1), Vec::<Vec<String>>::new(), "no back-dated records");
    let mut changed: Vec<(String, String, String)> = body(2)
        .iter()
        .map(|r| (r[1].clone(), r[2].clone(), r[3].clone()))
        .collect();
    changed.sort();
    let mut want: Vec<(String, String, String)> = [4usize, 9]
        .iter()
        .map(|&i| {
            let t = chrono::NaiveDateTime::parse_from_str(&log[i].1, "%Y-%m-%d %H:%M:%S").unwrap()
                + chrono::Duration::minutes(30);
            (
                log[i].0.clone(),
                log[i].1.clone(),
                t.format("%Y-%m-%d %H:%M:%S").to_string(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(changed, want);
    assert_eq!(body(3), Vec::<Vec<String>>::new(), "no user changes");
    let clock = body(4);
    assert_eq!(clock.len(), 1, "{clock:?}");
    let moved: i64 = clock[0][2].parse().unwrap();
    assert!((-605..=-595).contains(&moved), "{clock:?}");

    // One byte changed: verify fails (exit 1) and names the part.
    let mut bytes = std::fs::read(&a).unwrap();
    let header = bytes
        .windows(22)
        .position(|w| w == b"position,enrollment_no")
        .unwrap();
    let at = header
        + bytes[header..]
            .windows(5)
            .position(|w| w == b"2026-")
            .unwrap();
    bytes[at + 3] = b'7';
    let bad = env.path("bad.kqsnap");
    std::fs::write(&bad, &bytes).unwrap();
    let r = env.run_as(
        "aud",
        USER_PW,
        &["snapshot", "verify", bad.to_str().unwrap()],
        &[],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("MISMATCH: part attlog.csv"), "{r:?}");

    // Against the ledger: nothing downloaded yet, so every record of B is "never downloaded".
    let r = env.run_as(
        "aud",
        USER_PW,
        &["snapshot", "diff", b.to_str().unwrap(), "--against-db"],
        &[],
    );
    ok(&r);
    assert!(
        r.stdout.contains(&format!(
            "0 in Kaoqin but not on the terminal, {} on the terminal but not in Kaoqin",
            log.len() - 3
        )),
        "{r:?}"
    );
    let report = env.path("ledger.xlsx");
    ok(&env.run_as(
        "aud",
        USER_PW,
        &[
            "snapshot",
            "diff",
            b.to_str().unwrap(),
            "--against-db",
            "--xlsx",
            report.to_str().unwrap(),
            "--report-lang",
            "en",
        ],
        &[],
    ));
    let sheets = xlsx_sheets(&report);
    assert_eq!(sheets[0].0, "Only in Kaoqin");
    assert_eq!(sheets[0].1.len(), 1, "header only");
    assert_eq!(sheets[1].0, "Only on the terminal");
    assert_eq!(sheets[1].1.len(), 1 + log.len() - 3);
    assert_eq!(sheets[1].1[0][1], "Employee no.");
}

/// Every sheet of an xlsx as (name, rows of cell texts), read with calamine.
fn xlsx_sheets(path: &std::path::Path) -> Vec<(String, Vec<Vec<String>>)> {
    use calamine::{Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(path).expect("open the report");
    wb.sheet_names()
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn the_auditor_cannot_write_to_a_terminal_and_the_supervisor_applies_the_policy() {
    let sim = Sim::start(&["--employees", "5", "--days", "1", "--seed", "4"]);
    let env = setup(&sim);
    // A second super admin (uid 3) and password users.
    sim.control("set-privilege 3 14");
    sim.control("set-password 4 9999");

    for args in [
        vec!["device", "clock", "--terminal", "大门", "--sync"],
        vec!["device", "policy", "apply", "--terminal", "大门", "--yes"],
        vec!["device", "password", "--terminal", "大门"],
        vec!["device", "handover", "--terminal", "大门", "--days", "2"],
    ] {
        let r = env.run_as("aud", USER_PW, &args, &[("KAOQIN_NEW_PASSWORD", "1234")]);
        assert_eq!(r.code, 3, "{args:?} {r:?}");
    }
    let log = env.admin(&[
        "audit",
        "log",
        "--action",
        "permission.denied",
        "--actor",
        "aud",
        "--format",
        "csv",
    ]);
    assert_eq!(log.stdout.matches("device_admin").count(), 4, "{log:?}");
    // Nothing reached the terminal: no session was even opened.
    let r = env.admin(&["audit", "sessions", "--format", "csv"]);
    assert_eq!(r.stdout.lines().count(), 1, "{r:?}");
    assert_eq!(sim.status("offset"), "0");

    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "policy", "check", "--terminal", "大门"],
        &[],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("2 super admins"), "{r:?}");
    ok(&env.run_as(
        "sup",
        USER_PW,
        &["device", "policy", "apply", "--terminal", "大门", "--yes"],
        &[],
    ));
    ok(&env.run_as(
        "sup",
        USER_PW,
        &["device", "policy", "check", "--terminal", "大门"],
        &[],
    ));
    let users = sim.users();
    let supers: Vec<_> = users
        .iter()
        .filter(|u| u.get(3).map(String::as_str) == Some("14"))
        .collect();
    assert_eq!(supers.len(), 1, "{users:?}");
    assert!(
        users
            .iter()
            .filter(|u| u.first().map(String::as_str) != Some("1"))
            .all(|u| u.get(4).is_some_and(String::is_empty)),
        "{users:?}"
    );

    // The super admin's password, visible on the terminal, never in the audit log.
    ok(&env.run_as(
        "sup",
        USER_PW,
        &["device", "password", "--terminal", "大门"],
        &[("KAOQIN_NEW_PASSWORD", "864209")],
    ));
    let users = sim.users();
    assert_eq!(
        users
            .iter()
            .find(|u| u.first().map(String::as_str) == Some("1"))
            .and_then(|u| u.get(4))
            .map(String::as_str),
        Some("864209")
    );
    let log = env.admin(&["audit", "log", "--format", "csv"]);
    assert!(!log.stdout.contains("864209"));
    assert!(log.stdout.contains("device.password.stored"));

    // Enrollment window: the hand-over password on the terminal, the window recorded and audited.
    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "handover", "--terminal", "大门", "--days", "3"],
        &[("KAOQIN_NEW_PASSWORD", "739164")],
    );
    ok(&r);
    assert!(
        r.stdout.contains("enrollment window is open until"),
        "{r:?}"
    );
    let users = sim.users();
    assert_eq!(
        users
            .iter()
            .find(|u| u.first().map(String::as_str) == Some("1"))
            .and_then(|u| u.get(4))
            .map(String::as_str),
        Some("739164")
    );
    let log = env.admin(&[
        "audit",
        "log",
        "--action",
        "device.handover",
        "--format",
        "csv",
    ]);
    assert!(log.stdout.contains("\"\"days\"\":3"), "{log:?}");
    assert!(!log.stdout.contains("739164"));

    // Clock: 5 minutes off, set from the PC.
    sim.control("set-clock-offset 300");
    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "clock", "--terminal", "大门", "--sync"],
        &[],
    );
    ok(&r);
    let off: i64 = sim.status("offset").parse().unwrap();
    assert!(off.abs() <= 2, "offset {off}");
}

/// pyzk `users` rows: uid,user_id,name,privilege,password,card,group.
fn pyzk_users(sim: &Sim) -> Vec<Vec<String>> {
    pyzk(sim, &["users"])
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn the_policy_with_fingerprints_is_found_fixed_and_confirmed_by_pyzk() {
    let sim = Sim::start(&["--employees", "6", "--days", "1", "--seed", "4"]);
    let env = setup(&sim);
    // Two super admins (uids 1 and 3), an admin (5), password users (2, 4), fingerprint users.
    sim.control("set-privilege 3 14");
    sim.control("set-privilege 5 6");
    sim.control("set-password 2 1111");
    sim.control("set-password 4 9999");
    sim.control("add-fingerprint 2 6");
    sim.control("add-fingerprint 4 0");
    sim.control("add-fingerprint 4 1");
    let templates = sim.control("list-templates");
    assert!(templates.len() >= 3, "{templates:?}");
    // pyzk sees the same violations on the terminal before Kaoqin touches it.
    assert_eq!(pyzk(&sim, &["templates"]).lines().count(), templates.len());

    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "policy", "check", "--terminal", "大门"],
        &[],
    );
    assert_eq!(r.code, 1, "{r:?}");
    for want in [
        "violation: 2 super admins",
        "is an admin besides the super admin",
        "can sign in by password",
        "fingerprint template(s) (finger 0, 1); the terminal is face-only",
        "fingerprint template(s) (finger 6); the terminal is face-only",
    ] {
        assert!(r.stdout.contains(want), "{want}: {r:?}");
    }
    let violations = r.stdout.matches("violation: ").count();

    // Without --yes only the plan; the terminal is untouched.
    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "policy", "apply", "--terminal", "大门"],
        &[],
    );
    ok(&r);
    assert!(
        r.stdout
            .contains("would: delete the fingerprint template of finger 6 of"),
        "{r:?}"
    );
    assert_eq!(sim.control("list-templates").len(), templates.len());

    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "policy", "apply", "--terminal", "大门", "--yes"],
        &[],
    );
    ok(&r);
    assert!(r.stdout.contains("re-read: policy OK"), "{r:?}");
    let applied = r.stdout.matches("applied: ").count();
    assert_eq!(
        r.stdout
            .matches("applied: delete the fingerprint template")
            .count(),
        templates.len(),
        "{r:?}"
    );
    assert!(applied >= violations, "{applied} < {violations}: {r:?}");
    // Each change is audited on its own, without template bytes or passwords.
    let log = env.admin(&[
        "audit",
        "log",
        "--action",
        "device.policy.change",
        "--format",
        "csv",
    ]);
    assert_eq!(log.stdout.lines().count(), 1 + applied, "{log:?}");
    assert!(log.stdout.contains("delete_fingerprint"), "{log:?}");
    assert!(!log.stdout.contains("9999") && !log.stdout.contains("KQSIMFP"));

    // Confirmed by Kaoqin re-reading…
    ok(&env.run_as(
        "sup",
        USER_PW,
        &["device", "policy", "check", "--terminal", "大门"],
        &[],
    ));
    // …by the simulator's own tables…
    assert_eq!(sim.control("list-templates"), Vec::<String>::new());
    // …and by pyzk reading the terminal independently.
    assert_eq!(pyzk(&sim, &["templates"]), "");
    let users = pyzk_users(&sim);
    assert_eq!(users.len(), 6, "{users:?}");
    let supers: Vec<&str> = users
        .iter()
        .filter(|u| u[3] == "14")
        .map(|u| u[0].as_str())
        .collect();
    assert_eq!(supers, vec!["1"], "{users:?}");
    assert!(
        users.iter().filter(|u| u[0] != "1").all(|u| u[3] == "0"),
        "{users:?}"
    );
    assert!(
        users
            .iter()
            .filter(|u| u[0] != "1")
            .all(|u| u[4].is_empty()),
        "{users:?}"
    );

    // The super admin's new password is what pyzk reads from the terminal.
    ok(&env.run_as(
        "sup",
        USER_PW,
        &["device", "password", "--terminal", "大门"],
        &[("KAOQIN_NEW_PASSWORD", "864209")],
    ));
    let users = pyzk_users(&sim);
    let su = users.iter().find(|u| u[0] == "1").expect("super admin");
    assert_eq!((su[3].as_str(), su[4].as_str()), ("14", "864209"));
    assert!(
        users
            .iter()
            .filter(|u| u[0] != "1")
            .all(|u| u[4].is_empty()),
        "{users:?}"
    );
}

#[test]
fn an_expired_enrollment_window_reminds_the_supervisor() {
    let sim = Sim::start(&["--employees", "3", "--days", "1", "--seed", "4"]);
    let env = setup(&sim);
    let r = env.run_as("sup", USER_PW, &["device", "status"], &[]);
    ok(&r);
    assert!(r.stdout.contains("no enrollment window"), "{r:?}");

    ok(&env.run_as(
        "sup",
        USER_PW,
        &["device", "handover", "--terminal", "大门", "--days", "1"],
        &[("KAOQIN_NEW_PASSWORD", "739164")],
    ));
    let r = env.run_as("sup", USER_PW, &["device", "status"], &[]);
    ok(&r);
    assert!(
        r.stdout.contains("大门") && r.stdout.contains("open"),
        "{r:?}"
    );
    assert!(!r.stderr.contains("reminder"), "{r:?}");
    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "clock", "--terminal", "大门"],
        &[],
    );
    ok(&r);
    assert!(!r.stderr.contains("reminder"), "{r:?}");

    // Two days pass (the window's end moved into the past in the database).
    {
        let store = kaoqin_store::Store::open(env.db()).expect("open db");
        let past = chrono::Local::now().naive_local() - chrono::Duration::days(1);
        kaoqin_store::terminals::update(
            store.conn(),
            "大门",
            &kaoqin_store::terminals::TerminalUpdate {
                handover_until: Some(Some(past)),
                ..Default::default()
            },
        )
        .expect("move the window");
    }
    let how = "set the supervisor password again with `kaoqin device password --terminal 大门`";
    let r = env.run_as("sup", USER_PW, &["device", "status"], &[]);
    ok(&r);
    assert!(r.stdout.contains("EXPIRED"), "{r:?}");
    assert!(
        r.stderr.contains("expired") && r.stderr.contains(how),
        "{r:?}"
    );
    // Every device command on that terminal reminds, whether it succeeds or not.
    for args in [
        vec!["device", "clock", "--terminal", "大门"],
        vec!["device", "enrollment", "--terminal", "大门"],
        vec!["device", "policy", "check", "--terminal", "大门"],
    ] {
        let r = env.run_as("sup", USER_PW, &args, &[]);
        assert!(r.stderr.contains(how), "{args:?}: {r:?}");
    }
    // Not to roles that may not act on it (and no extra refusal is audited for them).
    let r = env.run_as(
        "aud",
        USER_PW,
        &["device", "clock", "--terminal", "大门"],
        &[],
    );
    assert_eq!(r.code, 3, "{r:?}");
    assert!(!r.stderr.contains("reminder"), "{r:?}");
    let log = env.admin(&[
        "audit",
        "log",
        "--action",
        "permission.denied",
        "--format",
        "csv",
    ]);
    assert_eq!(log.stdout.lines().count(), 2, "{log:?}");

    // Setting the supervisor password closes the window: no more reminders.
    let r = env.run_as(
        "sup",
        USER_PW,
        &["device", "password", "--terminal", "大门"],
        &[("KAOQIN_NEW_PASSWORD", "864209")],
    );
    ok(&r);
    assert!(!r.stderr.contains("reminder"), "{r:?}");
    let r = env.run_as("sup", USER_PW, &["device", "status"], &[]);
    assert!(r.stdout.contains("no enrollment window"), "{r:?}");
    assert_eq!(
        pyzk_users(&sim)
            .iter()
            .find(|u| u[0] == "1")
            .map(|u| u[4].clone()),
        Some("864209".to_string())
    );
}

/// A snapshot signed with a key this database never registered (here: the same auditor name in
/// another Kaoqin installation) is refused by `snapshot diff` — two files or against the ledger —
/// exactly as `snapshot verify` refuses it: same message, same exit code.
#[test]
fn a_snapshot_signed_with_a_foreign_key_is_refused_by_diff_like_verify() {
    let sim = Sim::start(&[
        "--employees",
        "4",
        "--days",
        "2",
        "--start",
        "2026-03-02",
        "--seed",
        "3",
    ]);
    let env = setup(&sim);
    let other = setup(&sim);
    let ours = env.path("ours.kqsnap");
    let foreign = other.path("foreign.kqsnap");
    for (e, out) in [(&env, &ours), (&other, &foreign)] {
        ok(&e.run_as(
            "aud",
            USER_PW,
            &[
                "snapshot",
                "take",
                "--terminal",
                "大门",
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        ));
    }
    // The foreign file is intact and correctly signed: its own installation accepts it.
    ok(&other.run_as(
        "aud",
        USER_PW,
        &["snapshot", "verify", foreign.to_str().unwrap()],
        &[],
    ));
    let verify = env.run_as(
        "aud",
        USER_PW,
        &["snapshot", "verify", foreign.to_str().unwrap()],
        &[],
    );
    assert_eq!(verify.code, 1, "{verify:?}");
    assert!(
        verify
            .stderr
            .contains("is not registered in this Kaoqin database")
            && verify.stderr.contains("does not verify"),
        "{verify:?}"
    );
    for args in [
        vec![
            "snapshot",
            "diff",
            foreign.to_str().unwrap(),
            ours.to_str().unwrap(),
        ],
        vec![
            "snapshot",
            "diff",
            ours.to_str().unwrap(),
            foreign.to_str().unwrap(),
        ],
        vec![
            "snapshot",
            "diff",
            foreign.to_str().unwrap(),
            "--against-db",
        ],
    ] {
        let r = env.run_as("aud", USER_PW, &args, &[]);
        assert_eq!(r.code, verify.code, "{args:?}: {r:?}");
        assert_eq!(r.stderr, verify.stderr, "{args:?}");
        assert!(!r.stdout.contains("removed"), "{args:?}: {r:?}");
    }
    // Our own snapshots still diff.
    ok(&env.run_as(
        "aud",
        USER_PW,
        &["snapshot", "diff", ours.to_str().unwrap(), "--against-db"],
        &[],
    ));
}
