//! The snapshot diff report read back with calamine: one sheet per kind, a header row, and rows
//! equal to the diff it was given (texts, numbers, timestamps), in zh-CN and en. Also: the header
//! row is frozen (sheet XML), and empty kinds still get their sheet. Builds the report by hand:
//! must not depend on the sync layer's diff (the excel crate does not know it).

use std::io::Read;

use calamine::{Data, Reader, open_workbook_auto};
use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_excel::{
    DiffClock, DiffPunch, DiffTimeChange, DiffUser, DiffUserKind, DiffUserState, Locale,
    SnapshotDiffReport, export_snapshot_diff_xlsx,
};

fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, d)
        .and_then(|x| x.and_hms_opt(h, m, 7))
        .unwrap()
}

fn punch(pos: u64, no: &str, t: NaiveDateTime) -> DiffPunch {
    DiffPunch {
        position: Some(pos),
        enrollment_no: no.into(),
        timestamp: t,
        verify: Some(15),
        state: Some(0),
    }
}

fn text(s: &str) -> Data {
    Data::String(s.into())
}

fn rows(path: &std::path::Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    range.rows().map(|r| r.to_vec()).collect()
}

fn report() -> SnapshotDiffReport {
    SnapshotDiffReport::Snapshots {
        removed: vec![
            punch(3, "1002", at(2, 8, 51)),
            punch(8, "1007", at(2, 17, 40)),
        ],
        backdated: vec![punch(40, "1003", at(1, 8, 30))],
        time_changed: vec![DiffTimeChange {
            position: Some(5),
            enrollment_no: "1004".into(),
            before: at(2, 9, 31),
            after: at(2, 8, 59),
            verify: 15,
            state: 0,
        }],
        users: vec![
            DiffUser {
                kind: DiffUserKind::Changed,
                enrollment_no: "1005".into(),
                before: Some(DiffUserState {
                    name: "欧阳娜娜".into(),
                    privilege: 0,
                    has_password: false,
                    card: 0,
                }),
                after: Some(DiffUserState {
                    name: "欧阳娜娜".into(),
                    privilege: 14,
                    has_password: true,
                    card: 12345,
                }),
            },
            DiffUser {
                kind: DiffUserKind::Added,
                enrollment_no: "9001".into(),
                before: None,
                after: Some(DiffUserState {
                    name: "新人".into(),
                    privilege: 0,
                    has_password: false,
                    card: 0,
                }),
            },
        ],
        clock: Some(DiffClock {
            skew_before_secs: 1,
            skew_after_secs: -599,
        }),
    }
}

#[test]
fn every_kind_has_its_sheet_and_the_rows_equal_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("diff.xlsx");
    export_snapshot_diff_xlsx(&path, &report(), Locale::ZhCn).unwrap();

    let wb = open_workbook_auto(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec![
            "删除的记录",
            "补录的旧记录",
            "时间被改",
            "用户与权限变化",
            "时钟变化"
        ]
    );
    let removed = rows(&path, "删除的记录");
    assert_eq!(
        removed,
        vec![
            vec![
                text("记录序号"),
                text("工号"),
                text("时间"),
                text("验证方式"),
                text("状态")
            ],
            vec![
                Data::Float(3.0),
                text("1002"),
                text("2026-03-02 08:51:07"),
                Data::Float(15.0),
                Data::Float(0.0)
            ],
            vec![
                Data::Float(8.0),
                text("1007"),
                text("2026-03-02 17:40:07"),
                Data::Float(15.0),
                Data::Float(0.0)
            ],
        ]
    );
    assert_eq!(
        rows(&path, "补录的旧记录")[1],
        vec![
            Data::Float(40.0),
            text("1003"),
            text("2026-03-01 08:30:07"),
            Data::Float(15.0),
            Data::Float(0.0)
        ]
    );
    assert_eq!(
        rows(&path, "时间被改")[1],
        vec![
            Data::Float(5.0),
            text("1004"),
            text("2026-03-02 09:31:07"),
            text("2026-03-02 08:59:07"),
            Data::Float(15.0),
            Data::Float(0.0)
        ]
    );
    let users = rows(&path, "用户与权限变化");
    assert_eq!(users.len(), 3);
    assert_eq!(
        users[1],
        vec![
            text("修改"),
            text("1005"),
            text("欧阳娜娜"),
            text("欧阳娜娜"),
            Data::Float(0.0),
            Data::Float(14.0),
            text("否"),
            text("是"),
            Data::Float(0.0),
            Data::Float(12345.0)
        ]
    );
    assert_eq!(users[2][0], text("新增"));
    assert_eq!(users[2][2], Data::Empty);
    assert_eq!(users[2][3], text("新人"));
    assert_eq!(
        rows(&path, "时钟变化"),
        vec![
            vec![
                text("原时钟偏差（秒）"),
                text("现时钟偏差（秒）"),
                text("变化（秒）")
            ],
            vec![Data::Float(1.0), Data::Float(-599.0), Data::Float(-600.0)]
        ]
    );

    // The header row is frozen on every sheet.
    let file = std::fs::File::open(&path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    for i in 1..=5 {
        let mut xml = String::new();
        zip.by_name(&format!("xl/worksheets/sheet{i}.xml"))
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(
            xml.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "sheet {i}: {xml}"
        );
        assert!(xml.contains("<cols>"), "sheet {i} has column widths");
    }
}

#[test]
fn the_ledger_report_is_localized_and_empty_kinds_keep_their_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ledger.xlsx");
    let report = SnapshotDiffReport::Ledger {
        ledger_only: vec![DiffPunch {
            position: None,
            enrollment_no: "1001".into(),
            timestamp: at(2, 8, 40),
            verify: None,
            state: None,
        }],
        terminal_only: vec![],
    };
    export_snapshot_diff_xlsx(&path, &report, Locale::En).unwrap();
    let wb = open_workbook_auto(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        vec!["Only in Kaoqin", "Only on the terminal"]
    );
    assert_eq!(
        rows(&path, "Only in Kaoqin"),
        vec![
            vec![
                text("Log position"),
                text("Employee no."),
                text("Time"),
                text("Verification"),
                text("State")
            ],
            vec![
                Data::Empty,
                text("1001"),
                text("2026-03-02 08:40:07"),
                Data::Empty,
                Data::Empty
            ],
        ]
    );
    assert_eq!(rows(&path, "Only on the terminal").len(), 1);
    // An empty snapshot diff still writes all five sheets, headers only.
    let empty = SnapshotDiffReport::Snapshots {
        removed: vec![],
        backdated: vec![],
        time_changed: vec![],
        users: vec![],
        clock: None,
    };
    let p2 = dir.path().join("empty.xlsx");
    export_snapshot_diff_xlsx(&p2, &empty, Locale::ZhTw).unwrap();
    let wb = open_workbook_auto(&p2).unwrap();
    assert_eq!(wb.sheet_names().len(), 5);
    assert_eq!(rows(&p2, "時鐘變化").len(), 1);
}
