//! End-to-end: the audit log through the binary — failed log-ins recorded, filters, and
//! `audit verify` passing on an honest database and failing (exit 1, naming the entry) after the
//! database is tampered with through raw SQL.

mod cli_common;
use cli_common::*;

fn drop_audit_triggers(db: &std::path::Path) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(db).unwrap();
    let names: Vec<String> = {
        let mut st = c
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'",
            )
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert!(
        !names.is_empty(),
        "the audit log should be protected by triggers"
    );
    for n in names {
        c.execute_batch(&format!("DROP TRIGGER \"{n}\"")).unwrap();
    }
    c
}

#[test]
fn wrong_password_is_audited_and_listed() {
    let env = Env::populated();
    fails(
        &env.run_as("clerk", "not-it", &["employee", "list"], &[]),
        4,
        "log-in failed: the user name or the password is wrong",
    );
    let r = env.admin(&[
        "audit",
        "log",
        "--actor",
        "clerk",
        "--action",
        "login.failed",
        "--format",
        "csv",
    ]);
    ok(&r);
    let rows: Vec<&str> = r.stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 1, "{r:?}");
    assert!(
        rows[0].contains(",clerk,hr_clerk,login.failed,clerk,"),
        "{r:?}"
    );
    assert!(rows[0].contains("wrong password"), "{r:?}");
    assert!(
        !r.stdout.contains("not-it"),
        "the tried password must not be logged"
    );
    // --since filters by date.
    let r = env.admin(&["audit", "log", "--since", "2999-01-01", "--format", "csv"]);
    assert_eq!(r.stdout.lines().count(), 1, "{r:?}");
    fails(
        &env.admin(&["audit", "log", "--since", "2026-13-01"]),
        2,
        "2026-13-01",
    );
}

#[test]
fn verify_passes_then_catches_an_edited_entry() {
    let env = Env::populated();
    let r = env.run_as("aud", USER_PW, &["audit", "verify"], &[]);
    ok(&r);
    assert!(r.stdout.starts_with("Audit log intact:"), "{r:?}");

    let c = drop_audit_triggers(&env.db());
    let changed = c
        .execute(
            "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3",
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
    drop(c);

    let r = env.run_as("aud", USER_PW, &["audit", "verify"], &[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("BROKEN at entry 3"), "{r:?}");
    assert!(
        r.stdout.contains("expected: ") && r.stdout.contains("found: "),
        "{r:?}"
    );
    assert!(r.stderr.contains("broken at entry 3"), "{r:?}");
}

#[test]
fn verify_catches_a_deleted_entry() {
    let env = Env::populated();
    let c = drop_audit_triggers(&env.db());
    c.execute("DELETE FROM audit_log WHERE seq = 5", [])
        .unwrap();
    drop(c);
    let r = env.admin(&["audit", "verify"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("BROKEN at entry 6"), "{r:?}");
    assert!(
        r.stdout.contains("expected: seq 5") && r.stdout.contains("found:    seq 6"),
        "{r:?}"
    );
}

#[test]
fn raw_sql_cannot_quietly_edit_the_audit_log() {
    let env = Env::populated();
    let c = rusqlite::Connection::open(env.db()).unwrap();
    let err = c
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(
        c.execute("DELETE FROM audit_log WHERE seq = 1", [])
            .is_err()
    );
    drop(c);
    ok(&env.admin(&["audit", "verify"]));
}
