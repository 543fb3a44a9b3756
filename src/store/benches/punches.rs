//! Ledger throughput: store 1,000,000 raw punches in batches (one transaction per batch, with its
//! session row, as a download does), then store the same million again (dedup: 0 new rows).
//! Only the store's work is timed: each batch is generated just before its transaction, outside the clock,
//! so memory stays at one batch. Run: `cargo bench -p kaoqin-store --bench punches`.
//! `KAOQIN_BENCH_BATCH` overrides the batch size (default 10,000).

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kaoqin_store::punches::{self, NewPunch};
use kaoqin_store::sessions::{self, NewSession, SessionKind};
use kaoqin_store::{Role, Store};

const TOTAL: usize = 1_000_000;

fn batch_size() -> usize {
    std::env::var("KAOQIN_BENCH_BATCH")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(10_000)
}

fn base() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2025-01-01 07:00:00", "%Y-%m-%d %H:%M:%S").unwrap_or_default()
}

/// Punches `from..to` of a synthetic terminal log: 1,000 employees, time-ordered like a real attendance log.
fn gen_batch(from: usize, to: usize, out: &mut Vec<NewPunch>) {
    out.clear();
    let b = base();
    for i in from..to {
        out.push(NewPunch {
            enrollment_no: (1000 + (i * 7919) % 1000).to_string(),
            ts: b + chrono::Duration::seconds(i as i64 * 7),
            verify_mode: 15,
            in_out_state: (i % 2) as i64,
            work_code: 0,
        });
    }
}

/// Stores the million once; returns the time spent in the store and the new-row count.
fn store_million(store: &mut Store) -> (Duration, u64) {
    let bs = batch_size();
    let mut buf = Vec::with_capacity(bs);
    let mut spent = Duration::ZERO;
    let mut new = 0;
    let now = base();
    let mut from = 0;
    while from < TOTAL {
        let to = (from + bs).min(TOTAL);
        gen_batch(from, to, &mut buf);
        let start = Instant::now();
        let tx = store.transaction().expect("begin");
        let s = sessions::start(
            &tx,
            &NewSession {
                kind: SessionKind::Download,
                terminal_id: None,
                terminal_name: "bench".into(),
                actor: "bench".into(),
                role: Role::HrClerk,
                peer_addr: None,
                started_at: now,
                override_reason: None,
            },
        )
        .expect("session");
        let st = punches::insert_batch(&tx, s, "SN-BENCH-0001", now, &buf).expect("insert");
        tx.commit().expect("commit");
        spent += start.elapsed();
        new += st.new;
        from = to;
    }
    (spent, new)
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("ledger");
    g.sample_size(10)
        .throughput(Throughput::Elements(TOTAL as u64))
        .measurement_time(Duration::from_secs(20));

    g.bench_function("store_1m_new", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let dir = tempfile::tempdir().expect("tempdir");
                let mut store = Store::open(dir.path().join("bench.db")).expect("open");
                if let Ok(v) = std::env::var("KAOQIN_BENCH_CKPT") {
                    store
                        .conn()
                        .pragma_update(None, "wal_autocheckpoint", v)
                        .expect("pragma");
                }
                let (t, new) = store_million(&mut store);
                assert_eq!(new, TOTAL as u64);
                total += t;
            }
            total
        })
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path().join("bench.db")).expect("open");
    let (_, new) = store_million(&mut store);
    assert_eq!(new, TOTAL as u64);
    g.bench_function("store_same_1m_again", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (t, new) = store_million(&mut store);
                assert_eq!(new, 0, "the same million must add nothing");
                total += t;
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
