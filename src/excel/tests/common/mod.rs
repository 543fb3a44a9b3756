//! A month built with the real domain (employees, punches, preset shifts, the bundled CN calendar,
//! approved requests, `reconcile_month`) for the export tests and the benchmark.
#![allow(dead_code)]

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use kaoqin_domain::report::SymbolSet;
use kaoqin_domain::request::default_leave_types;
use kaoqin_domain::*;
use kaoqin_excel::PunchRow;

pub struct World {
    pub employees: Vec<Employee>,
    pub punches: Vec<Punch>,
    pub requests: Vec<Request>,
    pub result: MonthResult,
    pub symbols: SymbolSet,
    pub types: Vec<LeaveType>,
    pub punch_rows: Vec<PunchRow>,
}

pub const DEPARTMENTS: [&str; 3] = ["办公室", "财务处", "信息中心"];
const NAMES: [&str; 8] = [
    "张三", "李四", "王五", "赵六", "钱七", "孙八", "周九", "吴十",
];

fn at(date: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    date.and_hms_opt(h, m, 0).unwrap_or_default()
}

fn approved(id: u64, no: &str, kind: RequestKind, reason: &str) -> Request {
    let now = at(
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default(),
        8,
        0,
    );
    let r = Request::draft(id, no, kind, reason, now);
    let r = transition(&r, Action::Submit, no, false, now).unwrap_or(r);
    transition(
        &r,
        Action::Approve {
            comment: String::new(),
        },
        "leader",
        true,
        now,
    )
    .unwrap_or(r)
}

/// October 2026 (National Day holidays 1–7, make-up Saturday 10th) for `n` employees on preset C, with
/// late, early, absent, forgotten punches, leave, outings, trips, supplements and weekend overtime.
pub fn october(n: usize) -> World {
    let cal = Calendar::bundled_cn();
    let book = ScheduleBook::with_presets("C");
    let mut employees = Vec::with_capacity(n);
    let mut punches = Vec::with_capacity(n * 50);
    let mut requests = Vec::new();
    let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default();
    let dates: Vec<NaiveDate> = first.iter_days().take_while(|d| d.month() == 10).collect();
    let d = |day: u32| NaiveDate::from_ymd_opt(2026, 10, day).unwrap_or_default();
    for i in 0..n {
        let no = format!("{:05}", 10001 + i);
        let dept = DEPARTMENTS[i % DEPARTMENTS.len()];
        let mut e = Employee::new(
            &no,
            &format!("{}{}", NAMES[i % NAMES.len()], i / NAMES.len()),
            dept,
        );
        if i % 47 == 5 {
            e.hired = Some(d(15));
        }
        if i % 53 == 7 {
            e.left = Some(d(20));
        }
        employees.push(e);
        for (k, &date) in dates.iter().enumerate() {
            let kind = cal.day(date).kind;
            if !kind.is_working() {
                // Weekend overtime for some.
                if kind == DayKind::RestDay && (i + k) % 17 == 0 {
                    punches.push(punch(&no, at(date, 9, 0)));
                    punches.push(punch(&no, at(date, 12, 0)));
                }
                continue;
            }
            if i % 6 == 4 && date == d(28) {
                // Forgot to sign in; a supplement (补签) fills it.
                punches.push(punch(&no, at(date, 17, 35)));
                continue;
            }
            match (i * 7 + k) % 23 {
                0 => {
                    punches.push(punch(&no, at(date, 9, 25)));
                    punches.push(punch(&no, at(date, 17, 35)));
                }
                1 => {
                    punches.push(punch(&no, at(date, 8, 50)));
                    punches.push(punch(&no, at(date, 16, 50)));
                }
                2 => {}                                         // absent
                3 => punches.push(punch(&no, at(date, 8, 50))), // forgot to sign out
                _ => {
                    punches.push(punch(&no, at(date, 8, 50)));
                    punches.push(punch(&no, at(date, 17, 35)));
                }
            }
        }
        let id = requests.len() as u64 + 1;
        match i % 6 {
            0 => requests.push(approved(
                id,
                &no,
                RequestKind::Leave {
                    leave_type: "annual".into(),
                    span: Span::Days {
                        from: d(13),
                        to: d(14),
                    },
                },
                "休假",
            )),
            1 => requests.push(approved(
                id,
                &no,
                RequestKind::Leave {
                    leave_type: "sick".into(),
                    span: Span::Session {
                        date: d(20),
                        session: 1,
                    },
                },
                "住院检查",
            )),
            2 => requests.push(approved(
                id,
                &no,
                RequestKind::Outing {
                    place: "市局".into(),
                    span: Span::Days {
                        from: d(21),
                        to: d(21),
                    },
                },
                "送文件",
            )),
            3 => requests.push(approved(
                id,
                &no,
                RequestKind::Trip {
                    destination: "北京".into(),
                    span: Span::Days {
                        from: d(26),
                        to: d(27),
                    },
                },
                "培训",
            )),
            4 => requests.push(approved(
                id,
                &no,
                RequestKind::Supplement {
                    at: at(d(28), 8, 55),
                    punch: PunchKind::In,
                    evidence: "王科长".into(),
                },
                "忘记打卡",
            )),
            _ => {}
        }
    }
    let now = at(
        NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default(),
        10,
        0,
    );
    let result = reconcile_month(&MonthInput {
        year: 2026,
        month: 10,
        employees: &employees,
        punches: &punches,
        requests: &requests,
        book: &book,
        calendar: &cal,
        now,
    });
    let types = default_leave_types();
    let symbols = SymbolSet::with_leave_types(&types);
    let punch_rows = PunchRow::from_punches(&punches, &employees);
    World {
        employees,
        punches,
        requests,
        result,
        symbols,
        types,
        punch_rows,
    }
}

pub fn punch(no: &str, ts: NaiveDateTime) -> Punch {
    Punch {
        enrollment_no: no.into(),
        ts,
        verify_mode: 15,
        in_out_state: 0,
        terminal_serial: "CKUJ2024".into(),
    }
}

impl World {
    pub fn report<'a>(&'a self, organisation: &'a str) -> kaoqin_excel::MonthReport<'a> {
        kaoqin_excel::MonthReport {
            organisation,
            result: &self.result,
            employees: &self.employees,
            requests: &self.requests,
            symbols: &self.symbols,
            leave_types: &self.types,
            punches: &self.punch_rows,
        }
    }
}
