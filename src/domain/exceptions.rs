//! The exception list (异常报表): everything on a month a clerk must look at before signing it.
//!
//! Late, early, absent and missing punches per session (1-based, as on the sheet), punches the rule
//! ignored, punches not verified by face (docs/domain.md §2.4), and requests still awaiting approval. Spare
//! punches that the day's rule or an approved request explains (leaving at noon on an afternoon-leave
//! day) are not exceptions. Produces rows only; must not format sheets or read files.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::month::MonthResult;
use crate::people::{Employee, Punch};
use crate::reconcile::DayResult;
use crate::report::{is_non_face, span_text, verify_name_zh};
use crate::request::{Request, RequestKind, RequestState};
use crate::timefmt::{fmt_datetime, fmt_time};

/// One line of the exception list (异常报表).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionEntry {
    pub employee_no: String,
    pub name: String,
    pub department: String,
    pub date: NaiveDate,
    /// late, early, absent, missing_in, missing_out, unmatched, non_face, awaiting_approval
    pub code: String,
    /// The session (0-based; printed 1-based as 第N时段).
    pub session: Option<usize>,
    pub minutes: u32,
    pub detail_zh: String,
}

/// Every exception of the month, by employee then date. `requests` and `punches` may hold anything:
/// only submitted requests touching the month and the month's punches of its employees are used.
pub fn exceptions(
    result: &MonthResult,
    employees: &[Employee],
    requests: &[Request],
    punches: &[Punch],
) -> Vec<ExceptionEntry> {
    let by_no: BTreeMap<&str, &Employee> = employees.iter().map(|e| (e.no.as_str(), e)).collect();
    // Non-face punches by (employee, calendar date), in time order.
    let mut non_face: BTreeMap<(&str, NaiveDate), Vec<&Punch>> = BTreeMap::new();
    for p in punches.iter().filter(|p| is_non_face(p.verify_mode)) {
        non_face
            .entry((p.enrollment_no.as_str(), p.ts.date()))
            .or_default()
            .push(p);
    }
    non_face.values_mut().for_each(|v| v.sort_by_key(|p| p.ts));
    // Submitted requests, placed on their first date inside the month.
    let first = result.days.iter().map(|d| d.date).min();
    let last = result.days.iter().map(|d| d.date).max();
    let mut waiting: BTreeMap<(&str, NaiveDate), Vec<&Request>> = BTreeMap::new();
    if let (Some(first), Some(last)) = (first, last) {
        for r in requests
            .iter()
            .filter(|r| r.state == RequestState::Submitted)
        {
            let (a, b) = r.kind.dates();
            if a <= last && b >= first {
                waiting
                    .entry((r.employee_no.as_str(), a.max(first)))
                    .or_default()
                    .push(r);
            }
        }
    }
    let mut out = Vec::new();
    for d in &result.days {
        let (name, dept) = by_no
            .get(d.employee_no.as_str())
            .map_or((String::new(), String::new()), |e| {
                (e.name.clone(), e.department.clone())
            });
        let mut push = |code: &str, session: Option<usize>, minutes: u32, detail: String| {
            out.push(ExceptionEntry {
                employee_no: d.employee_no.clone(),
                name: name.clone(),
                department: dept.clone(),
                date: d.date,
                code: code.to_string(),
                session,
                minutes,
                detail_zh: detail,
            });
        };
        session_entries(d, &mut push);
        for ts in &d.unmatched {
            push(
                "unmatched",
                None,
                0,
                format!(
                    "{} 打卡未计入（不在任何签到、签退时段内）",
                    ts.format("%H:%M:%S")
                ),
            );
        }
        let key = (d.employee_no.as_str(), d.date);
        for p in non_face.get(&key).into_iter().flatten() {
            push(
                "non_face",
                None,
                0,
                format!(
                    "{} {}打卡（非人脸验证）",
                    p.ts.format("%H:%M:%S"),
                    verify_name_zh(p.verify_mode)
                ),
            );
        }
        for r in waiting.get(&key).into_iter().flatten() {
            push("awaiting_approval", None, 0, waiting_text(r));
        }
    }
    out
}

fn session_entries(d: &DayResult, push: &mut impl FnMut(&str, Option<usize>, u32, String)) {
    for s in &d.sessions {
        let n = s.index + 1;
        if s.absent {
            push("absent", Some(s.index), 0, format!("第{n}时段旷工"));
        }
        if s.is_late() {
            push(
                "late",
                Some(s.index),
                s.late_minutes,
                format!("第{n}时段迟到{}分钟", s.late_minutes),
            );
        }
        if s.is_early() {
            push(
                "early",
                Some(s.index),
                s.early_minutes,
                format!("第{n}时段早退{}分钟", s.early_minutes),
            );
        }
        if s.missing_in {
            push("missing_in", Some(s.index), 0, format!("第{n}时段缺签到"));
        }
        if s.missing_out {
            push("missing_out", Some(s.index), 0, format!("第{n}时段缺签退"));
        }
    }
}

/// "请假 2026-11-16 第1时段（第12号申请，待审批）": the kind and span, never the reason (it may be private).
fn waiting_text(r: &Request) -> String {
    let (kind, when) = match &r.kind {
        RequestKind::Leave { span, .. } => ("请假", span_text(span)),
        RequestKind::Outing { span, .. } => ("因公外出", span_text(span)),
        RequestKind::Trip { span, .. } => ("出差", span_text(span)),
        RequestKind::Supplement { at, .. } => ("补签", fmt_datetime(*at)),
        RequestKind::Overtime { from, to } => (
            "加班",
            format!("{} 至 {}", fmt_datetime(*from), fmt_time(to.time())),
        ),
    };
    format!("{kind} {when}（第{}号申请，待审批）", r.id)
}
