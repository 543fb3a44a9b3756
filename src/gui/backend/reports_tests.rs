//! Tests of the Reports page's backend (rows, cells and explanations built from a month).

use super::*;

#[test]
fn months_move_across_years() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
    assert_eq!(previous_month(d(2026, 1, 15)), "2025-12");
    assert_eq!(previous_month(d(2026, 3, 31)), "2026-02");
    assert_eq!(shift_month("2026-01", -1).as_deref(), Some("2025-12"));
    assert_eq!(shift_month("2025-12", 1).as_deref(), Some("2026-01"));
    assert_eq!(shift_month("2026-05", 0).as_deref(), Some("2026-05"));
    // The one month grammar (`kaoqin_domain::Month`) reads 2026-5 as May 2026.
    assert_eq!(shift_month("2026-5", 1).as_deref(), Some("2026-06"));
    assert_eq!(shift_month("2026-13", 1), None);
    assert_eq!(shift_month("9999-12", 1), None);
    assert_eq!(shift_month("soon", 1), None);
}

#[test]
fn export_names_carry_month_and_department_and_no_bad_characters() {
    assert_eq!(
        export_file_name("2026-03", None, false),
        "考勤月报-2026-03.xlsx"
    );
    assert_eq!(
        export_file_name("2026-03", Some("办公室"), true),
        "考勤月报-2026-03-办公室-csv"
    );
    assert_eq!(
        export_file_name("2026-03", Some("a/b:c"), false),
        "考勤月报-2026-03-a_b_c.xlsx"
    );
}

#[test]
fn verify_modes_follow_the_domain() {
    assert_eq!(verify_code(15), "face");
    assert_eq!(verify_code(1), "fingerprint");
    assert_eq!(verify_code(0), "password");
    assert_eq!(verify_code(4), "card");
    assert_eq!(verify_code(99), "other");
}

#[test]
fn export_errors_name_the_unwritable_file() {
    let e = export_error(AppError::Invalid {
        field: "export",
        reason: "/nope/x.xlsx: denied".into(),
    });
    assert_eq!(e.key, "reports.error_not_writable");
    assert!(e.detail.contains("/nope/x.xlsx"));
    let e = export_error(AppError::Invalid {
        field: "month",
        reason: "bad".into(),
    });
    assert_eq!(e.key, "reports.error_bad_month");
}
