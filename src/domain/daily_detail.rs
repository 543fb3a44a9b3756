//! The daily detail (日报): every punch of an employee-day with how it was verified, where it came
//! from and what the day's reconciliation used it as; and the names of the verification modes.
//!
//! Reads a `DayResult`, never decides anything (that is `matching` and `reconcile`).

use serde::{Deserialize, Serialize};

use crate::reconcile::DayResult;

/// How a punch was verified (ZK verify-mode numbers; other drivers map to these).
pub fn verify_name_zh(mode: u8) -> &'static str {
    match mode {
        15 | 16 => "人脸",
        1 => "指纹",
        0 | 3 => "密码",
        2 | 4 => "刷卡",
        _ => "其他",
    }
}

/// Whether a verify mode is anything but face (DOMAIN §2.4: password and fingerprint are ways to cheat).
pub fn is_non_face(mode: u8) -> bool {
    !matches!(mode, 15 | 16)
}

/// One line of the daily detail (日报): a punch, how it was verified, where, and what it counted as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailLine {
    pub ts: chrono::NaiveDateTime,
    pub verify_mode: u8,
    pub verify_zh: String,
    pub non_face: bool,
    pub terminal_serial: String,
    pub in_out_state: u8,
    /// sign_in, sign_out, duplicate, extra (a spare punch of `session`), unmatched (ignored by the
    /// rule), other
    pub used_as: String,
    /// The session (0-based) for sign_in / sign_out.
    pub session: Option<usize>,
    /// Where the punch came from (download, USB import, CSV import). The domain's punches do not carry
    /// it: `daily_detail` leaves `None` and the caller holding the ledger fills it in (a `None` left on
    /// screen reads "origin unknown", never as terminal evidence).
    #[serde(default)]
    pub origin: Option<crate::people::PunchOrigin>,
}

/// The daily detail of one employee-day: every punch of the work date (pass the same punches given to
/// reconciliation), in time order, with its use in `result`.
pub fn daily_detail(punches: &[crate::people::Punch], result: &DayResult) -> Vec<DetailLine> {
    use crate::clock::ClockTime;
    let mut ps: Vec<&crate::people::Punch> = punches
        .iter()
        .filter(|p| p.enrollment_no == result.employee_no)
        .collect();
    ps.sort_by_key(|p| (p.ts, p.in_out_state));
    let mut out: Vec<DetailLine> = Vec::with_capacity(ps.len());
    let mut last_kept: Option<chrono::NaiveDateTime> = None;
    for p in ps {
        let t = ClockTime::of(p.ts, result.date);
        let (used_as, session) = if last_kept.is_some_and(|k| (p.ts - k).num_seconds() < 60) {
            ("duplicate", None)
        } else {
            last_kept = Some(p.ts);
            if result.unmatched.contains(&p.ts) {
                ("unmatched", None)
            } else if let Some(&(_, i)) = result.extra.iter().find(|(ts, _)| *ts == p.ts) {
                ("extra", Some(i))
            } else if let Some(s) = result
                .sessions
                .iter()
                .find(|s| s.sign_in == Some(t) && !s.in_supplemented)
            {
                ("sign_in", Some(s.index))
            } else if let Some(s) = result
                .sessions
                .iter()
                .find(|s| s.sign_out == Some(t) && !s.out_supplemented)
            {
                ("sign_out", Some(s.index))
            } else {
                ("other", None)
            }
        };
        out.push(DetailLine {
            ts: p.ts,
            verify_mode: p.verify_mode,
            verify_zh: verify_name_zh(p.verify_mode).to_string(),
            non_face: is_non_face(p.verify_mode),
            terminal_serial: p.terminal_serial.clone(),
            in_out_state: p.in_out_state,
            used_as: used_as.to_string(),
            session,
            origin: None,
        });
    }
    out
}
