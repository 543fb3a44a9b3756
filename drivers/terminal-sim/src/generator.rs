//! Seeded generator of a realistic office: employees and their punches following an 08:30–09:15 in /
//! 17:30–18:30 out schedule, with lateness, early leaving, missing punches, double taps, weekend
//! overtime and a few password/fingerprint verifications (mostly face). Deterministic per seed: it
//! uses its own SplitMix64 so results never change with a dependency upgrade. No I/O.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};

use crate::model::{
    PRIV_SUPER_ADMIN, PRIV_USER, Punch, SimUser, VERIFY_FACE, VERIFY_FINGERPRINT, VERIFY_PASSWORD,
};

/// Parameters of `--employees N --days D --start DATE --seed S [--limit L]`.
#[derive(Debug, Clone)]
pub struct GenParams {
    pub employees: usize,
    pub days: u32,
    pub start: NaiveDate,
    pub seed: u64,
    /// Keep only the first `limit` punches (in time order).
    pub limit: Option<usize>,
    /// Weekdays nobody works (public holidays): like a weekend.
    pub days_off: BTreeSet<NaiveDate>,
    /// Weekend days everybody works (调休 make-up days): like a weekday.
    pub workdays: BTreeSet<NaiveDate>,
}

impl GenParams {
    /// Whether `day` is an office day: Monday to Friday, unless a day off; a weekend day only
    /// when it is a make-up workday.
    pub fn is_workday(&self, day: NaiveDate) -> bool {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if weekend {
            self.workdays.contains(&day)
        } else {
            !self.days_off.contains(&day)
        }
    }
}

/// SplitMix64: tiny, well-distributed, and stable forever.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/1000.
    fn permille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }
}

const SURNAMES: &[&str] = &[
    "张", "李", "王", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "欧阳",
    "司马",
];
const GIVEN: &[&str] = &[
    "伟", "娜", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "玉兰", "志强", "晓东",
    "娜娜", "子涵",
];
const LATIN: &[&str] = &["Li Wei", "Chen Jie", "Tom Wu", "Anna Ma", "Zhou Yi"];
/// The first employees always have these names so tests and demos can look for them.
const FIXED: &[&str] = &["张伟", "李娜", "王芳", "欧阳娜娜"];

/// Enrollment number of the i-th (0-based) generated employee.
pub fn employee_user_id(i: usize) -> String {
    (1001 + i).to_string()
}

pub fn generate_users(p: &GenParams) -> Vec<SimUser> {
    let mut rng = Rng(p.seed ^ 0x5EED_0000_0000_0001);
    (0..p.employees)
        .map(|i| {
            let name = if let Some(n) = FIXED.get(i) {
                (*n).to_string()
            } else if rng.permille(60) {
                LATIN[rng.below(LATIN.len() as u64) as usize].to_string()
            } else {
                let s = SURNAMES[rng.below(SURNAMES.len() as u64) as usize];
                let g = GIVEN[rng.below(GIVEN.len() as u64) as usize];
                // At most 4 hanzi, so the name fits the 8 bytes of a 28-byte user record in GBK.
                let take = 4usize.saturating_sub(s.chars().count());
                format!("{s}{}", g.chars().take(take).collect::<String>())
            };
            let privilege = if i == 0 { PRIV_SUPER_ADMIN } else { PRIV_USER };
            let has_password = i == 0 || rng.permille(80);
            let password = if has_password {
                format!("{:04}", rng.below(10_000))
            } else {
                String::new()
            };
            let card = if rng.permille(300) {
                10_000_000 + rng.below(9_000_000) as u32
            } else {
                0
            };
            SimUser {
                uid: (i + 1) as u16,
                user_id: employee_user_id(i),
                name,
                privilege,
                password,
                card,
                group: 1,
                has_fingerprint: rng.permille(250),
                has_face: !rng.permille(20),
            }
        })
        .collect()
}

fn at(day: NaiveDate, minutes_after_midnight: i64, secs: i64) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default()
        + Duration::seconds(minutes_after_midnight * 60 + secs)
}

fn verify_for(rng: &mut Rng, u: &SimUser) -> u8 {
    if !u.password.is_empty() && rng.permille(30) {
        VERIFY_PASSWORD
    } else if u.has_fingerprint && rng.permille(120) || !u.has_face {
        VERIFY_FINGERPRINT
    } else {
        VERIFY_FACE
    }
}

/// Punches of `users` over the period, sorted by time (ties by enrollment number).
pub fn generate_log(p: &GenParams, users: &[SimUser]) -> Vec<Punch> {
    let mut rng = Rng(p.seed);
    let mut out = Vec::with_capacity(users.len() * p.days as usize * 2);
    for d in 0..p.days {
        let Some(day) = p.start.checked_add_signed(Duration::days(i64::from(d))) else {
            break;
        };
        let weekend = !p.is_workday(day);
        for u in users {
            let mut push = |rng: &mut Rng, time: NaiveDateTime, state: u8| {
                let verify = verify_for(rng, u);
                out.push(Punch {
                    user_id: u.user_id.clone(),
                    time,
                    verify,
                    state,
                    workcode: 0,
                });
            };
            if weekend {
                // A few people come in for overtime.
                if rng.permille(40) {
                    let tin = at(day, 9 * 60 + rng.below(60) as i64, rng.below(60) as i64);
                    let tout = at(day, 14 * 60 + rng.below(180) as i64, rng.below(60) as i64);
                    push(&mut rng, tin, 4);
                    push(&mut rng, tout, 5);
                }
                continue;
            }
            if rng.permille(30) {
                continue; // absent (leave, sick, business trip)
            }
            if !rng.permille(20) {
                // In: mostly 08:30–09:00, 15% late up to 09:45.
                let minute = if rng.permille(150) {
                    9 * 60 + rng.below(46)
                } else {
                    8 * 60 + 30 + rng.below(30)
                };
                let tin = at(day, minute as i64, rng.below(60) as i64);
                push(&mut rng, tin, 0);
                if rng.permille(20) {
                    // Double tap: the face was not recognised fast enough.
                    let again = tin + Duration::seconds(3 + rng.below(40) as i64);
                    push(&mut rng, again, 0);
                }
            }
            if !rng.permille(30) {
                // Out: mostly 17:30–18:30, 7% leave early from 16:00.
                let minute = if rng.permille(70) {
                    16 * 60 + rng.below(90)
                } else {
                    17 * 60 + 30 + rng.below(61)
                };
                let tout = at(day, minute as i64, rng.below(60) as i64);
                push(&mut rng, tout, 1);
            }
        }
    }
    out.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.user_id.cmp(&b.user_id)));
    if let Some(limit) = p.limit {
        out.truncate(limit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(seed: u64) -> GenParams {
        GenParams {
            employees: 50,
            days: 14,
            start: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
            seed,
            limit: None,
            days_off: BTreeSet::new(),
            workdays: BTreeSet::new(),
        }
    }

    #[test]
    fn holidays_are_days_off_and_make_up_days_are_worked() {
        // 2026-03-02 is a Monday: take Tuesday 3rd off, work Saturday 7th.
        let day = |n| NaiveDate::from_ymd_opt(2026, 3, n).unwrap_or_default();
        let p = GenParams {
            days_off: [day(3)].into(),
            workdays: [day(7)].into(),
            ..params(42)
        };
        let users = generate_users(&p);
        let log = generate_log(&p, &users);
        let on = |n| log.iter().filter(|x| x.time.date() == day(n)).count();
        // A working day has about two punches a person; a day off only a little weekend overtime.
        assert!(on(2) > 80, "Monday: {}", on(2));
        assert!(on(3) < 20, "the day off: {}", on(3));
        assert!(on(7) > 80, "the make-up Saturday: {}", on(7));
        assert!(on(8) < 20, "Sunday: {}", on(8));
        let plain = generate_log(&params(42), &users);
        let plain_on = |n| plain.iter().filter(|x| x.time.date() == day(n)).count();
        assert!(
            plain_on(3) > 80 && plain_on(7) < 20,
            "without the lists: Mon–Fri"
        );
    }

    #[test]
    fn same_seed_same_data_other_seed_other_data() {
        let a = (
            generate_users(&params(7)),
            generate_log(&params(7), &generate_users(&params(7))),
        );
        let b = (
            generate_users(&params(7)),
            generate_log(&params(7), &generate_users(&params(7))),
        );
        let c = generate_log(&params(8), &generate_users(&params(8)));
        assert_eq!(a, b);
        assert_ne!(a.1, c);
    }

    #[test]
    fn schedule_is_realistic() {
        let p = params(42);
        let users = generate_users(&p);
        let log = generate_log(&p, &users);
        // 10 weekdays × 50 people × ~2 punches, minus absences and missing punches.
        assert!(log.len() > 800 && log.len() < 1100, "{} punches", log.len());
        let ins: Vec<_> = log.iter().filter(|x| x.state == 0).collect();
        let late = ins
            .iter()
            .filter(|x| {
                x.time.time() > chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default()
            })
            .count();
        assert!(
            late > 0 && late < ins.len() / 3,
            "late {late} of {}",
            ins.len()
        );
        assert!(log.iter().any(|x| x.verify == VERIFY_PASSWORD));
        assert!(log.iter().any(|x| x.verify == VERIFY_FINGERPRINT));
        let face = log.iter().filter(|x| x.verify == VERIFY_FACE).count();
        assert!(face * 10 > log.len() * 7, "face {face} of {}", log.len());
        assert!(log.windows(2).all(|w| w[0].time <= w[1].time));
    }

    #[test]
    fn names_include_chinese_and_fit_28_byte_records() {
        let users = generate_users(&params(1));
        let names: Vec<_> = users.iter().map(|u| u.name.as_str()).collect();
        assert_eq!(&names[..4], &["张伟", "李娜", "王芳", "欧阳娜娜"]);
        for u in &users {
            let (gbk, _, bad) = encoding_rs::GBK.encode(&u.name);
            assert!(
                !bad && gbk.len() <= 8,
                "{} is {} GBK bytes",
                u.name,
                gbk.len()
            );
        }
        assert_eq!(users[0].privilege, PRIV_SUPER_ADMIN);
    }

    #[test]
    fn limit_truncates() {
        let mut p = params(3);
        p.limit = Some(100);
        let users = generate_users(&p);
        assert_eq!(generate_log(&p, &users).len(), 100);
    }
}
