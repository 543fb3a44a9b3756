//! The exception list is complete and quiet: requests awaiting approval and non-face punches are on
//! it; a spare punch that an approved half-day leave explains is not; sessions are 1-based.

mod common;

use common::*;
use kaoqin_domain::report;
use kaoqin_domain::*;

#[test]
fn exceptions_list_waiting_requests_and_non_face_punches_but_not_explained_punches() {
    let cal = Calendar::bundled_cn();
    let employees = vec![emp("1001")];
    let mut all = Vec::new();
    for day in 1..=30 {
        let date = d(&format!("2026-11-{day:02}"));
        if !cal.day(date).kind.is_working() {
            continue;
        }
        let times: &[&str] = match day {
            // Afternoon leave: leaving at 12:05 is explained.
            16 => &["08:50", "12:05"],
            19 => &["09:10", "17:00"],
            _ => &["08:50", "18:00"],
        };
        all.extend(punches("1001", date, times));
    }
    let mut punches = all;
    // The 17th's sign-in was a fingerprint.
    for p in punches
        .iter_mut()
        .filter(|p| p.ts == ts("2026-11-17 08:50"))
    {
        p.verify_mode = 1;
    }
    let half = |id: u64, day: &str, session: usize| {
        approved(
            id,
            "1001",
            RequestKind::Leave {
                leave_type: "personal".into(),
                span: Span::Session {
                    date: d(day),
                    session,
                },
            },
        )
    };
    let requests = vec![
        half(6, "2026-11-16", 1),
        with_state(half(7, "2026-11-18", 0), RequestState::Submitted),
    ];
    let book = ScheduleBook::with_presets("B");
    let m = reconcile_month(&MonthInput {
        year: 2026,
        month: 11,
        employees: &employees,
        punches: &punches,
        requests: &requests,
        book: &book,
        calendar: &cal,
        now: ts("2026-12-01 09:00"),
    });
    let got: Vec<(String, String, Option<usize>, u32, String)> =
        report::exceptions(&m, &employees, &requests, &punches)
            .into_iter()
            .map(|e| {
                (
                    e.date.to_string(),
                    e.code,
                    e.session,
                    e.minutes,
                    e.detail_zh,
                )
            })
            .collect();
    let want = vec![
        (
            "2026-11-17",
            "non_face",
            None,
            0,
            "08:50:00 指纹打卡（非人脸验证）",
        ),
        (
            "2026-11-18",
            "awaiting_approval",
            None,
            0,
            "请假 2026-11-18 第1时段（第7号申请，待审批）",
        ),
        ("2026-11-19", "late", Some(0), 15, "第1时段迟到15分钟"),
        ("2026-11-19", "early", Some(1), 55, "第2时段早退55分钟"),
    ];
    let want: Vec<(String, String, Option<usize>, u32, String)> = want
        .into_iter()
        .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c, d, e.to_string()))
        .collect();
    assert_eq!(got, want);
}
