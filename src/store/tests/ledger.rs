//! The raw punch ledger: immutability through raw SQL, dedup, all-or-nothing batches, filters.

mod common;

use common::{punch, session, t};
use kaoqin_store::StoreError;
use kaoqin_store::punches::{self, InsertStats, PunchFilter};

fn seed(store: &mut kaoqin_store::Store) -> i64 {
    let tx = store.transaction().unwrap();
    let s = session(&tx, "大门");
    let stats = punches::insert_batch(
        &tx,
        s,
        "SN-A",
        t("2026-11-25 10:01:00"),
        &[
            punch("1001", "2026-11-02 08:51:07"),
            punch("1002", "2026-11-02 08:52:00"),
            punch("1001", "2026-11-02 17:40:00"),
            punch("1003", "2026-11-03 08:40:00"),
        ],
    )
    .unwrap();
    assert_eq!(
        stats,
        InsertStats {
            read: 4,
            new: 4,
            already: 0
        }
    );
    tx.commit().unwrap();
    s
}

#[test]
fn triggers_reject_update_and_delete_even_from_raw_sql() {
    let (_dir, _path, mut store) = common::fresh();
    seed(&mut store);
    let c = store.conn();
    for sql in [
        "UPDATE raw_punches SET ts = '2026-11-02 08:30:00' WHERE enrollment_no = '1001'",
        "UPDATE raw_punches SET verify_mode = 1",
        "DELETE FROM raw_punches WHERE enrollment_no = '1002'",
        "DELETE FROM raw_punches",
    ] {
        let err = c.execute(sql, []).unwrap_err();
        assert!(
            err.to_string().contains("raw punches are immutable"),
            "{sql}: {err}"
        );
        assert!(matches!(
            StoreError::from(err),
            StoreError::PunchesImmutable
        ));
    }
    // The batch insert switched the REPLACE guard off only while it ran: it is back on here.
    let err = c
        .execute(
            "REPLACE INTO raw_punches SELECT terminal_serial, ts, enrollment_no, 0, in_out_state, \
             work_code, session_id, stored_at FROM raw_punches LIMIT 1",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
    // Through a raw batch as well (what a sqlite3 shell would do).
    let err = c
        .execute_batch("BEGIN; DELETE FROM raw_punches; COMMIT;")
        .unwrap_err();
    assert!(err.to_string().contains("immutable"), "{err}");
    let _ = c.execute_batch("ROLLBACK");
    let all = punches::list(c, &PunchFilter::default()).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].ts, t("2026-11-02 08:51:07"));
    assert_eq!(all[0].enrollment_no, "1001");
}

#[test]
fn insert_batch_skips_what_the_ledger_already_holds() {
    let (_dir, _path, mut store) = common::fresh();
    let first = seed(&mut store);
    let tx = store.transaction().unwrap();
    let s2 = session(&tx, "大门");
    let stats = punches::insert_batch(
        &tx,
        s2,
        "SN-A",
        t("2026-11-26 10:00:00"),
        &[
            punch("1001", "2026-11-02 08:51:07"), // already stored
            punch("1003", "2026-11-03 08:40:00"), // already stored
            punch("1004", "2026-11-03 08:41:00"), // new
            punch("1004", "2026-11-03 08:41:00"), // repeated within the batch
        ],
    )
    .unwrap();
    assert_eq!(
        stats,
        InsertStats {
            read: 4,
            new: 1,
            already: 3
        }
    );
    // The same punch from ANOTHER terminal is a different punch.
    let other = punches::insert_batch(
        &tx,
        s2,
        "SN-B",
        t("2026-11-26 10:00:00"),
        &[punch("1001", "2026-11-02 08:51:07")],
    )
    .unwrap();
    assert_eq!(other.new, 1);
    tx.commit().unwrap();

    let c = store.conn();
    assert_eq!(punches::count(c, &PunchFilter::default()).unwrap(), 6);
    // The original row keeps its first session: dedup never overwrites.
    let p = punches::list(
        c,
        &PunchFilter {
            enrollment_no: Some("1001".into()),
            terminal_serial: Some("SN-A".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(p.len(), 2);
    assert!(p.iter().all(|p| p.session_id == first));
    assert_eq!(p[0].stored_at, t("2026-11-25 10:01:00"));
}

#[test]
fn a_rolled_back_batch_leaves_the_ledger_as_it_was() {
    let (_dir, _path, mut store) = common::fresh();
    seed(&mut store);
    {
        let tx = store.transaction().unwrap();
        let s = session(&tx, "大门");
        let stats = punches::insert_batch(
            &tx,
            s,
            "SN-A",
            t("2026-11-26 10:00:00"),
            &[punch("2001", "2026-11-20 08:00:00")],
        )
        .unwrap();
        assert_eq!(stats.new, 1);
        // Dropped without commit: the cut batch.
    }
    assert_eq!(
        punches::count(store.conn(), &PunchFilter::default()).unwrap(),
        4
    );
    let sessions = kaoqin_store::sessions::list(store.conn(), &Default::default()).unwrap();
    assert_eq!(
        sessions.len(),
        1,
        "the cut session row rolled back with its batch"
    );

    // A bad punch in the middle fails the whole batch.
    let tx = store.transaction().unwrap();
    let s = session(&tx, "大门");
    let err = punches::insert_batch(
        &tx,
        s,
        "SN-A",
        t("2026-11-26 10:00:00"),
        &[
            punch("2001", "2026-11-20 08:00:00"),
            punch("", "2026-11-20 08:01:00"),
        ],
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "punch enrollment number",
                ..
            }
        ),
        "{err:?}"
    );
    drop(tx);
    assert_eq!(
        punches::count(store.conn(), &PunchFilter::default()).unwrap(),
        4
    );
}

#[test]
fn filters_select_by_terminal_employee_and_half_open_time_range() {
    let (_dir, _path, mut store) = common::fresh();
    seed(&mut store);
    let c = store.conn();
    let f = |serial: Option<&str>, no: Option<&str>, from: Option<&str>, to: Option<&str>| {
        PunchFilter {
            terminal_serial: serial.map(Into::into),
            enrollment_no: no.map(Into::into),
            from: from.map(t),
            to: to.map(t),
        }
    };
    let cases: &[(PunchFilter, u64)] = &[
        (f(Some("SN-A"), None, None, None), 4),
        (f(Some("SN-X"), None, None, None), 0),
        (f(None, Some("1001"), None, None), 2),
        (
            f(
                None,
                None,
                Some("2026-11-02 00:00:00"),
                Some("2026-11-03 00:00:00"),
            ),
            3,
        ),
        (
            f(
                None,
                None,
                Some("2026-11-02 08:52:00"),
                Some("2026-11-02 17:40:00"),
            ),
            1,
        ),
        (f(None, Some("1001"), Some("2026-11-02 12:00:00"), None), 1),
    ];
    for (i, (filter, n)) in cases.iter().enumerate() {
        assert_eq!(punches::count(c, filter).unwrap(), *n, "case {i}");
        assert_eq!(
            punches::list(c, filter).unwrap().len() as u64,
            *n,
            "case {i}"
        );
    }
    let ts: Vec<String> = punches::list(c, &PunchFilter::default())
        .unwrap()
        .iter()
        .map(|p| p.ts.format(kaoqin_store::PUNCH_TS).to_string())
        .collect();
    assert_eq!(
        ts,
        [
            "2026-11-02 08:51:07",
            "2026-11-02 08:52:00",
            "2026-11-02 17:40:00",
            "2026-11-03 08:40:00"
        ]
    );
    let raw: String = c
        .query_row("SELECT ts FROM raw_punches LIMIT 1", [], |r| r.get(0))
        .unwrap();
    assert_eq!(raw.len(), 19, "stored as 'YYYY-MM-DD HH:MM:SS'");
}

#[test]
fn large_batches_count_new_and_already_across_statement_chunks() {
    let (_dir, _path, mut store) = common::fresh();
    let base = t("2026-11-01 08:00:00");
    let mk = |i: i64| kaoqin_store::punches::NewPunch {
        enrollment_no: format!("{}", 1000 + i % 37),
        ts: base + chrono::Duration::seconds(i * 11),
        verify_mode: 15,
        in_out_state: i % 2,
        work_code: i % 3,
    };
    let first: Vec<_> = (0..150).map(mk).collect();
    // Overlaps the first batch (100..150), repeats rows inside itself, and has a remainder past 64s.
    let mut second: Vec<_> = (100..300).map(mk).collect();
    second.extend((250..260).map(mk));
    let tx = store.transaction().unwrap();
    let s = session(&tx, "大门");
    let a = punches::insert_batch(&tx, s, "SN-A", t("2026-11-25 10:00:00"), &first).unwrap();
    let b = punches::insert_batch(&tx, s, "SN-A", t("2026-11-25 10:00:00"), &second).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        a,
        InsertStats {
            read: 150,
            new: 150,
            already: 0
        }
    );
    assert_eq!(
        b,
        InsertStats {
            read: 210,
            new: 150,
            already: 60
        }
    );
    let all = punches::list(store.conn(), &PunchFilter::default()).unwrap();
    assert_eq!(all.len(), 300);
    for (i, p) in all.iter().enumerate() {
        let want = mk(i as i64);
        assert_eq!(
            (&p.enrollment_no, p.ts, p.in_out_state, p.work_code),
            (
                &want.enrollment_no,
                want.ts,
                want.in_out_state,
                want.work_code
            )
        );
        assert_eq!((p.terminal_serial.as_str(), p.session_id), ("SN-A", s));
    }
}

/// Commits do not checkpoint inline; the store's background thread folds the log into the file,
/// concurrent with further batches, and the last close still removes the log.
#[test]
fn background_checkpoints_fold_the_log_and_keep_every_row() {
    let (_dir, path, mut store) = common::fresh();
    assert!(store.background_checkpoints());
    let mut n = 0u64;
    for batch in 0..30 {
        let tx = store.transaction().unwrap();
        let s = session(&tx, "大门");
        let ps: Vec<_> = (0..500)
            .map(|i| {
                let secs = batch * 500 + i;
                let ts = t("2026-11-01 00:00:00") + chrono::Duration::seconds(secs * 7);
                punch(
                    &format!("{}", 1000 + secs % 300),
                    &ts.format("%Y-%m-%d %H:%M:%S").to_string(),
                )
            })
            .collect();
        n += punches::insert_batch(&tx, s, "SN-A", t("2026-11-25 10:01:00"), &ps)
            .unwrap()
            .new;
        tx.commit().unwrap();
    }
    assert_eq!(n, 15_000);
    // The log alone stays far below the writer's own checkpoint threshold (10,000 pages), so the main
    // file only grows if the background thread copied the log into it. It reacts to commits (no polling)
    // and catches up after the last one: wait for that, however long a loaded machine makes it
    // take; the deadline only keeps a thread that never checkpoints from hanging the suite.
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let main_file = || std::fs::metadata(&path).unwrap().len();
    while main_file() <= 500_000 {
        assert!(
            std::time::Instant::now() < give_up,
            "the background checkpoint never folded the log: main file {} bytes",
            main_file()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(
        punches::count(store.conn(), &PunchFilter::default()).unwrap(),
        15_000
    );
    assert!(store.integrity_check().unwrap().is_empty());
    drop(store);
    assert!(
        !path.with_extension("db-wal").exists(),
        "the last close removes the log"
    );
    let store = kaoqin_store::Store::open(&path).unwrap();
    assert_eq!(
        punches::count(store.conn(), &PunchFilter::default()).unwrap(),
        15_000
    );
}
