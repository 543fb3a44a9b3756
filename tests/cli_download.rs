//! End-to-end: `kaoqin download` against the REAL simulator over loopback, then `punches list
//! --format csv` compared with the simulator's own dump; a second download stores nothing new;
//! refusals (peak window, spacing, clerk override) name their rule and are recorded as sessions;
//! USB import with a bad line; findings explained by a supervisor; rules changes audited.
//!
//! The simulator binary: `$KAOQIN_SIM_BIN`, else `<workspace>/target/debug/kaoqin-sim`, built with
//! `cargo build -p kaoqin-sim` when missing.

mod cli_common;
use cli_common::*;

mod cli_sim;
use cli_sim::*;

/// The ledger through `punches list --format csv`, as sorted (enrollment, timestamp, verify, state),
/// checking every row carries the serial and a session.
fn ledger(env: &Env, extra: &[&str]) -> Vec<(String, String, String, String)> {
    let mut args = vec!["punches", "list", "--format", "csv"];
    args.extend_from_slice(extra);
    let r = env.run_as("clerk", USER_PW, &args, &[]);
    ok(&r);
    let mut lines = r.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session")
    );
    let mut v: Vec<_> = lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 6, "{l}");
            assert!(f[0].starts_with("KQSIM"), "{l}");
            assert!(f[5].parse::<i64>().is_ok_and(|n| n > 0), "{l}");
            (
                f[1].to_string(),
                f[2].to_string(),
                f[3].to_string(),
                f[4].to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn download_then_list_equals_the_simulator_dump_and_a_second_download_adds_nothing() {
    let sim = Sim::start(&[
        "--employees",
        "30",
        "--days",
        "10",
        "--start",
        "2026-03-01",
        "--seed",
        "7",
    ]);
    let env = setup(&sim);
    let expected = sim.dump();
    assert!(expected.len() > 300, "sim has {} records", expected.len());

    let r = env.run_as("clerk", USER_PW, &["download", "--terminal", "大门"], &[]);
    ok(&r);
    assert!(
        r.stdout.contains(&format!(
            "read {n} records, {n} new, 0 already stored",
            n = expected.len()
        )),
        "{r:?}"
    );
    assert_eq!(ledger(&env, &[]), expected);

    // Again: nothing new, nothing twice.
    let r = env.run_as("clerk", USER_PW, &["download", "--all", "--quiet"], &[]);
    ok(&r);
    assert!(
        r.stdout.contains(&format!(
            "read {n} records, 0 new, {n} already stored",
            n = expected.len()
        )),
        "{r:?}"
    );
    assert_eq!(ledger(&env, &[]), expected);

    // New punches on the terminal come in on the next download.
    sim.control("add-punch 1001 2026-03-20 08:55:00 15 0");
    sim.control("add-punch 1002 2026-03-20 09:01:00 15 0");
    let expected = sim.dump();
    let r = env.run_as("clerk", USER_PW, &["download", "--terminal", "大门"], &[]);
    ok(&r);
    assert!(r.stdout.contains(", 2 new, "), "{r:?}");
    assert_eq!(ledger(&env, &[]), expected);

    // Filters: one employee, one day (inclusive --to).
    let one: Vec<_> = expected
        .iter()
        .filter(|p| p.0 == "1001" && p.1.starts_with("2026-03-02"))
        .cloned()
        .collect();
    assert!(!one.is_empty());
    assert_eq!(
        ledger(
            &env,
            &[
                "--employee",
                "1001",
                "--from",
                "2026-03-02",
                "--to",
                "2026-03-02",
                "--terminal",
                "大门"
            ]
        ),
        one
    );

    // Three sessions, one row each, with the records counts.
    let r = env.run_as(
        "aud",
        USER_PW,
        &["audit", "sessions", "--terminal", "大门", "--format", "csv"],
        &[],
    );
    ok(&r);
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{r:?}");
    assert!(
        rows.iter()
            .all(|l| l.contains(",download,大门,clerk,hr_clerk,"))
    );
    assert!(rows.iter().all(|l| l.contains(",ok,no,")), "{r:?}");
}

#[test]
fn refusals_name_the_rule_and_only_a_supervisor_may_override() {
    let sim = Sim::start(&["--employees", "5", "--days", "2", "--seed", "3"]);
    let env = setup(&sim);
    // Spacing of 10 minutes: the second connection is refused and says when it is allowed.
    ok(&env.run_as("sup", USER_PW, &["rules", "set", "--spacing", "10"], &[]));
    ok(&env.run_as("clerk", USER_PW, &["download", "--terminal", "大门"], &[]));
    let r = env.run_as("clerk", USER_PW, &["download", "--terminal", "大门"], &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("at least 10 min between connections")
            && r.stderr.contains("the earliest allowed time is"),
        "{r:?}"
    );

    // A clerk may not override (exit 3, audited, nothing sent).
    let r = env.run_as(
        "clerk",
        USER_PW,
        &[
            "download",
            "--terminal",
            "大门",
            "--override",
            "payroll today",
        ],
        &[],
    );
    assert_eq!(r.code, 3, "{r:?}");
    let log = env.admin(&[
        "audit",
        "log",
        "--action",
        "permission.denied",
        "--format",
        "csv",
    ]);
    ok(&log);
    assert!(log.stdout.contains("override_rules"), "{log:?}");

    // The supervisor may, with a reason that is kept with the session.
    let r = env.run_as(
        "sup",
        USER_PW,
        &[
            "download",
            "--terminal",
            "大门",
            "--override",
            "payroll today",
        ],
        &[],
    );
    ok(&r);
    let r = env.run_as(
        "sup",
        USER_PW,
        &["audit", "sessions", "--format", "csv"],
        &[],
    );
    ok(&r);
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{r:?}");
    assert!(rows[1].contains("refused"), "{r:?}");
    assert!(rows[2].contains("payroll today"), "{r:?}");

    // Only a supervisor changes the rules; the change is audited.
    let r = env.run_as("clerk", USER_PW, &["rules", "set", "--spacing", "1"], &[]);
    assert_eq!(r.code, 3, "{r:?}");
    let r = env.run_as("sup", USER_PW, &["rules", "show"], &[]);
    ok(&r);
    assert!(r.stdout.contains("spacing: 10 min"), "{r:?}");
}

#[test]
fn findings_are_listed_and_explained_by_a_supervisor_only() {
    let sim = Sim::start(&["--employees", "5", "--days", "2", "--seed", "3"]);
    let env = setup(&sim);
    sim.control("add-punch 1001 2026-03-02 08:50:00 0 0"); // password
    ok(&env.run_as("clerk", USER_PW, &["download", "--terminal", "大门"], &[]));
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["findings", "--open", "--format", "csv"],
        &[],
    );
    ok(&r);
    let row = r
        .stdout
        .lines()
        .find(|l| l.contains("1001") && l.contains("password"))
        .unwrap_or_else(|| panic!("no password finding for 1001: {r:?}"))
        .to_string();
    let id = row.split(',').next().unwrap_or("").to_string();
    let open_before = r.stdout.lines().count();

    let r = env.run_as(
        "clerk",
        USER_PW,
        &["findings", "explain", &id, "--note", "test"],
        &[],
    );
    assert_eq!(r.code, 3, "{r:?}");
    let r = env.run_as(
        "sup",
        USER_PW,
        &[
            "findings",
            "explain",
            &id,
            "--note",
            "new staff, face not enrolled yet",
        ],
        &[],
    );
    ok(&r);
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["findings", "--open", "--format", "csv"],
        &[],
    );
    ok(&r);
    assert_eq!(r.stdout.lines().count(), open_before - 1, "{r:?}");
    let log = env.admin(&["audit", "log", "--actor", "sup", "--format", "csv"]);
    assert!(
        log.stdout.contains("new staff, face not enrolled yet"),
        "{log:?}"
    );
}

#[test]
fn usb_import_reports_bad_lines_and_dedups_against_the_download() {
    let sim = Sim::start(&["--employees", "5", "--days", "2", "--seed", "3"]);
    let env = setup(&sim);
    ok(&env.run_as("clerk", USER_PW, &["download", "--terminal", "大门"], &[]));
    let before = ledger(&env, &[]);
    // An attlog.dat with one record already stored, one new and one bad line.
    let first = before.first().cloned().expect("a punch");
    let file = env.path("attlog.dat");
    std::fs::write(
        &file,
        format!(
            "{}\t{}\t0\t15\t0\t0\n1003\t2026-04-01 08:40:00\t0\t15\t0\t0\n1004\t2026-02-30 08:00:00\t0\t15\t0\t0\n",
            first.0, first.1
        ),
    )
    .unwrap();
    let r = env.run_as(
        "clerk",
        USER_PW,
        &[
            "import",
            "punches",
            file.to_str().unwrap(),
            "--terminal",
            "大门",
        ],
        &[],
    );
    ok(&r);
    assert!(
        r.stdout
            .contains("2 records read, 1 new, 1 already stored; 1 bad lines"),
        "{r:?}"
    );
    assert!(r.stdout.contains("line 3:"), "{r:?}");
    let after = ledger(&env, &[]);
    assert_eq!(after.len(), before.len() + 1);
    assert!(
        after
            .iter()
            .any(|p| p.0 == "1003" && p.1 == "2026-04-01 08:40:00")
    );
}
