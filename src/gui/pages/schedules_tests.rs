//! Tests of the Schedules page's forms (rotations, assignments, calendar entries).

use super::*;
use crate::gui::pages::schedules_calendar::day_entry;
use chrono::NaiveDate;
use kaoqin_domain::DayKind;

#[test]
fn rotation_form_parses_cycle_and_reports_fields() {
    let f = RotationForm {
        code: "R1".into(),
        name: "三班".into(),
        start: "2026-01-05".into(),
        cycle: "A, A，-,B".into(),
        errors: vec![],
    };
    let r = build_rotation(&f).expect("valid");
    assert_eq!(
        r.cycle,
        vec![Some("A".into()), Some("A".into()), None, Some("B".into())]
    );
    // 2026/01/05 is read like 2026-01-05 everywhere now (`timefmt::parse_date`); an
    // impossible date is still refused.
    let slashes = RotationForm {
        start: "2026/01/05".into(),
        ..f.clone()
    };
    assert_eq!(build_rotation(&slashes).map(|r| r.start), Ok(r.start));
    let bad = RotationForm {
        start: "2026-02-30".into(),
        ..Default::default()
    };
    let errs = build_rotation(&bad).expect_err("invalid");
    let fields: Vec<_> = errs.iter().map(|e| e.0).collect();
    assert_eq!(fields, vec!["code", "start", "cycle"]);
}

#[test]
fn statutory_flag_only_on_holidays() {
    let d = NaiveDate::from_ymd_opt(2026, 10, 10).expect("date");
    assert!(!day_entry(d, DayKind::Workday, "x", true).statutory);
    assert!(day_entry(d, DayKind::PublicHoliday, " 国庆节 ", true).statutory);
    assert_eq!(
        day_entry(d, DayKind::PublicHoliday, " 国庆节 ", true).name,
        "国庆节"
    );
}
