//! The audit hash chain: intact chains verify; every kind of tampering is caught at the right entry.

mod common;

use common::{entry, t};
use kaoqin_store::audit::{self, AuditFilter, BreakReason};
use kaoqin_store::{Role, StoreError};

const N: usize = 10;

fn chain() -> (tempfile::TempDir, kaoqin_store::Store) {
    let (dir, _path, mut store) = common::fresh();
    let tx = store.transaction().unwrap();
    for i in 1..=N {
        let e = audit::append(&tx, entry(i)).unwrap();
        assert_eq!(e.seq, i as i64);
    }
    tx.commit().unwrap();
    // What an attacker with the sqlite3 shell does first.
    store
        .conn()
        .execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    (dir, store)
}

fn first_break(store: &kaoqin_store::Store) -> (i64, BreakReason, String, String) {
    let r = audit::verify(store.conn()).unwrap();
    let b = r.first_break.expect("tampering must be detected");
    (b.seq, b.reason, b.expected, b.found)
}

#[test]
fn an_untouched_chain_verifies() {
    let (_d, store) = chain();
    let r = audit::verify(store.conn()).unwrap();
    assert!(r.is_intact(), "{:?}", r.first_break);
    assert_eq!(r.entries_checked, N as u64);
    assert_eq!(
        Some((N as i64, r.head_hash.clone())),
        audit::head(store.conn()).unwrap()
    );
    let entries = audit::list(store.conn(), &AuditFilter::default()).unwrap();
    assert_eq!(entries[0].prev_hash, audit::GENESIS_HASH);
    for w in entries.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
    }
    assert_eq!(entries[2].details["名字"], "张三");
}

#[test]
fn an_empty_log_is_intact() {
    let (_dir, _path, store) = common::fresh();
    let r = audit::verify(store.conn()).unwrap();
    assert!(r.is_intact());
    assert_eq!(r.entries_checked, 0);
}

#[test]
fn editing_any_field_of_any_entry_is_caught_at_that_entry() {
    for seq in [1, 4, N] {
        for set in [
            "details = '{\"i\":999}'",
            "actor = 'mallory'",
            "role = 'admin'",
            "action = 'nothing'",
            "target = 'x'",
            "at = '2026-01-01 00:00:00.000'",
        ] {
            if set.starts_with("role") && seq.is_multiple_of(2) {
                // Entry `seq` already has role admin: that "edit" changes nothing.
                continue;
            }
            let (_d, store) = chain();
            store
                .conn()
                .execute(&format!("UPDATE audit_log SET {set} WHERE seq = {seq}"), [])
                .unwrap();
            let (at, reason, expected, found) = first_break(&store);
            assert_eq!(
                (at, reason),
                (seq as i64, BreakReason::ContentChanged),
                "{set} at {seq}"
            );
            assert_ne!(expected, found);
        }
    }
}

#[test]
fn editing_content_and_its_hash_is_caught_at_the_next_entry() {
    let (_d, store) = chain();
    let e4 = &audit::list(store.conn(), &AuditFilter::default()).unwrap()[3];
    let forged = audit::entry_hash(
        4,
        "2026-11-25 09:00:04.000",
        "admin",
        "admin",
        "act.1",
        "target-4",
        "{}",
        &e4.prev_hash,
    );
    store
        .conn()
        .execute(
            "UPDATE audit_log SET details = '{}', hash = ?1 WHERE seq = 4",
            [&forged],
        )
        .unwrap();
    let (seq, reason, expected, found) = first_break(&store);
    assert_eq!((seq, reason), (5, BreakReason::PrevHashMismatch));
    assert_eq!(expected, forged);
    assert_eq!(found, e4.hash);
}

#[test]
fn reordering_entries_is_caught() {
    let (_d, store) = chain();
    // Swap entries 3 and 6 by renumbering them.
    store
        .conn()
        .execute_batch(
            "UPDATE audit_log SET seq = -3 WHERE seq = 3;
             UPDATE audit_log SET seq = 3 WHERE seq = 6;
             UPDATE audit_log SET seq = 6 WHERE seq = -3;",
        )
        .unwrap();
    let (seq, reason, _, _) = first_break(&store);
    assert_eq!(seq, 3);
    assert!(matches!(
        reason,
        BreakReason::PrevHashMismatch | BreakReason::ContentChanged
    ));
}

#[test]
fn deleting_an_entry_is_caught() {
    let (_d, store) = chain();
    store
        .conn()
        .execute("DELETE FROM audit_log WHERE seq = 5", [])
        .unwrap();
    let (seq, reason, expected, found) = first_break(&store);
    assert_eq!((seq, reason), (6, BreakReason::SeqGap));
    assert_eq!((expected.as_str(), found.as_str()), ("seq 5", "seq 6"));

    // Deleting and renumbering the rest to hide the gap breaks the link instead.
    let (_d, store) = chain();
    store
        .conn()
        .execute_batch(
            "DELETE FROM audit_log WHERE seq = 5;
             UPDATE audit_log SET seq = -seq WHERE seq > 5;
             UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0;",
        )
        .unwrap();
    let (seq, reason, _, _) = first_break(&store);
    assert_eq!((seq, reason), (5, BreakReason::PrevHashMismatch));

    // Deleting the first entry.
    let (_d, store) = chain();
    store
        .conn()
        .execute("DELETE FROM audit_log WHERE seq = 1", [])
        .unwrap();
    assert_eq!(first_break(&store).0, 2);
}

#[test]
fn inserting_an_entry_is_caught() {
    // A well-formed forged entry slipped in as seq 5, later entries renumbered.
    let (_d, store) = chain();
    let e4 = audit::list(store.conn(), &AuditFilter::default()).unwrap()[3].clone();
    let at = "2026-11-25 09:00:04.500";
    let h = audit::entry_hash(
        5, at, "mallory", "admin", "user.add", "mallory", "{}", &e4.hash,
    );
    store
        .conn()
        .execute_batch(
            "UPDATE audit_log SET seq = -seq WHERE seq >= 5;
             UPDATE audit_log SET seq = -seq + 1 WHERE seq < 0;",
        )
        .unwrap();
    store
        .conn()
        .execute(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, details, prev_hash, hash)
             VALUES (5, ?1, 'mallory', 'admin', 'user.add', 'mallory', '{}', ?2, ?3)",
            [at, e4.hash.as_str(), h.as_str()],
        )
        .unwrap();
    let (seq, reason, expected, found) = first_break(&store);
    assert_eq!((seq, reason), (6, BreakReason::PrevHashMismatch));
    assert_eq!((expected, found), (h, e4.hash.clone()));

    // A careless insert with a made-up hash at the end.
    let (_d, store) = chain();
    store
        .conn()
        .execute(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, details, prev_hash, hash)
             SELECT seq + 1, at, actor, role, action, target, details, hash, 'beef' FROM audit_log WHERE seq = ?1",
            [N as i64],
        )
        .unwrap();
    let (seq, reason, _, found) = first_break(&store);
    assert_eq!(
        (seq, reason, found.as_str()),
        (N as i64 + 1, BreakReason::ContentChanged, "beef")
    );

    // Inserting with a duplicate-free but out-of-sequence number (a gap).
    let (_d, store) = chain();
    store
        .conn()
        .execute(
            "INSERT INTO audit_log (seq, at, actor, role, action, target, details, prev_hash, hash)
             SELECT 100, at, actor, role, action, target, details, prev_hash, hash FROM audit_log WHERE seq = 2",
            [],
        )
        .unwrap();
    assert_eq!(first_break(&store).0, 100);
}

#[test]
fn triggers_reject_edits_while_they_are_in_place() {
    let (_dir, _path, store) = common::fresh();
    audit::append(store.conn(), entry(1)).unwrap();
    let err = store
        .conn()
        .execute("UPDATE audit_log SET actor = 'x'", [])
        .unwrap_err();
    assert!(matches!(StoreError::from(err), StoreError::AuditImmutable));
    let err = store
        .conn()
        .execute("DELETE FROM audit_log", [])
        .unwrap_err();
    assert!(matches!(StoreError::from(err), StoreError::AuditImmutable));
}

#[test]
fn secrets_are_refused_and_nothing_is_written() {
    let (_dir, _path, store) = common::fresh();
    let mut e = entry(1);
    e.details = serde_json::json!({"terminal": "大门", "comm_key": "123456"});
    let err = audit::append(store.conn(), e).unwrap_err();
    assert!(
        matches!(&err, StoreError::SecretInAuditDetails { key } if key == "comm_key"),
        "{err:?}"
    );
    assert!(audit::head(store.conn()).unwrap().is_none());
}

#[test]
fn list_filters_by_since_actor_and_action() {
    let (_d, store) = chain();
    let c = store.conn();
    let all = audit::list(c, &AuditFilter::default()).unwrap();
    assert_eq!(all.len(), N);
    let since = audit::list(
        c,
        &AuditFilter {
            since: Some(t("2026-11-25 09:00:07")),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        since.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [7, 8, 9, 10]
    );
    let clerk = audit::list(
        c,
        &AuditFilter {
            actor: Some("clerk".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        clerk.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [1, 3, 5, 7, 9]
    );
    assert!(clerk.iter().all(|e| e.role == Role::HrClerk.as_str()));
    let act = audit::list(
        c,
        &AuditFilter {
            actor: Some("admin".into()),
            action: Some("act.0".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(act.iter().map(|e| e.seq).collect::<Vec<_>>(), [6]);
}
