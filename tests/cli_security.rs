//! End-to-end: the real `kaoqin` binary — log-in throttling across processes and the one refusal
//! text, `user locks` / `user unlock`, bounds on typed values and rules, the empty --db file,
//! owner-only files, `import punches --dry-run`. (The app tests in `src/app/tests_security.rs`
//! cover the 20-way race on a set clock; here real processes wait for real, so only a few race.)

mod cli_common;
use cli_common::*;

const REFUSED: &str =
    "log-in failed: the user name or the password is wrong, or the account is disabled";

fn last_line_of_stderr(r: &Run) -> String {
    r.stderr.lines().last().unwrap_or_default().to_string()
}

#[test]
fn refusals_read_the_same_and_parallel_guesses_all_count() {
    let env = Env::populated();
    ok(&env.admin(&["user", "disable", "sup"]));
    let unknown = env.run_as("ghost", USER_PW, &["employee", "list"], &[]);
    let wrong = env.run_as("clerk", "not-it", &["employee", "list"], &[]);
    let disabled = env.run_as("sup", USER_PW, &["employee", "list"], &[]);
    for r in [&unknown, &wrong, &disabled] {
        fails(r, 4, REFUSED);
    }
    let texts: Vec<String> = [&unknown, &wrong, &disabled]
        .iter()
        .map(|r| last_line_of_stderr(r))
        .collect();
    assert!(texts.iter().all(|t| *t == texts[0]), "{texts:?}");

    // Three processes guess at once for one unknown name: all three are counted (each waits for
    // the ones before it: 1 s and 1+2 s after the first, which follows ghost's earlier failure).
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..3)
            .map(|_| s.spawn(|| env.run_as("ghost", "guess", &["employee", "list"], &[])))
            .collect();
        for h in hs {
            let r = h.join().expect("thread");
            fails(&r, 4, REFUSED);
        }
    });
    let r = env.admin(&["user", "locks", "--format", "csv"]);
    ok(&r);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("name,kind,failures,last_attempt,next_attempt"),
        "{r:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("ghost,unknown name,4,")),
        "{r:?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("clerk,user,1,")),
        "{r:?}"
    );
    assert!(lines.iter().any(|l| l.starts_with("sup,user,1,")), "{r:?}");
}

#[test]
fn an_administrator_clears_a_lock_and_it_is_audited() {
    let env = Env::populated();
    fails(
        &env.run_as("clerk", "not-it", &["employee", "list"], &[]),
        4,
        REFUSED,
    );
    // Only the administrator sees and clears locks.
    fails(
        &env.run_as("sup", USER_PW, &["user", "locks"], &[]),
        3,
        "permission denied",
    );
    fails(
        &env.run_as("sup", USER_PW, &["user", "unlock", "clerk"], &[]),
        3,
        "permission denied",
    );
    let r = env.admin(&["user", "unlock", "clerk"]);
    ok(&r);
    assert!(
        r.stdout.contains("Cleared 1 failed log-in(s) of clerk"),
        "{r:?}"
    );
    let r = env.admin(&["user", "locks", "--format", "csv"]);
    ok(&r);
    assert!(!r.stdout.contains("clerk"), "{r:?}");
    fails(
        &env.admin(&["user", "unlock", "clerk"]),
        1,
        "no failed log-ins are recorded for 'clerk'",
    );
    let r = env.admin(&["audit", "log", "--action", "user.unlock", "--format", "csv"]);
    ok(&r);
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{r:?}");
    assert!(rows[0].contains(",root,admin,user.unlock,clerk,"), "{r:?}");
    ok(&env.run_as("clerk", USER_PW, &["employee", "list"], &[]));
}

#[test]
fn names_with_line_breaks_or_direction_overrides_and_short_time_limits_are_refused() {
    let env = Env::populated();
    fails(
        &env.admin(&["department", "add", "财务\n处"]),
        1,
        "invalid department name: it contains a line break",
    );
    fails(
        &env.admin(&["department", "add", "abc\u{202E}fed"]),
        1,
        "invalid department name: it contains the invisible direction mark U+202E",
    );
    fails(
        &env.run_as(
            "root",
            ADMIN_PW,
            &["user", "add", "--name", "x\u{2066}y", "--role", "hr_clerk"],
            &[("KAOQIN_NEW_PASSWORD", USER_PW)],
        ),
        1,
        "invalid user name",
    );
    let r = env.admin(&["department", "list", "--format", "csv"]);
    assert!(!r.stdout.contains("fed"), "{r:?}");
    fails(
        &env.run_as("sup", USER_PW, &["rules", "set", "--time-limit", "5"], &[]),
        1,
        "invalid time limit: 5 s is outside the allowed 30–600 s",
    );
    ok(&env.run_as("sup", USER_PW, &["rules", "set", "--time-limit", "30"], &[]));
}

#[test]
fn an_empty_db_file_is_refused_unless_init() {
    let env = Env::new();
    std::fs::write(env.db(), b"").unwrap();
    let r = env.run_as("root", ADMIN_PW, &["employee", "list"], &[]);
    fails(&r, 1, "is an empty file, not a Kaoqin database");
    assert!(
        r.stderr.contains("kaoqin.db") && r.stderr.contains("kaoqin init"),
        "{r:?}"
    );
    assert_eq!(
        std::fs::metadata(env.db()).unwrap().len(),
        0,
        "left untouched"
    );
    ok(&env.init());
    ok(&env.admin(&["employee", "list"]));
}

#[cfg(unix)]
#[test]
fn the_database_backups_and_logs_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    ok(&env.init());
    fails(
        &env.run_as("ghost", "x", &["employee", "list"], &[]),
        4,
        REFUSED,
    );
    let backup = env.path("backup.db");
    ok(&env.admin(&["backup", backup.to_str().unwrap()]));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut files = vec![env.db(), env.path("kaoqin.db.logins"), backup];
    for e in std::fs::read_dir(env.dir.path().join("data/logs"))
        .unwrap()
        .flatten()
    {
        files.push(e.path());
    }
    for p in &files {
        assert_eq!(mode(p), 0o600, "{}", p.display());
    }
    assert_eq!(mode(&env.dir.path().join("data/logs")), 0o700);
}
