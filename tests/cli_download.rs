//! End-to-end: `kaoqin download` against the REAL simulator over loopback, then `punches list
//! --format csv` compared with the simulator's own dump; a second download stores nothing new;
//! refusals name their rule, print the earliest allowed time and are recorded as sessions with
//! their audit entries: a peak window at 08:20 (the binary run at that time with libfaketime,
//! Linux only) until a supervisor overrides it with a reason, and spacing, which a clerk may not
//! override; USB import with a bad line; findings explained by a supervisor; rules changes audited.
//!
//! The simulator binary: `$KAOQIN_SIM_BIN`, else `<workspace>/target/debug/kaoqin-sim`, built with
//! `cargo build -p kaoqin-sim` when missing.
//! Linux only: the simulator and the `kaoqin` runs share a clock through libfaketime (the
//! one-minute spacing between connections, `cli_sim::setup`).
#![cfg(target_os = "linux")]

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

/// CSV output as one map per row, keyed by the header.
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().expect("csv header").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("csv row");
            header
                .iter()
                .zip(rec.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The `kaoqin` binary reads the PC's clock (src/cli/run.rs), so the test sets that clock for the
/// commands that must run at a set time: 08:20 on Wednesday 2026-11-25, inside the sign-in window
/// 08:15–09:00 of a session due at 09:00 with 45 minutes kept clear before it (docs/domain.md §2.3).
#[cfg(target_os = "linux")]
#[test]
fn a_download_in_a_peak_window_is_refused_until_a_supervisor_overrides_with_a_reason() {
    let sim = Sim::start(&["--employees", "5", "--days", "2", "--seed", "3"]);
    let env = setup(&sim);
    // One session 09:00–17:30, 45 minutes before sign-in and after sign-out kept clear, no shift
    // windows (none are assigned anyway): windows 08:15–09:00 and 17:30–18:15.
    ok(&env.run_as(
        "sup",
        USER_PW,
        &[
            "rules",
            "set",
            "--session",
            "09:00-17:30",
            "--margin-before",
            "45",
            "--margin-after",
            "45",
            "--follow-schedules",
            "no",
        ],
        &[],
    ));

    let r = env.run_as_at(
        "clerk",
        USER_PW,
        &["download", "--terminal", "大门"],
        "2026-11-25 08:20:00",
    );
    assert_eq!(r.code, 1, "a refusal is an error exit: {r:?}");
    let rule = "peak window (session 1 sign-in) 08:15–09:00";
    let next = "the earliest allowed time is 2026-11-25 09:00:00";
    assert!(
        r.stderr.contains(rule) && r.stderr.contains(next),
        "expected {rule:?} and {next:?}: {r:?}"
    );

    // Nothing was downloaded: the simulator sent no chunk and the ledger is empty.
    assert_eq!(sim.status("chunks_sent"), "0");
    assert!(ledger(&env, &[]).is_empty());
    // The refusal is a session row and an audit entry naming the rule and the time.
    let r = env.run_as(
        "sup",
        USER_PW,
        &["audit", "sessions", "--format", "csv"],
        &[],
    );
    ok(&r);
    let rows = csv_rows(&r.stdout);
    assert_eq!(rows.len(), 1, "{r:?}");
    assert_eq!(rows[0]["result"], "refused", "{r:?}");
    assert_eq!(rows[0]["actor"], "clerk", "{r:?}");
    assert_eq!(rows[0]["records_read"], "0", "{r:?}");
    assert!(rows[0]["error"].contains(rule), "{r:?}");
    let log = env.run_as(
        "sup",
        USER_PW,
        &[
            "audit",
            "log",
            "--action",
            "download.refused",
            "--format",
            "csv",
        ],
        &[],
    );
    ok(&log);
    let entries = csv_rows(&log.stdout);
    assert_eq!(entries.len(), 1, "{log:?}");
    assert_eq!(entries[0]["actor"], "clerk", "{log:?}");
    let details: serde_json::Value =
        serde_json::from_str(&entries[0]["details"]).expect("details are JSON");
    assert_eq!(details["rule"], "peak_window", "{details}");
    assert_eq!(
        details["earliest_allowed_at"], "2026-11-25 09:00:00",
        "{details}"
    );

    // The supervisor overrides with a reason: the download goes ahead, the reason is kept with
    // the session and the overridden rule with its audit entry.
    let reason = "payroll closes at noon";
    // Each run starts its own clock at the set time, so the override comes five minutes later
    // (still in the window) to keep the two sessions in the order they happened.
    let r = env.run_as_at(
        "sup",
        USER_PW,
        &["download", "--terminal", "大门", "--override", reason],
        "2026-11-25 08:25:00",
    );
    ok(&r);
    assert_eq!(ledger(&env, &[]), sim.dump());
    let r = env.run_as(
        "sup",
        USER_PW,
        &["audit", "sessions", "--format", "csv"],
        &[],
    );
    ok(&r);
    let rows = csv_rows(&r.stdout);
    assert_eq!(rows.len(), 2, "{r:?}");
    assert_eq!(
        (rows[1]["result"].as_str(), rows[1]["actor"].as_str()),
        ("ok", "sup"),
        "{r:?}"
    );
    assert_eq!(rows[1]["override_reason"], reason, "{r:?}");
    let log = env.run_as(
        "sup",
        USER_PW,
        &[
            "audit",
            "log",
            "--action",
            "download.start",
            "--format",
            "csv",
        ],
        &[],
    );
    ok(&log);
    let entries = csv_rows(&log.stdout);
    assert_eq!(entries.len(), 1, "{log:?}");
    let details: serde_json::Value =
        serde_json::from_str(&entries[0]["details"]).expect("details are JSON");
    assert_eq!(details["override"]["rule"], "peak_window", "{details}");
    assert_eq!(details["override"]["reason"], reason, "{details}");
    ok(&env.admin(&["audit", "verify"]));
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
