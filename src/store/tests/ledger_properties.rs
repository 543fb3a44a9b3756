//! Property test of the punch ledger: any sequence of terminals recording punches, full and partial
//! downloads, killed downloads (a batch never committed) and restarts (the file reopened) leaves a
//! ledger that is exactly the set of punches committed, never a duplicate; one last full download of
//! every terminal makes it exactly the union of what the terminals served. Real SQLite on a file.

mod common;

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDateTime};
use common::{session, t};
use kaoqin_store::Store;
use kaoqin_store::punches::{self, NewPunch, PunchFilter};
use proptest::prelude::*;

const TERMINALS: [&str; 2] = ["SN-A", "SN-B"];

#[derive(Debug, Clone)]
enum Op {
    /// Terminal `t` records `n` punches (employee picked by `who`).
    Serve { t: usize, n: usize, who: u8 },
    /// A download of everything terminal `t` holds, committed.
    Download { t: usize },
    /// A download that read only the first `part` per mille of the log before its batch committed.
    Partial { t: usize, part: u16 },
    /// A download killed before its commit: the batch is written inside the transaction, never committed.
    Kill { t: usize },
    /// The program restarts: the database file is closed and opened again.
    Reopen,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0usize..2, 1usize..40, any::<u8>()).prop_map(|(t, n, who)| Op::Serve { t, n, who }),
        2 => (0usize..2).prop_map(|t| Op::Download { t }),
        1 => (0usize..2, 0u16..1000).prop_map(|(t, part)| Op::Partial { t, part }),
        1 => (0usize..2).prop_map(|t| Op::Kill { t }),
        1 => Just(Op::Reopen),
    ]
}

type Key = (String, String, NaiveDateTime);

fn ledger(store: &Store) -> (Vec<Key>, BTreeSet<Key>) {
    let all: Vec<Key> = punches::list(store.conn(), &PunchFilter::default())
        .unwrap()
        .into_iter()
        .map(|p| (p.terminal_serial, p.enrollment_no, p.ts))
        .collect();
    let set = all.iter().cloned().collect();
    (all, set)
}

fn store_batch(store: &mut Store, t: usize, log: &[NewPunch], commit: bool) {
    let tx = store.transaction().unwrap();
    let s = session(&tx, TERMINALS[t]);
    punches::insert_batch(&tx, s, TERMINALS[t], t_now(), log).unwrap();
    if commit {
        tx.commit().unwrap();
    }
}

fn t_now() -> NaiveDateTime {
    t("2026-11-30 10:00:00")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_ledger_is_exactly_what_was_committed_and_never_holds_a_duplicate(ops in proptest::collection::vec(op(), 1..30)) {
        let (_dir, path, store) = common::fresh();
        let mut store = Some(store);
        let mut logs: [Vec<NewPunch>; 2] = [Vec::new(), Vec::new()];
        let mut clock = [t("2026-11-02 08:00:00"), t("2026-11-02 08:00:30")];
        let mut committed: BTreeSet<Key> = BTreeSet::new();
        let key = |t: usize, p: &NewPunch| (TERMINALS[t].to_string(), p.enrollment_no.clone(), p.ts);
        for op in ops.iter().chain(&[Op::Download { t: 0 }, Op::Download { t: 1 }]) {
            let st = store.as_mut().unwrap();
            match *op {
                Op::Serve { t, n, who } => {
                    for i in 0..n {
                        clock[t] += Duration::minutes(7);
                        logs[t].push(NewPunch {
                            enrollment_no: format!("10{:02}", (usize::from(who) + i) % 7),
                            ts: clock[t],
                            verify_mode: 15,
                            in_out_state: 0,
                            work_code: 0,
                        });
                    }
                }
                Op::Download { t } => {
                    store_batch(st, t, &logs[t], true);
                    committed.extend(logs[t].iter().map(|p| key(t, p)));
                }
                Op::Partial { t, part } => {
                    let n = logs[t].len() * usize::from(part) / 1000;
                    store_batch(st, t, &logs[t][..n], true);
                    committed.extend(logs[t][..n].iter().map(|p| key(t, p)));
                }
                Op::Kill { t } => store_batch(st, t, &logs[t], false),
                Op::Reopen => {
                    drop(store.take());
                    store = Some(Store::open(&path).unwrap());
                }
            }
            let (rows, set) = ledger(store.as_ref().unwrap());
            prop_assert_eq!(rows.len(), set.len(), "a duplicate punch after {:?}", op);
            prop_assert_eq!(&set, &committed, "the ledger differs from what was committed after {:?}", op);
        }
        let served: BTreeSet<Key> = (0..2).flat_map(|t| logs[t].iter().map(move |p| key(t, p))).collect();
        prop_assert_eq!(ledger(store.as_ref().unwrap()).1, served);
    }
}
