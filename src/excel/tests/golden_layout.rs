//! Golden layout checks on the XML inside the exported .xlsx (a zip): sheet names, merged title cells,
//! frozen panes, print set-up (landscape, one page wide, paper), repeated title rows, legend, signatures.

mod common;

use std::io::Read;

use kaoqin_excel::{ExportOptions, Paper, month_workbook};

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut f = z.by_name(name).unwrap_or_else(|_| panic!("{name} missing"));
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

fn export(opts: &ExportOptions, n: usize) -> Vec<u8> {
    let w = common::october(n);
    month_workbook(&w.report("某某局"), opts)
        .unwrap()
        .save_to_buffer()
        .unwrap()
}

#[test]
fn month_sheet_layout_and_print_setup() {
    let bytes = export(&ExportOptions::default(), 9);
    let workbook = unzip(&bytes, "xl/workbook.xml");
    for name in [
        "月度考勤表",
        "考勤汇总表",
        "异常报表",
        "公示",
        "日报",
        "加班明细",
    ] {
        assert!(
            workbook.contains(&format!("<sheet name=\"{name}\"")),
            "sheet {name}"
        );
    }
    assert!(
        workbook.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">月度考勤表!$1:$4</definedName>"#),
        "title and head rows repeat on every printed page: {workbook}"
    );
    let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
    // 4 id columns + 31 days + summary columns + signature; the title spans all of them.
    assert!(sheet.contains(r#"<pane xSplit="4" ySplit="4" topLeftCell="E5" activePane="bottomRight" state="frozen"/>"#), "frozen panes");
    // fitToPage with fitToHeight="0" and no fitToWidth (OOXML default 1): one page wide, any number tall.
    assert!(
        sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
        "fit to page"
    );
    assert!(
        !sheet.contains("fitToWidth"),
        "width stays at the default of one page"
    );
    assert!(
        sheet.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#),
        "A4 landscape, any height: {}",
        &sheet[sheet.find("<pageSetup").unwrap_or(0)..]
    );
    assert!(sheet.contains(r#"<printOptions horizontalCentered="1"/>"#));
    let merges: Vec<&str> = sheet
        .match_indices("<mergeCell ref=\"")
        .map(|(i, _)| {
            let rest = &sheet[i + 16..];
            &rest[..rest.find('"').unwrap_or(0)]
        })
        .collect();
    let title = merges.first().copied().unwrap_or_default();
    assert!(title.starts_with("A1:"), "title merged from A1: {merges:?}");
    let last_col = title.trim_start_matches("A1:").trim_end_matches('1');
    assert!(
        merges.contains(&format!("A2:{last_col}2").as_str()),
        "subtitle spans the sheet"
    );
    for id in ["A3:A4", "B3:B4", "C3:C4", "D3:D4"] {
        assert!(merges.contains(&id), "{id} spans the two head rows");
    }
    // 序号 … 员工签字 heads and the legend and signature lines are in the shared strings.
    let strings = unzip(&bytes, "xl/sharedStrings.xml");
    for s in [
        "序号",
        "工号",
        "姓名",
        "部门",
        "员工签字",
        "制表人：",
        "审核人：",
        "应出勤天数",
        "出勤率",
    ] {
        assert!(strings.contains(s), "string {s}");
    }
    let legend_start = strings.find("<t>图例：").expect("legend");
    let legend =
        &strings[legend_start..legend_start + strings[legend_start..].find("</t>").unwrap_or(0)];
    for pair in [
        "√ 出勤",
        "迟 迟到",
        "退 早退",
        "旷 旷工",
        "外 因公外出",
        "差 出差",
        "补 补签",
        "休 休息日",
        "节 节假日",
        "加 加班",
        "病 病假",
        "年 年假",
    ] {
        assert!(legend.contains(pair), "legend has {pair}: {legend}");
    }
    // Exceptions are coloured: the red fill exists in the styles.
    let styles = unzip(&bytes, "xl/styles.xml");
    assert!(styles.contains("FFFFC7CE"), "exception fill");
    assert!(
        styles.contains(r#"formatCode="yyyy\-mm\-dd""#)
            || styles.contains(r#"formatCode="yyyy-mm-dd""#),
        "date format"
    );
    // Every other sheet is printable too.
    for n in 2..=6 {
        let s = unzip(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(
            s.contains(r#"orientation="landscape""#) && s.contains(r#"fitToPage="1""#),
            "sheet{n}"
        );
        assert!(s.contains(r#"state="frozen""#), "sheet{n} frozen head");
    }
}

#[test]
fn a3_paper_and_per_department_sheets() {
    let opts = ExportOptions {
        paper: Paper::A3,
        per_department_sheets: true,
        ..ExportOptions::default()
    };
    let bytes = export(&opts, 6);
    let sheet = unzip(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet.contains(r#"<pageSetup paperSize="8" fitToHeight="0" orientation="landscape""#),
        "{}",
        &sheet[sheet.find("<pageSetup").unwrap_or(0)..]
    );
    let workbook = unzip(&bytes, "xl/workbook.xml");
    for (i, d) in ["信息中心", "办公室", "财务处"].iter().enumerate() {
        assert!(
            workbook.contains(&format!(
                "<sheet name=\"月度考勤表-{d}\" sheetId=\"{}\"",
                i + 1
            )),
            "{workbook}"
        );
        assert!(
            workbook.contains(&format!("localSheetId=\"{i}\">'月度考勤表-{d}'!$1:$4<")),
            "print titles per sheet"
        );
    }
}
