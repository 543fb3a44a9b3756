//! End-to-end: the real `kaoqin` binary on a temp database — init, users of each role,
//! departments, employees, terminals, listings, bad input with its exit codes and messages.

mod cli_common;
use cli_common::*;

#[test]
fn init_creates_once_and_needs_a_password() {
    let env = Env::new();
    let r = env.init();
    ok(&r);
    assert!(r.stdout.contains("测试单位") && env.db().is_file(), "{r:?}");
    // Refuses to overwrite.
    fails(&env.init(), 1, "already holds a Kaoqin database");
    // No password and no terminal: a clear error, nothing created.
    let other = Env::new();
    let r = other.raw(&["init", "--org", "x", "--admin", "root"], &[]);
    fails(&r, 1, "KAOQIN_PASSWORD");
    assert!(!other.db().exists());
    let r = other.raw(
        &["init", "--org", "x", "--admin", "root"],
        &[("KAOQIN_PASSWORD", "123")],
    );
    fails(&r, 1, "invalid password");
    assert!(!other.db().exists());
}

#[test]
fn every_role_can_be_added_and_listed() {
    let env = Env::populated();
    let r = env.admin(&["user", "list", "--format", "csv"]);
    ok(&r);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("name,role,status,failed_logins,created")
    );
    let users: Vec<(String, String)> = lines
        .iter()
        .skip(1)
        .map(|l| {
            let mut it = l.split(',');
            (
                it.next().unwrap_or("").to_string(),
                it.next().unwrap_or("").to_string(),
            )
        })
        .collect();
    for (name, role) in [
        ("root", "admin"),
        ("sup", "supervisor"),
        ("clerk", "hr_clerk"),
        ("aud", "auditor"),
    ] {
        assert!(
            users.contains(&(name.to_string(), role.to_string())),
            "{name}: {r:?}"
        );
    }
    // The new users can log in with their own password.
    ok(&env.run_as("clerk", USER_PW, &["employee", "list"], &[]));
}

#[test]
fn unknown_role_and_duplicate_user_are_refused() {
    let env = Env::populated();
    let r = env.run_as(
        "root",
        ADMIN_PW,
        &["user", "add", "--name", "x", "--role", "boss"],
        &[("KAOQIN_NEW_PASSWORD", USER_PW)],
    );
    fails(&r, 2, "unknown role 'boss'");
    let r = env.run_as(
        "root",
        ADMIN_PW,
        &["user", "add", "--name", "sup", "--role", "auditor"],
        &[("KAOQIN_NEW_PASSWORD", USER_PW)],
    );
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stderr.contains("cannot add user 'sup'") && r.stderr.contains("already exists"),
        "{r:?}"
    );
}

#[test]
fn departments_and_employees_round_trip() {
    let env = Env::populated();
    ok(&env.admin(&["department", "add", "财务处", "--parent", "办公室"]));
    let r = env.admin(&["department", "list"]);
    ok(&r);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("  财务处 ") && l.ends_with(" 办公室")),
        "{r:?}"
    );
    ok(&env.run_as(
        "clerk",
        USER_PW,
        &[
            "employee",
            "add",
            "--no",
            "1002",
            "--name",
            "李四",
            "--department",
            "财务处",
            "--hired",
            "2026-03-01",
            "--position",
            "科员",
            "--card",
            "88",
        ],
        &[],
    ));
    ok(&env.run_as(
        "clerk",
        USER_PW,
        &["employee", "update", "--no", "1002", "--name", "李四四"],
        &[],
    ));
    let r = env.run_as(
        "clerk",
        USER_PW,
        &[
            "employee",
            "list",
            "--department",
            "财务处",
            "--format",
            "csv",
        ],
        &[],
    );
    ok(&r);
    assert_eq!(
        r.stdout,
        "no,name,department,position,hired,left,card,status\n1002,李四四,财务处,科员,2026-03-01,,88,active\n"
    );
    ok(&env.run_as(
        "clerk",
        USER_PW,
        &[
            "employee",
            "deactivate",
            "--no",
            "1002",
            "--left",
            "2026-06-30",
        ],
        &[],
    ));
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["employee", "list", "--format", "csv"],
        &[],
    );
    assert!(!r.stdout.contains("1002"), "{r:?}");
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["employee", "list", "--all", "--format", "csv"],
        &[],
    );
    assert!(
        r.stdout
            .contains("1002,李四四,财务处,科员,2026-03-01,2026-06-30,88,left"),
        "{r:?}"
    );
    // The table form lines up Chinese names.
    let r = env.run_as("clerk", USER_PW, &["employee", "list"], &[]);
    ok(&r);
    assert!(
        r.stdout
            .lines()
            .nth(2)
            .is_some_and(|l| l.starts_with("1001  张三")),
        "{r:?}"
    );
}

#[test]
fn bad_employee_input_names_the_field_and_writes_nothing() {
    let env = Env::populated();
    let add = |extra: &[&str]| {
        let mut args = vec!["employee", "add"];
        args.extend_from_slice(extra);
        env.run_as("clerk", USER_PW, &args, &[])
    };
    fails(
        &add(&["--no", "1001", "--name", "王五", "--department", "办公室"]),
        1,
        "工号 (enrollment number) '1001' already exists",
    );
    fails(
        &add(&["--no", "1003", "--name", "王五", "--department", "没有的处"]),
        1,
        "no department named '没有的处'",
    );
    fails(
        &add(&["--no", "1003", "--name", "  ", "--department", "办公室"]),
        1,
        "invalid name",
    );
    fails(
        &add(&[
            "--no",
            "1003",
            "--name",
            "王五",
            "--department",
            "办公室",
            "--hired",
            "2026-02-30",
        ]),
        2,
        "'2026-02-30' is not a real calendar date",
    );
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["employee", "update", "--no", "1001", "--left", "2024-12-31"],
        &[],
    );
    fails(
        &r,
        1,
        "invalid leave date: 2024-12-31 is before the hire date 2025-01-06",
    );
    fails(
        &env.run_as(
            "clerk",
            USER_PW,
            &["employee", "update", "--no", "9999", "--name", "x"],
            &[],
        ),
        1,
        "9999",
    );
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["employee", "list", "--all", "--format", "csv"],
        &[],
    );
    assert_eq!(
        r.stdout.lines().count(),
        2,
        "only the header and 1001: {r:?}"
    );
    assert!(
        r.stdout.contains("1001,张三,办公室,,2025-01-06,,,active"),
        "{r:?}"
    );
}

#[test]
fn terminals_add_list_update_remove() {
    let env = Env::populated();
    let secret = [("KAOQIN_TERMINAL_SECRET", "12345")];
    ok(&env.run_as(
        "root",
        ADMIN_PW,
        &[
            "terminal",
            "add",
            "--name",
            "大门",
            "--kind",
            "zk-tcp",
            "--address",
            "192.168.1.201:4370",
            "--location",
            "一楼",
        ],
        &secret,
    ));
    ok(&env.run_as(
        "sup",
        USER_PW,
        &[
            "terminal",
            "add",
            "--name",
            "串口",
            "--kind",
            "zk-serial",
            "--address",
            "/dev/ttyUSB0",
            "--baud",
            "9600",
            "--machine",
            "2",
            "--encoding",
            "utf8",
        ],
        &[("KAOQIN_TERMINAL_SECRET", "")],
    ));
    ok(&env.run_as(
        "root",
        ADMIN_PW,
        &[
            "terminal",
            "add",
            "--name",
            "海康",
            "--kind",
            "isapi",
            "--address",
            "http://192.168.1.64",
        ],
        &[("KAOQIN_TERMINAL_SECRET", "admin12345")],
    ));
    let r = env.admin(&["terminal", "list", "--format", "csv"]);
    ok(&r);
    assert_eq!(
        r.stdout,
        "name,kind,address,baud,machine,encoding,location,serial,comm_key,last_contact\n\
         串口,zk-serial,/dev/ttyUSB0,9600,2,utf8,,,no,\n\
         大门,zk-tcp,192.168.1.201:4370,,1,gbk,一楼,,yes,\n\
         海康,isapi,http://192.168.1.64,,1,gbk,,,yes,\n"
    );
    ok(&env.admin(&["terminal", "update", "大门", "--address", "10.0.0.2:4370"]));
    ok(&env.admin(&["terminal", "remove", "串口"]));
    let r = env.admin(&["terminal", "list", "--format", "csv"]);
    assert!(
        r.stdout.contains("大门,zk-tcp,10.0.0.2:4370") && !r.stdout.contains("串口"),
        "{r:?}"
    );
    // Bad addresses and duplicates.
    let r = env.run_as(
        "root",
        ADMIN_PW,
        &[
            "terminal",
            "add",
            "--name",
            "x",
            "--kind",
            "isapi",
            "--address",
            "192.168.1.9",
        ],
        &secret,
    );
    fails(&r, 1, "invalid address");
    let r = env.run_as(
        "root",
        ADMIN_PW,
        &[
            "terminal",
            "add",
            "--name",
            "大门",
            "--kind",
            "zk-udp",
            "--address",
            "1.2.3.4:4370",
        ],
        &secret,
    );
    fails(&r, 1, "terminal '大门' already exists");
    fails(
        &env.raw(
            &[
                "terminal",
                "add",
                "--name",
                "x",
                "--kind",
                "telnet",
                "--address",
                "a",
            ],
            &[],
        ),
        2,
        "telnet",
    );
    // The secret is in the database only sealed.
    let bytes = std::fs::read(env.db()).unwrap_or_default();
    let wal = std::fs::read(env.path("kaoqin.db-wal")).unwrap_or_default();
    for hay in [&bytes, &wal] {
        assert!(
            !hay.windows(10).any(|w| w == b"admin12345"),
            "secret stored in plain text"
        );
    }
}

#[test]
fn a_zk_comm_key_is_checked_when_stored_and_a_bad_one_stores_nothing() {
    let env = Env::populated();
    let add = |secret: &str| {
        env.run_as(
            "root",
            ADMIN_PW,
            &[
                "terminal",
                "add",
                "--name",
                "大门",
                "--kind",
                "zk-tcp",
                "--address",
                "192.168.1.201:4370",
            ],
            &[("KAOQIN_TERMINAL_SECRET", secret)],
        )
    };
    let listing = || env.admin(&["terminal", "list", "--format", "csv"]).stdout;
    let before = listing();
    for (secret, why) in [
        ("1000000", "the comm key is larger than 999999"),
        ("abc", "the comm key is not a number"),
    ] {
        let r = add(secret);
        fails(&r, 1, "invalid comm key");
        assert!(r.stderr.contains(why), "{secret}: {r:?}");
        assert!(
            !r.stderr.contains(&format!("'{secret}'")),
            "the secret is not repeated: {r:?}"
        );
        assert_eq!(listing(), before, "nothing stored for {secret}");
    }
    let audit = env.admin(&[
        "audit",
        "log",
        "--action",
        "terminal.add",
        "--format",
        "csv",
    ]);
    assert_eq!(
        audit.stdout.lines().count(),
        1,
        "no terminal.add: {audit:?}"
    );
    // A good key is stored; replacing it with a bad one is refused and keeps it.
    ok(&add("999999"));
    let update = |secret: &str| {
        env.run_as(
            "root",
            ADMIN_PW,
            &["terminal", "update", "大门", "--secret"],
            &[("KAOQIN_TERMINAL_SECRET", secret)],
        )
    };
    fails(&update("1000000"), 1, "invalid comm key");
    fails(&update("12ab"), 1, "the comm key is not a number");
    assert!(listing().contains("大门,zk-tcp,192.168.1.201:4370,,1,gbk,,,yes,"));
    let audit = env.admin(&[
        "audit",
        "log",
        "--action",
        "terminal.update",
        "--format",
        "csv",
    ]);
    assert_eq!(
        audit.stdout.lines().count(),
        1,
        "no terminal.update: {audit:?}"
    );
    ok(&update(""));
    assert!(listing().contains("大门,zk-tcp,192.168.1.201:4370,,1,gbk,,,no,"));
}

#[test]
fn a_terminal_password_the_keypad_cannot_type_is_refused_before_connecting() {
    let env = Env::populated();
    ok(&env.run_as(
        "root",
        ADMIN_PW,
        &[
            "terminal",
            "add",
            "--name",
            "大门",
            "--kind",
            "zk-tcp",
            "--address",
            "127.0.0.1:9",
        ],
        &[("KAOQIN_TERMINAL_SECRET", "")],
    ));
    for (command, password, why) in [
        (
            "password",
            "12a4",
            "a terminal password has digits 0–9 only",
        ),
        (
            "password",
            "123",
            "a terminal password is 4 to 8 digits long",
        ),
        (
            "handover",
            "123456789",
            "a terminal password is 4 to 8 digits long",
        ),
    ] {
        let mut args = vec!["device", command, "--terminal", "大门"];
        if command == "handover" {
            args.extend(["--days", "2"]);
        }
        let r = env.run_as("sup", USER_PW, &args, &[("KAOQIN_NEW_PASSWORD", password)]);
        fails(&r, 1, "invalid terminal password");
        assert!(r.stderr.contains(why), "{password}: {r:?}");
        assert!(
            !r.stderr.contains(password),
            "the password is not repeated: {r:?}"
        );
    }
    // Nothing was tried: no session, no device entry in the audit log.
    let r = env.admin(&["audit", "sessions", "--format", "csv"]);
    assert_eq!(r.stdout.lines().count(), 1, "{r:?}");
    let r = env.admin(&["audit", "log", "--format", "csv"]);
    assert!(!r.stdout.contains(",device."), "{r:?}");
}

#[test]
fn roles_are_enforced_with_exit_code_3() {
    let env = Env::populated();
    let r = env.run_as(
        "clerk",
        USER_PW,
        &["user", "add", "--name", "x", "--role", "admin"],
        &[("KAOQIN_NEW_PASSWORD", USER_PW)],
    );
    fails(&r, 3, "permission denied: the hr_clerk role may not");
    let r = env.run_as(
        "aud",
        USER_PW,
        &[
            "employee",
            "add",
            "--no",
            "7",
            "--name",
            "x",
            "--department",
            "办公室",
        ],
        &[],
    );
    fails(&r, 3, "permission denied: the auditor role may not");
    fails(
        &env.run_as(
            "sup",
            USER_PW,
            &["backup", env.path("b.db").to_str().unwrap_or("b.db")],
            &[],
        ),
        3,
        "permission denied",
    );
    fails(
        &env.run_as("clerk", USER_PW, &["audit", "log"], &[]),
        3,
        "permission denied",
    );
    // Each refusal is in the log, with the would-be action.
    let r = env.admin(&[
        "audit",
        "log",
        "--action",
        "permission.denied",
        "--format",
        "csv",
    ]);
    ok(&r);
    assert_eq!(r.stdout.lines().count(), 5, "{r:?}");
    assert!(
        r.stdout.contains("aud,auditor,permission.denied,7,"),
        "{r:?}"
    );
}

#[test]
fn authentication_failures_exit_4() {
    let env = Env::populated();
    fails(
        &env.run_as("clerk", "wrong-password", &["employee", "list"], &[]),
        4,
        "log-in failed: the user name or the password is wrong, or the account is disabled",
    );
    fails(
        &env.run_as("ghost", USER_PW, &["employee", "list"], &[]),
        4,
        "log-in failed: the user name or the password is wrong, or the account is disabled",
    );
    fails(
        &env.raw(&["employee", "list"], &[("KAOQIN_PASSWORD", USER_PW)]),
        4,
        "--user NAME",
    );
    ok(&env.admin(&["user", "disable", "clerk"]));
    fails(
        &env.run_as("clerk", USER_PW, &["employee", "list"], &[]),
        4,
        "log-in failed: the user name or the password is wrong, or the account is disabled",
    );
    // Password change takes effect.
    ok(&env.run_as(
        "root",
        ADMIN_PW,
        &["user", "passwd", "sup"],
        &[("KAOQIN_NEW_PASSWORD", "fresh-pw-3")],
    ));
    fails(
        &env.run_as("sup", USER_PW, &["employee", "list"], &[]),
        4,
        "log-in failed: the user name or the password is wrong",
    );
    ok(&env.run_as("sup", "fresh-pw-3", &["employee", "list"], &[]));
}

#[test]
fn files_that_are_not_ours_are_refused() {
    let env = Env::new();
    std::fs::write(env.db(), b"this is a spreadsheet, not a database").unwrap();
    let r = env.run_as("root", ADMIN_PW, &["employee", "list"], &[]);
    fails(&r, 1, "is not a Kaoqin database");
    assert_eq!(
        std::fs::read(env.db()).unwrap(),
        b"this is a spreadsheet, not a database"
    );
    // Another program's SQLite file.
    let other = Env::new();
    {
        let c = rusqlite::Connection::open(other.db()).unwrap();
        c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    fails(
        &other.run_as("root", ADMIN_PW, &["employee", "list"], &[]),
        1,
        "is not a Kaoqin database",
    );
    // No database at all.
    let none = Env::new();
    fails(
        &none.run_as("root", ADMIN_PW, &["employee", "list"], &[]),
        1,
        "kaoqin init",
    );
    assert!(!none.db().exists());
}

#[test]
fn help_documents_exit_codes_and_permissions_print() {
    let env = Env::new();
    let r = env.raw(&["--help"], &[]);
    ok(&r);
    for needle in [
        "3  permission denied",
        "4  authentication failed",
        "KAOQIN_PASSWORD",
    ] {
        assert!(r.stdout.contains(needle), "{needle}: {r:?}");
    }
    let r = env.raw(&["permissions"], &[]);
    ok(&r);
    assert!(
        r.stdout
            .starts_with("| action | what it covers | admin | supervisor | hr_clerk | auditor |"),
        "{r:?}"
    );
    fails(&env.raw(&["frobnicate"], &[]), 2, "frobnicate");
}

#[test]
fn users_can_be_re_enabled_and_re_roled() {
    let env = Env::populated();
    ok(&env.admin(&["user", "disable", "aud"]));
    fails(
        &env.run_as("aud", USER_PW, &["audit", "verify"], &[]),
        4,
        "disabled",
    );
    ok(&env.admin(&["user", "enable", "aud"]));
    ok(&env.admin(&["user", "role", "aud", "--role", "hr_clerk"]));
    ok(&env.run_as(
        "aud",
        USER_PW,
        &[
            "employee",
            "add",
            "--no",
            "1005",
            "--name",
            "钱七",
            "--department",
            "办公室",
        ],
        &[],
    ));
    // The last administrator keeps the role.
    fails(
        &env.admin(&["user", "role", "root", "--role", "auditor"]),
        1,
        "last administrator",
    );
    let r = env.admin(&["audit", "log", "--action", "user.role", "--format", "csv"]);
    assert!(
        r.stdout
            .contains(r#"{""from"":""auditor"",""to"":""hr_clerk""}"#),
        "{r:?}"
    );
}
