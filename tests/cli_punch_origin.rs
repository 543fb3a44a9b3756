//! End-to-end through the real `kaoqin` binary: a terminal that is never on the network is registered
//! with `--serial` and its `attlog.dat` imported, punches list their origin; a hand-made CSV with an
//! invented serial and face verification is refused (nothing stored); `--allow-unregistered` is refused
//! for the clerk (exit 3) and accepted for the supervisor, with a finding.

mod cli_common;
use cli_common::*;

fn clerk(env: &Env, args: &[&str]) -> Run {
    env.run_as("clerk", USER_PW, args, &[])
}

fn sup(env: &Env, args: &[&str]) -> Run {
    env.run_as("sup", USER_PW, args, &[])
}

/// `punches list` (table) rows for 1001, as (time, origin) pairs, plus the whole output.
fn listed(env: &Env) -> (Vec<(String, String)>, String) {
    let r = clerk(env, &["punches", "list", "--employee", "1001"]);
    ok(&r);
    let mut lines = r.stdout.lines();
    let head = lines.next().unwrap_or_default();
    assert!(head.contains("origin"), "{r:?}");
    let rows = lines
        .filter(|l| l.contains("1001"))
        .map(|l| {
            let time = l
                .split_whitespace()
                .skip_while(|w| !w.starts_with("2026-"))
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            let origin = if l.contains("usb import") {
                "usb import"
            } else if l.contains("csv import") {
                "csv import"
            } else if l.contains("download") {
                "download"
            } else {
                "?"
            };
            (time, origin.to_string())
        })
        .collect();
    (rows, r.stdout)
}

fn punch_count(env: &Env) -> usize {
    let r = clerk(env, &["punches", "list", "--format", "csv"]);
    ok(&r);
    r.stdout.lines().count().saturating_sub(1)
}

/// A USB-only site: the terminal registered with its serial, one attlog.dat imported.
fn usb_site() -> Env {
    let env = Env::populated();
    let r = env.run_as(
        "sup",
        USER_PW,
        &[
            "terminal",
            "add",
            "--name",
            "后门",
            "--kind",
            "zk-tcp",
            "--address",
            "192.168.1.202",
            "--serial",
            "CKUSB0042",
        ],
        &[("KAOQIN_TERMINAL_SECRET", "")],
    );
    ok(&r);
    assert!(r.stdout.contains("serial CKUSB0042"), "{r:?}");
    let file = env.path("attlog.dat");
    std::fs::write(
        &file,
        "     1001\t2026-03-02 08:41:07\t0\t15\t0\t0\r\n     1001\t2026-03-02 17:35:12\t1\t15\t0\t0\r\n",
    )
    .unwrap();
    let r = clerk(
        &env,
        &[
            "import",
            "punches",
            file.to_str().unwrap(),
            "--terminal",
            "后门",
        ],
    );
    ok(&r);
    assert!(
        r.stdout.contains("2 records read, 2 new, 0 already stored"),
        "{r:?}"
    );
    env
}

#[test]
fn usb_only_terminal_imports_its_attlog_and_punches_show_usb_import() {
    let env = usb_site();
    let (rows, out) = listed(&env);
    assert_eq!(
        rows,
        vec![
            ("2026-03-02 08:41:07".into(), "usb import".into()),
            ("2026-03-02 17:35:12".into(), "usb import".into()),
        ],
        "{out}"
    );
    assert!(out.contains("CKUSB0042"), "{out}");
    let r = clerk(&env, &["terminal", "list", "--format", "csv"]);
    ok(&r);
    assert!(r.stdout.contains("CKUSB0042"), "{r:?}");
}

#[test]
fn a_never_connected_terminal_without_serial_gets_it_on_the_import_command() {
    let env = Env::populated();
    ok(&env.run_as(
        "sup",
        USER_PW,
        &[
            "terminal",
            "add",
            "--name",
            "仓库",
            "--kind",
            "zk-tcp",
            "--address",
            "192.168.1.203",
        ],
        &[("KAOQIN_TERMINAL_SECRET", "")],
    ));
    let file = env.path("attlog.dat");
    std::fs::write(&file, "1001\t2026-03-03 08:30:00\t0\t15\t0\t0\n").unwrap();
    let path = file.to_str().unwrap();
    let r = clerk(&env, &["import", "punches", path, "--terminal", "仓库"]);
    fails(&r, 1, "has no serial number yet");
    assert!(r.stderr.contains("--serial SN"), "{r:?}");
    assert_eq!(punch_count(&env), 0);
    let r = clerk(
        &env,
        &[
            "import",
            "punches",
            path,
            "--terminal",
            "仓库",
            "--serial",
            "CKWH0001",
        ],
    );
    ok(&r);
    let (rows, out) = listed(&env);
    assert_eq!(
        rows,
        vec![("2026-03-03 08:30:00".into(), "usb import".into())],
        "{out}"
    );
    let log = env.admin(&[
        "audit",
        "log",
        "--action",
        "terminal.serial",
        "--format",
        "csv",
    ]);
    ok(&log);
    assert!(
        log.stdout.contains("CKWH0001") && log.stdout.contains("仓库"),
        "{log:?}"
    );
}

#[test]
fn an_invented_serial_csv_is_refused_and_only_a_supervisor_may_allow_it() {
    let env = usb_site();
    // Hand-made: 1001 "attended" 3 March by face on a terminal nobody registered.
    let csv = env.path("made-up.csv");
    std::fs::write(
        &csv,
        "terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session\n\
         CKUSB0042,1001,2026-03-03 08:40:00,15,0,\n\
         FAKE-777,1001,2026-03-04 08:40:00,15,0,\n\
         FAKE-777,1001,2026-03-04 18:00:00,15,1,\n",
    )
    .unwrap();
    let path = csv.to_str().unwrap();
    let before = punch_count(&env);

    let r = clerk(&env, &["import", "punches", path]);
    fails(
        &r,
        1,
        "line 3: terminal serial FAKE-777 is not a registered terminal",
    );
    assert!(
        r.stderr.contains("line 4: terminal serial FAKE-777"),
        "{r:?}"
    );
    assert!(r.stderr.contains("nothing was imported"), "{r:?}");
    assert!(r.stderr.contains("--allow-unregistered"), "{r:?}");
    assert_eq!(punch_count(&env), before, "nothing stored, not even line 2");

    // The clerk may not allow it: a permission refusal.
    let r = clerk(&env, &["import", "punches", path, "--allow-unregistered"]);
    fails(&r, 3, "import_unregistered");
    assert_eq!(punch_count(&env), before);

    // The supervisor may: stored as CSV imports, with an unregistered-terminal finding.
    let r = sup(&env, &["import", "punches", path, "--allow-unregistered"]);
    ok(&r);
    assert!(r.stdout.contains("3 records read, 3 new"), "{r:?}");
    assert!(
        r.stdout.contains("finding (FAKE-777)") && r.stdout.contains("not a registered terminal"),
        "{r:?}"
    );
    assert_eq!(punch_count(&env), before + 3);
    let (rows, out) = listed(&env);
    assert!(
        rows.contains(&("2026-03-04 08:40:00".into(), "csv import".into()))
            && rows.contains(&("2026-03-03 08:40:00".into(), "csv import".into()))
            && rows.contains(&("2026-03-02 08:41:07".into(), "usb import".into())),
        "{out}"
    );
    let r = sup(&env, &["findings", "--open", "--format", "csv"]);
    ok(&r);
    assert!(r.stdout.contains("unregistered-terminal"), "{r:?}");
    let log = env.admin(&["audit", "log", "--format", "csv"]);
    assert!(
        log.stdout.contains("import_unregistered"),
        "the clerk's refusal is audited: {log:?}"
    );
}
