//! The evidence chain against someone holding the database file: each attack first, through raw
//! SQL on the file as the sqlite3 shell would, then what catches it. Real SQLite only.

mod common;

use common::{entry, punch, session, t};
use kaoqin_store::evidence::{self, Anchor, AnchorStatus, SourcedAnchor};
use kaoqin_store::{Role, Store, audit, backup, punches, users};
use serde_json::json;

/// A database with one hashed download batch (4 punches) recorded in the chain, plus 5 entries.
fn ledger() -> (tempfile::TempDir, std::path::PathBuf, Store, i64) {
    let (dir, path, mut store) = common::fresh();
    let tx = store.transaction().unwrap();
    let s = session(&tx, "大门");
    let batch = [
        punch("1001", "2026-11-02 08:51:07"),
        punch("1002", "2026-11-02 08:52:00"),
        punch("1001", "2026-11-02 17:40:00"),
        punch("1003", "2026-11-03 08:40:00"),
    ];
    punches::insert_batch(&tx, s, "SN-A", t("2026-11-25 10:01:00"), &batch).unwrap();
    let h = evidence::batch_hash(
        &tx,
        s,
        "SN-A",
        Some((t("2026-11-02 08:51:07"), t("2026-11-03 08:40:00"))),
    )
    .unwrap();
    assert_eq!(h.punches, 4);
    for i in 1..=5 {
        audit::append(&tx, entry(i)).unwrap();
    }
    audit::append(
        &tx,
        audit::NewEntry {
            at: t("2026-11-25 10:01:00"),
            actor: "clerk".into(),
            role: Some(Role::HrClerk),
            action: "download".into(),
            target: "大门".into(),
            details: json!({ "session": s, "punches_stored": h.punches, "punches_sha256": h.sha256 }),
        },
    )
    .unwrap();
    users::add(&tx, "root", Role::Admin, "x", t("2026-11-01 08:00:00")).unwrap();
    tx.commit().unwrap();
    (dir, path, store, s)
}

/// The hostile user's own connection: no recursive_triggers, no Kaoqin code.
fn shell(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn replace_cannot_rewrite_a_punch() {
    let (_d, path, store, s) = ledger();
    let c = shell(&path);
    // A password punch (verify 0) "becomes" a face punch (15) or the other way round.
    let e = c
        .execute(
            "REPLACE INTO raw_punches (terminal_serial, ts, enrollment_no, verify_mode, in_out_state, \
             work_code, session_id, stored_at) VALUES ('SN-A', '2026-11-02 08:51:07', '1001', 0, 1, 0, ?1, \
             '2026-11-25 10:01:00.000')",
            [s],
        )
        .unwrap_err();
    assert!(e.to_string().contains("immutable"), "{e}");
    let e = c
        .execute(
            "INSERT OR REPLACE INTO raw_punches VALUES ('SN-A', '2026-11-02 08:51:07', '1001', 1, 0, 0, ?1, \
             '2026-11-25 10:01:00.000')",
            [s],
        )
        .unwrap_err();
    assert!(e.to_string().contains("immutable"), "{e}");
    // The same content re-stamped to another session is skipped, not moved.
    c.execute(
        "REPLACE INTO raw_punches VALUES ('SN-A', '2026-11-02 08:51:07', '1001', 15, 0, 0, ?1, \
         '2030-01-01 00:00:00.000')",
        [s + 1],
    )
    .unwrap();
    let p = &punches::list(store.conn(), &Default::default()).unwrap()[0];
    assert_eq!(
        (p.verify_mode, p.in_out_state, p.session_id, p.stored_at),
        (15, 0, s, common::t("2026-11-25 10:01:00"))
    );
    assert!(evidence::verify_batches(store.conn()).unwrap().is_clean());
}

#[test]
fn replace_cannot_rewrite_an_audit_entry_or_request_history() {
    let (_d, path, store, _s) = ledger();
    let c = shell(&path);
    let e = c
        .execute(
            "REPLACE INTO audit_log (seq, at, actor, role, action, target, details, prev_hash, hash) \
             SELECT seq, at, 'someone-else', role, action, target, details, prev_hash, hash FROM audit_log \
             WHERE seq = 2",
            [],
        )
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(audit::verify(store.conn()).unwrap().is_intact());

    c.execute_batch(
        "INSERT INTO requests (id, employee_no, kind, kind_json, state, applicant, from_date, to_date, \
           created_at, updated_at) VALUES (1, '1001', 'leave', '{}', 'submitted', 'clerk', '2026-11-02', \
           '2026-11-02', 'x', 'x');
         INSERT INTO request_history (id, request_id, at, actor, action, from_state, to_state) \
           VALUES (1, 1, 'x', 'sup', 'reject', 'submitted', 'rejected');",
    )
    .unwrap();
    let e = c
        .execute(
            "REPLACE INTO request_history (id, request_id, at, actor, action, from_state, to_state) \
             VALUES (1, 1, 'x', 'sup', 'approve', 'submitted', 'approved')",
            [],
        )
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    let action: String = c
        .query_row("SELECT action FROM request_history WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(action, "reject");
}

#[test]
fn the_ledger_still_skips_a_punch_read_twice() {
    let (_d, _p, mut store, _s) = ledger();
    let tx = store.transaction().unwrap();
    let s2 = session(&tx, "大门");
    let st = punches::insert_batch(
        &tx,
        s2,
        "SN-A",
        t("2026-11-26 10:00:00"),
        &[
            punch("1001", "2026-11-02 08:51:07"),
            punch("1004", "2026-11-04 08:00:00"),
            punch("1004", "2026-11-04 08:00:00"),
        ],
    )
    .unwrap();
    assert_eq!((st.new, st.already), (1, 2));
    tx.commit().unwrap();
}

/// With the triggers dropped, altering, adding or removing a punch breaks its batch's hash.
#[test]
fn batch_hashes_catch_altered_added_and_removed_punches() {
    for attack in [
        "UPDATE raw_punches SET verify_mode = 0 WHERE enrollment_no = '1002'",
        "INSERT INTO raw_punches SELECT terminal_serial, '2026-11-02 09:00:00', '1009', 15, 0, 0, \
         session_id, stored_at FROM raw_punches LIMIT 1",
        "DELETE FROM raw_punches WHERE enrollment_no = '1003'",
    ] {
        let (_d, path, store, s) = ledger();
        let r = evidence::verify_batches(store.conn()).unwrap();
        assert!(r.is_clean(), "{r:?}");
        assert_eq!((r.covered_batches, r.covered_punches), (1, 4));
        let c = shell(&path);
        c.execute_batch(
            "DROP TRIGGER raw_punches_no_update; DROP TRIGGER raw_punches_no_delete; \
             DROP TRIGGER raw_punches_no_replace;",
        )
        .unwrap();
        c.execute_batch(attack).unwrap();
        let r = evidence::verify_batches(store.conn()).unwrap();
        assert_eq!(r.problems.len(), 1, "{attack}: {r:?}");
        assert_eq!(r.problems[0].session_id, s);
        assert!(
            r.problems[0]
                .to_string()
                .contains("no longer match audit entry 6"),
            "{}",
            r.problems[0]
        );
        // The chain itself is intact: only the batch hash sees it.
        assert!(audit::verify(store.conn()).unwrap().is_intact());
    }
}

#[test]
fn punches_of_an_unhashed_session_are_not_covered_before_and_a_problem_after_hashing_began() {
    let (_d, path, store, s) = ledger();
    let c = shell(&path);
    // An older session (id below the first hashed one) counts as not covered.
    c.execute_batch(&format!(
        "INSERT INTO download_sessions (id, kind, terminal_name, actor, role, started_at) \
           VALUES (0, 'download', 'old', 'clerk', 'hr_clerk', '2026-01-01 00:00:00.000');
         INSERT INTO raw_punches VALUES ('SN-OLD', '2026-01-02 08:00:00', '1001', 15, 0, 0, 0, 'x');
         INSERT INTO download_sessions (id, kind, terminal_name, actor, role, started_at) \
           VALUES ({}, 'download', 'fake', 'clerk', 'hr_clerk', '2026-11-26 00:00:00.000');
         INSERT INTO raw_punches VALUES ('SN-A', '2026-11-05 08:00:00', '1001', 15, 0, 0, {}, 'x');",
        s + 1,
        s + 1
    ))
    .unwrap();
    let r = evidence::verify_batches(store.conn()).unwrap();
    assert_eq!((r.not_covered_batches, r.not_covered_punches), (1, 1));
    assert_eq!(r.problems.len(), 1, "{r:?}");
    assert_eq!(r.problems[0].session_id, s + 1);
    assert!(r.problems[0].to_string().contains("added outside Kaoqin"));
}

#[test]
fn cutting_the_newest_entries_is_caught_by_an_anchor() {
    let (dir, path, store, _s) = ledger();
    let file = evidence::anchor_file(&path);
    let a = Anchor::of(store.conn(), t("2026-11-25 11:00:00"), "backup").unwrap();
    assert_eq!(a.entries, 6);
    evidence::append_anchor(&file, &a).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let sourced = || {
        let (list, bad) = evidence::read_anchors(&file).unwrap();
        assert_eq!(bad, 0);
        list.into_iter()
            .map(|anchor| SourcedAnchor {
                anchor,
                source: "the anchor file".into(),
            })
            .collect::<Vec<_>>()
    };
    let r = evidence::check_anchors(store.conn(), sourced()).unwrap();
    assert_eq!(r.checked[0].1, AnchorStatus::Matches);

    // The attack: triggers dropped, the last two entries deleted. The chain alone still verifies.
    let c = shell(&path);
    c.execute_batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq > 4;")
        .unwrap();
    assert!(audit::verify(store.conn()).unwrap().is_intact());
    let r = evidence::check_anchors(store.conn(), sourced()).unwrap();
    assert_eq!(r.checked[0].1, AnchorStatus::Missing { chain_entries: 4 });
    assert_eq!(r.failures().count(), 1);

    // Re-computing a new tail (the algorithm is public) does not match the anchor either.
    audit::append(store.conn(), entry(40)).unwrap();
    audit::append(store.conn(), entry(41)).unwrap();
    assert!(audit::verify(store.conn()).unwrap().is_intact());
    let r = evidence::check_anchors(store.conn(), sourced()).unwrap();
    assert!(
        matches!(r.checked[0].1, AnchorStatus::Differs { .. }),
        "{r:?}"
    );
    drop(dir);
}

fn take_backup(store: &Store, dir: &std::path::Path, name: &str) -> std::path::PathBuf {
    let dest = dir.join(name);
    let (info, m) =
        backup::backup_with_manifest(store.conn(), &dest, t("2026-11-25 12:00:00")).unwrap();
    assert_eq!(m.audit_head.entries, info.audit_entries);
    assert!(backup::manifest_path(&dest).is_file());
    dest
}

#[test]
fn a_sound_backup_verifies() {
    let (dir, _path, store, _s) = ledger();
    let b = take_backup(&store, dir.path(), "b.db");
    let check = backup::check_backup(&b).unwrap();
    assert_eq!(check.problems, Vec::<String>::new());
    assert_eq!(check.head.0, 6);
}

#[test]
fn a_backup_with_a_dropped_trigger_a_cut_chain_or_no_admin_does_not_verify() {
    let cases: [(&str, &str); 4] = [
        (
            "DROP TRIGGER raw_punches_no_replace",
            "trigger raw_punches_no_replace is missing",
        ),
        (
            "DROP TRIGGER audit_log_no_delete; CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
             BEGIN SELECT 1; END;",
            "trigger audit_log_no_delete was altered",
        ),
        (
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = 6; \
             CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE rejected'); END;",
            "SHORTER than its manifest",
        ),
        (
            "UPDATE app_users SET disabled = 1",
            "no enabled administrator",
        ),
    ];
    for (attack, expected) in cases {
        let (dir, _path, store, _s) = ledger();
        let b = take_backup(&store, dir.path(), "b.db");
        let c = shell(&b);
        c.execute_batch(attack).unwrap();
        drop(c);
        // The file's hash no longer matches either, but the named problem is what matters.
        let check = backup::check_backup(&b).unwrap();
        assert!(
            check.problems.iter().any(|p| p.contains(expected)),
            "{attack}: {:?}",
            check.problems
        );
    }
}

#[test]
fn a_backup_without_a_manifest_does_not_verify_and_reinstate_puts_triggers_back() {
    let (dir, _path, store, _s) = ledger();
    let b = take_backup(&store, dir.path(), "b.db");
    std::fs::remove_file(backup::manifest_path(&b)).unwrap();
    let check = backup::check_backup(&b).unwrap();
    assert!(
        check.problems.iter().any(|p| p.contains("no manifest")),
        "{:?}",
        check.problems
    );

    let c = shell(&b);
    c.execute_batch(
        "DROP TRIGGER raw_punches_no_update; CREATE TRIGGER sneaky AFTER INSERT ON audit_log BEGIN SELECT 1; END;",
    )
    .unwrap();
    let before = evidence::schema_problems(&c).unwrap();
    assert_eq!(before.len(), 2, "{before:?}");
    let changed = evidence::reinstate_schema(&c).unwrap();
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert_eq!(evidence::schema_problems(&c).unwrap(), Vec::<String>::new());
    assert!(
        c.execute("UPDATE raw_punches SET verify_mode = 0", [])
            .is_err()
    );
}

#[test]
fn anchor_lines_round_trip_and_junk_is_counted() {
    let a = Anchor {
        at: t("2026-11-25 10:00:00"),
        entries: 12,
        head: "ab".repeat(32),
        event: "report.export".into(),
    };
    assert_eq!(Anchor::parse_line(&a.to_line()), Some(a.clone()));
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.anchors");
    evidence::append_anchor(&f, &a).unwrap();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&f)
        .and_then(|mut h| std::io::Write::write_all(&mut h, b"garbage\n\xff\xfe\n"))
        .unwrap();
    evidence::append_anchor(&f, &a).unwrap();
    let (list, bad) = evidence::read_anchors(&f).unwrap();
    assert_eq!((list.len(), bad), (2, 2));
    assert_eq!(
        evidence::read_anchors(&dir.path().join("missing")).unwrap(),
        (vec![], 0)
    );
}
