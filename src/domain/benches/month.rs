//! Month-run benchmark: 10,000 employees × 31 days, about 1.24 million punches with a realistic mix
//! (late, early, duplicates, forgotten punches, stray punches, leave, outings, supplements, weekend work).
//!
//! Times `reconcile_month` alone (data generation is excluded) and prints peak memory (VmHWM).
//! Run: `cargo bench -p kaoqin-domain --bench month`.

use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use kaoqin_domain::*;

/// A small deterministic generator (xorshift), so every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const EMPLOYEES: usize = 10_000;
const DEPARTMENTS: usize = 40;

fn at(date: NaiveDate, minute: i64) -> NaiveDateTime {
    date.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minute)
}

fn generate() -> (
    Vec<Employee>,
    Vec<Punch>,
    Vec<Request>,
    ScheduleBook,
    Calendar,
) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let cal = Calendar::bundled_cn();
    let mut book = ScheduleBook::with_presets("C");
    // Departments 0–9 use A, 10–19 B, 20–29 D, the rest C (the default); department 39 rotates.
    for dep in 0..DEPARTMENTS {
        let code = match dep / 10 {
            0 => "A",
            1 => "B",
            2 => "D",
            _ => continue,
        };
        book.assignments.push(Assignment {
            target: Target::Department(format!("D{dep:02}")),
            plan: PlanRef::Shift(code.into()),
            from: None,
            to: None,
        });
    }
    book.rotations.insert(
        "R".into(),
        Rotation {
            code: "R".into(),
            name: "四班三运转".into(),
            start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
            cycle: vec![Some("D".into()), Some("D".into()), Some("D".into()), None],
        },
    );
    book.assignments.push(Assignment {
        target: Target::Department("D39".into()),
        plan: PlanRef::Rotation("R".into()),
        from: None,
        to: None,
    });

    let month_start = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default();
    let mut employees = Vec::with_capacity(EMPLOYEES);
    let mut punches = Vec::with_capacity(1_300_000);
    let mut requests = Vec::new();
    let now = at(
        NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default(),
        600,
    );
    for i in 0..EMPLOYEES {
        let no = format!("{:06}", 100_000 + i);
        let dep = i % DEPARTMENTS;
        let mut e = Employee::new(&no, "员工", &format!("D{dep:02}"));
        if i % 200 == 0 {
            e.hired = Some(month_start + Duration::days(14));
        }
        if i % 250 == 1 {
            e.left = Some(month_start + Duration::days(19));
        }
        // The four punch times (minutes) for this department's shift.
        let base: [i64; 4] = match dep / 10 {
            0 => [8 * 60 + 45, 12 * 60 + 40, 13 * 60 + 20, 17 * 60 + 40],
            1 => [8 * 60 + 45, 12 * 60, 13 * 60, 18 * 60],
            2 => [7 * 60 + 20, 12 * 60 + 2, 13 * 60 + 50, 19 * 60 + 3],
            _ => [8 * 60 + 50, 12 * 60 + 5, 13 * 60 + 25, 17 * 60 + 35],
        };
        for day in 0..31 {
            let date = month_start + Duration::days(day);
            for (k, &m) in base.iter().enumerate() {
                let roll = rng.below(1000);
                if roll < 10 {
                    continue; // forgotten punch
                }
                let jitter = rng.below(21) as i64 - 10;
                let late = if roll < 40 && k % 2 == 0 {
                    5 + rng.below(60) as i64
                } else {
                    0
                };
                let ot = if k == 3 && roll > 900 {
                    30 + rng.below(120) as i64
                } else {
                    0
                };
                let ts = at(date, m + jitter + late + ot);
                let state = if k % 2 == 0 { 0 } else { 1 };
                punches.push(Punch {
                    enrollment_no: no.clone(),
                    ts,
                    verify_mode: 15,
                    in_out_state: state,
                    terminal_serial: "CN0001".into(),
                });
                if roll > 985 {
                    // Pressed twice.
                    punches.push(Punch {
                        enrollment_no: no.clone(),
                        ts: ts + Duration::seconds(20),
                        verify_mode: 15,
                        in_out_state: state,
                        terminal_serial: "CN0001".into(),
                    });
                }
            }
        }
        let mk = |id: u64, kind: RequestKind| {
            let mut r = Request::draft(id, &no, kind, "bench", now);
            r.state = RequestState::Approved;
            r
        };
        let id = i as u64 * 10;
        let day = month_start + Duration::days((i % 20) as i64 + 8);
        if i % 20 == 0 {
            requests.push(mk(
                id,
                RequestKind::Leave {
                    leave_type: "annual".into(),
                    span: Span::Days {
                        from: day,
                        to: day + Duration::days(2),
                    },
                },
            ));
        }
        if i % 50 == 3 {
            requests.push(mk(
                id + 1,
                RequestKind::Outing {
                    place: "外单位".into(),
                    span: Span::Session {
                        date: day,
                        session: 1,
                    },
                },
            ));
        }
        if i % 100 == 7 {
            requests.push(mk(
                id + 2,
                RequestKind::Supplement {
                    at: at(day, 8 * 60 + 50),
                    punch: PunchKind::In,
                    evidence: "记录".into(),
                },
            ));
        }
        employees.push(e);
    }
    (employees, punches, requests, book, cal)
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is accepted.
    let t0 = Instant::now();
    let (employees, punches, requests, book, cal) = generate();
    println!(
        "generated {} employees, {} punches, {} requests in {:.2?}",
        employees.len(),
        punches.len(),
        requests.len(),
        t0.elapsed()
    );
    println!(
        "peak RSS after generation: {} MiB",
        peak_rss_kib().unwrap_or(0) / 1024
    );
    let now = at(
        NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default(),
        600,
    );
    let input = MonthInput {
        year: 2026,
        month: 10,
        employees: &employees,
        punches: &punches,
        requests: &requests,
        book: &book,
        calendar: &cal,
        now,
    };
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let t = Instant::now();
        let r = reconcile_month(&input);
        times.push(t.elapsed());
        last = Some(r);
    }
    times.sort();
    if let Some(r) = last {
        let o = &r.organisation;
        println!(
            "days {}  required {}  late {}  early {}  absent sessions {}  missing {}  supplements {}  OT workday/rest/holiday {}/{}/{} min",
            r.days.len(),
            o.required_days,
            o.late_count,
            o.early_count,
            o.absent_sessions,
            o.missing_punches(),
            o.supplements,
            o.overtime_workday,
            o.overtime_restday,
            o.overtime_holiday
        );
        let t = Instant::now();
        let csv = r.csv();
        println!("csv: {} bytes in {:.2?}", csv.len(), t.elapsed());
    }
    println!(
        "reconcile_month x5: min {:.3?}  median {:.3?}  max {:.3?}",
        times[0], times[2], times[4]
    );
    println!(
        "peak RSS (VmHWM, whole process incl. input and one result): {} MiB",
        peak_rss_kib().unwrap_or(0) / 1024
    );
}
