//! The shipped 2025/2026 calendars and the JSON/CSV forms.

mod common;

use common::*;
use kaoqin_domain::*;

#[test]
fn shipped_days_table() {
    let cal = Calendar::bundled_cn();
    // (date, kind, statutory)
    let cases = [
        ("2025-01-01", DayKind::PublicHoliday, true),
        ("2025-01-26", DayKind::MakeupWorkday, false),
        ("2025-01-28", DayKind::PublicHoliday, true),
        ("2025-01-31", DayKind::PublicHoliday, true),
        ("2025-02-01", DayKind::PublicHoliday, false),
        ("2025-02-04", DayKind::PublicHoliday, false),
        ("2025-02-05", DayKind::Workday, false),
        ("2025-02-08", DayKind::MakeupWorkday, false),
        ("2025-04-04", DayKind::PublicHoliday, true),
        ("2025-04-06", DayKind::PublicHoliday, false),
        ("2025-04-27", DayKind::MakeupWorkday, false),
        ("2025-05-02", DayKind::PublicHoliday, true),
        ("2025-05-05", DayKind::PublicHoliday, false),
        ("2025-05-31", DayKind::PublicHoliday, true),
        ("2025-06-02", DayKind::PublicHoliday, false),
        ("2025-09-28", DayKind::MakeupWorkday, false),
        ("2025-10-03", DayKind::PublicHoliday, true),
        ("2025-10-06", DayKind::PublicHoliday, true),
        ("2025-10-08", DayKind::PublicHoliday, false),
        ("2025-10-11", DayKind::MakeupWorkday, false),
        ("2025-10-12", DayKind::RestDay, false),
        ("2026-01-01", DayKind::PublicHoliday, true),
        ("2026-01-02", DayKind::PublicHoliday, false),
        ("2026-01-04", DayKind::MakeupWorkday, false),
        ("2026-02-14", DayKind::MakeupWorkday, false),
        ("2026-02-15", DayKind::PublicHoliday, false),
        ("2026-02-16", DayKind::PublicHoliday, true),
        ("2026-02-19", DayKind::PublicHoliday, true),
        ("2026-02-23", DayKind::PublicHoliday, false),
        ("2026-02-28", DayKind::MakeupWorkday, false),
        ("2026-04-05", DayKind::PublicHoliday, true),
        ("2026-04-06", DayKind::PublicHoliday, false),
        ("2026-05-09", DayKind::MakeupWorkday, false),
        ("2026-06-19", DayKind::PublicHoliday, true),
        ("2026-09-20", DayKind::MakeupWorkday, false),
        ("2026-09-25", DayKind::PublicHoliday, true),
        ("2026-10-01", DayKind::PublicHoliday, true),
        ("2026-10-04", DayKind::PublicHoliday, false),
        ("2026-10-07", DayKind::PublicHoliday, false),
        ("2026-10-10", DayKind::MakeupWorkday, false),
        ("2026-11-16", DayKind::Workday, false),
        ("2026-11-21", DayKind::RestDay, false),
    ];
    for (date, kind, statutory) in cases {
        let info = cal.day(d(date));
        assert_eq!((info.kind, info.statutory), (kind, statutory), "{date}");
    }
    assert!(cal.has_year(2025) && cal.has_year(2026) && !cal.has_year(2027));
}

#[test]
fn statutory_day_counts_follow_the_2025_rules() {
    let cal = Calendar::bundled_cn();
    for year in [2025, 2026] {
        let n = cal
            .entries_between(d(&format!("{year}-01-01")), d(&format!("{year}-12-31")))
            .filter(|e| e.statutory)
            .count();
        assert_eq!(n, 13, "{year}: 元旦1+春节4+清明1+劳动2+端午1+中秋1+国庆3");
    }
}

#[test]
fn json_round_trip_and_sources() {
    let cal = Calendar::bundled_cn();
    let json = cal.to_json(2026);
    let file = Calendar::parse_json(&json).unwrap();
    assert_eq!(file.year, 2026);
    assert!(file.source.contains("2026"));
    let mut again = Calendar::empty();
    again.load_year(&file);
    assert_eq!(again.day(d("2026-10-10")).kind, DayKind::MakeupWorkday);
}

#[test]
fn json_errors_are_reported() {
    assert!(matches!(
        Calendar::parse_json("{"),
        Err(CalendarError::Json(_))
    ));
    let wrong_year = r#"{"year":2026,"days":[{"date":"2025-01-01","type":"public_holiday"}]}"#;
    assert!(matches!(
        Calendar::parse_json(wrong_year),
        Err(CalendarError::WrongYear { .. })
    ));
    let bad_flag =
        r#"{"year":2026,"days":[{"date":"2026-03-02","type":"workday","statutory":true}]}"#;
    assert!(matches!(
        Calendar::parse_json(bad_flag),
        Err(CalendarError::StatutoryOnNonHoliday { .. })
    ));
}

#[test]
fn csv_import_and_local_days() {
    let text = "date,type,name,statutory\n2026-03-08,other_holiday,妇女节(下午),false\n2026-06-01,调休上班,,否\n";
    let entries = Calendar::parse_csv(text).unwrap();
    assert_eq!(entries.len(), 2);
    let mut cal = Calendar::bundled_cn();
    for e in entries {
        cal.set_day(e).unwrap();
    }
    assert_eq!(cal.day_type(d("2026-03-08")), DayKind::OtherHoliday);
    assert_eq!(cal.day_type(d("2026-06-01")), DayKind::MakeupWorkday);
    let csv = cal.to_csv(d("2026-03-01"), d("2026-03-31"));
    assert_eq!(
        csv,
        "date,type,name,statutory\n2026-03-08,other_holiday,妇女节(下午),false\n"
    );
    assert!(cal.remove_day(d("2026-03-08")).is_some());
    assert_eq!(cal.day_type(d("2026-03-08")), DayKind::RestDay);
}

#[test]
fn csv_errors_name_line_and_field() {
    let cases = [
        ("2026-13-01,workday,,", 1, "date"),
        ("date,type\n2026-03-01,weekday,,", 2, "type"),
        ("2026-03-01,public_holiday,x,maybe", 1, "statutory"),
        ("\n\n2026-03-02,workday,x,true", 3, "statutory"),
        // The same date twice: named at its second line, whatever the two lines say.
        (
            "date,type,name,statutory\n2026-03-13,other_holiday,x,false\n2026-03-13,workday,y,false",
            3,
            "date",
        ),
        ("2026-03-13,workday,,\n2026-03-13,workday,,", 2, "date"),
    ];
    for (text, want_line, want_field) in cases {
        match Calendar::parse_csv(text) {
            Err(CalendarError::Csv { line, field, .. }) => {
                assert_eq!((line, field), (want_line, want_field), "{text}")
            }
            other => panic!("{text}: expected a CSV error, got {other:?}"),
        }
    }
}
