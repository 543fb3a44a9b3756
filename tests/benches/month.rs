//! Month-run benchmark: a month for 10,000 employees × 31 days (~1.24 million punches, realistic mix)
//! loaded from SQLite, reconciled and stored — the real service path (`app::month::load_inputs`,
//! `reconcile`, `store_result` in one transaction). A bench binary (harness = false) rather than
//! criterion because one iteration takes seconds and the peak memory must be read from a clean process:
//! the parent builds the database, then re-runs itself with `--measure DB` and reads that child's
//! VmHWM. Run: `cargo bench -p kaoqin --bench month` (numbers in /work/notes/bench-month.md).

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use kaoqin::app::month::{Month, load_inputs, reconcile, store_result};
use kaoqin_store::employees::{self, NewEmployee};
use kaoqin_store::punches::{self, NewPunch};
use kaoqin_store::sessions::{self, NewSession, SessionKind};
use kaoqin_store::{Role, Store, departments};

const EMPLOYEES: usize = 10_000;
const DEPARTMENTS: usize = 40;
const MONTH: Month = Month::new(2026, 3).expect("March 2026");

/// A small deterministic generator (no dependency; the data must be the same on every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n).unwrap_or(0)
    }
}

fn at(d: NaiveDate, h: u32, m: i64) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN)) + Duration::minutes(m)
}

fn build(db: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let mut store = Store::open(db)?;
    let now = NaiveDate::from_ymd_opt(2026, 4, 2)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .ok_or("date")?;
    let tx = store.transaction()?;
    let mut dept_ids = Vec::new();
    for i in 0..DEPARTMENTS {
        dept_ids.push(departments::add(&tx, &format!("处室{i:02}"), None)?.id);
    }
    for i in 0..EMPLOYEES {
        employees::add(
            &tx,
            &NewEmployee {
                enrollment_no: format!("{:05}", i + 1),
                name: format!("员工{i}"),
                department_id: dept_ids.get(i % DEPARTMENTS).copied(),
                hire_date: (i % 97 == 0)
                    .then(|| NaiveDate::from_ymd_opt(2026, 3, 16))
                    .flatten(),
                ..Default::default()
            },
        )?;
    }
    let sid = sessions::start(
        &tx,
        &NewSession {
            kind: SessionKind::Import,
            terminal_id: None,
            terminal_name: "bench".into(),
            actor: "bench".into(),
            role: Role::HrClerk,
            peer_addr: None,
            started_at: now,
            override_reason: None,
        },
    )?;
    tx.commit()?;
    let mut rng = Lcg(20260301);
    let (from, to) = MONTH.punch_range();
    let mut total = 0;
    // One terminal per 1,000 employees; one transaction per terminal.
    for t in 0..EMPLOYEES / 1000 {
        let mut batch = Vec::new();
        for e in t * 1000..(t + 1) * 1000 {
            let no = format!("{:05}", e + 1);
            let mut d = from;
            while d <= to {
                let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
                let mut push = |ts: NaiveDateTime, state: i64| {
                    batch.push(NewPunch {
                        enrollment_no: no.clone(),
                        ts,
                        verify_mode: 15,
                        in_out_state: state,
                        work_code: 0,
                    })
                };
                if weekend {
                    if rng.below(4) == 0 {
                        push(at(d, 9, rng.below(60)), 0);
                        push(at(d, 15, rng.below(120)), 1);
                    }
                } else if rng.below(40) != 0 {
                    // Mostly on time; some late (up to 40 min) or early; a duplicate now and then.
                    let late = if rng.below(10) == 0 { rng.below(40) } else { 0 };
                    push(at(d, 8, 30 + rng.below(25) + late), 0);
                    push(at(d, 12, rng.below(10)), 1);
                    push(at(d, 13, rng.below(25)), 0);
                    let out = at(
                        d,
                        18,
                        rng.below(90) - if rng.below(15) == 0 { 30 } else { 0 },
                    );
                    push(out, 1);
                    if rng.below(2) == 0 {
                        push(out + Duration::seconds(20), 1);
                    }
                    if rng.below(3) == 0 {
                        push(at(d, 10, rng.below(120)), 0);
                    }
                }
                d += Duration::days(1);
            }
        }
        let tx = store.transaction()?;
        total += punches::insert_batch(&tx, sid, &format!("SN-BENCH-{t}"), now, &batch)?.new;
        tx.commit()?;
    }
    Ok(usize::try_from(total).unwrap_or(usize::MAX))
}

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn measure(db: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut store = Store::open(db)?;
    let now = NaiveDate::from_ymd_opt(2026, 4, 2)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .ok_or("date")?;
    let t0 = Instant::now();
    let inputs = load_inputs(store.conn(), MONTH)?;
    let t1 = Instant::now();
    let result = reconcile(&inputs, MONTH, now);
    let t2 = Instant::now();
    let tx = store.transaction()?;
    let info = store_result(&tx, MONTH, &result, &inputs.fingerprint, now, "bench")?;
    tx.commit()?;
    let t3 = Instant::now();
    println!(
        "employees {} punches {} employee-days {}",
        inputs.employees.len(),
        inputs.punches.len(),
        info.days
    );
    println!(
        "load {:.2} s · reconcile {:.2} s · store {:.2} s · total {:.2} s · peak {:.0} MB",
        (t1 - t0).as_secs_f64(),
        (t2 - t1).as_secs_f64(),
        (t3 - t2).as_secs_f64(),
        (t3 - t0).as_secs_f64(),
        vm_hwm_mb()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure") {
        let db = args.get(i + 1).ok_or("--measure needs a database path")?;
        return measure(Path::new(db));
    }
    let dir = tempfile::tempdir()?;
    let db: PathBuf = dir.path().join("bench-month.db");
    let t = Instant::now();
    let n = build(&db)?;
    println!(
        "built {n} punches for {EMPLOYEES} employees in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    for run in 1..=3 {
        print!("run {run}: ");
        let out = std::process::Command::new(std::env::current_exe()?)
            .arg("--measure")
            .arg(&db)
            .output()?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            eprint!("{}", String::from_utf8_lossy(&out.stderr));
            return Err("measurement failed".into());
        }
    }
    Ok(())
}
