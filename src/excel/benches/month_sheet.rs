//! Benchmark: the 月度考勤表 for 10,000 employees (≈ 550,000 formatted cells) built from a real domain
//! month run, written to .xlsx. Prints the export time and peak memory (VmHWM), and can dump the same
//! cells and formats as JSON for the Python XlsxWriter peer (`benches/xlsxwriter_peer.py`).
//!
//! Run: `cargo bench -p kaoqin-excel --bench month_sheet -- --employees 10000 --out /tmp/m.xlsx --dump /tmp/m.json`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use chrono::Datelike;
use kaoqin_excel::export::tables::{self, CellClass, Value};
use kaoqin_excel::locale::{Locale, t, weekday_label};
use kaoqin_excel::{ExportOptions, month_sheet_workbook};
use serde_json::json;

fn vm_hwm_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn class_name(c: CellClass) -> &'static str {
    match c {
        CellClass::Normal | CellClass::Empty => "normal",
        CellClass::Exception => "exception",
        CellClass::Leave => "leave",
        CellClass::Official => "official",
        CellClass::Off => "off",
        CellClass::NotEmployed => "not_employed",
    }
}

fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => json!(["int", i]),
        Value::Num(x) => json!(["num", (x * 100.0).round() / 100.0]),
        Value::Percent(x) => json!(["pct", x]),
        other => json!(["text", other.csv_text()]),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--employees")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let out = arg(&args, "--out").unwrap_or_else(|| {
        std::env::temp_dir()
            .join("kaoqin-month-bench.xlsx")
            .display()
            .to_string()
    });
    let t0 = Instant::now();
    let w = common::october(n);
    let report = w.report("某某市某某局");
    let gen_s = t0.elapsed().as_secs_f64();
    let hwm_before = vm_hwm_mb();

    let opts = ExportOptions::default();
    let t1 = Instant::now();
    let mut wb = month_sheet_workbook(&report, &opts)?;
    wb.save(&out)?;
    let export_s = t1.elapsed().as_secs_f64();
    let hwm_after = vm_hwm_mb();

    let sheet = tables::build_sheet(&report, None);
    let cols = tables::month_sheet_columns(&sheet, &w.types);
    let cells = sheet.rows.len() * (4 + sheet.days.len() + cols.len() + 1);
    println!(
        "employees: {n}, data cells: {cells}, summary columns: {}",
        cols.len()
    );
    println!("domain month run + data: {gen_s:.2} s");
    println!("kaoqin-excel month sheet (build + save {out}): {export_s:.3} s");
    println!("peak memory (VmHWM): {hwm_before:.0} MB before export, {hwm_after:.0} MB after");

    if let Some(dump) = arg(&args, "--dump") {
        let l = Locale::ZhCn;
        let days: Vec<_> = sheet
            .days
            .iter()
            .map(|d| json!({"day": d.day_of_month, "weekday": weekday_label(l, d.date.weekday()), "off": !d.kind.is_working()}))
            .collect();
        let rows: Vec<_> = sheet
            .rows
            .iter()
            .map(|r| {
                let cells: Vec<_> = r
                    .cells
                    .iter()
                    .zip(&sheet.days)
                    .map(|(c, d)| json!([c.text(), class_name(tables::classify(c, d.kind, &w.symbols))]))
                    .collect();
                let sums: Vec<_> = cols.iter().map(|c| value_json(&c.value(&r.totals))).collect();
                json!({"seq": r.seq, "no": r.employee_no, "name": r.name, "dept": r.department, "cells": cells, "sums": sums})
            })
            .collect();
        let legend = tables::legend(&w.symbols, &w.types, l)
            .iter()
            .map(|(s, m)| format!("{s} {m}"))
            .collect::<Vec<_>>()
            .join("　");
        let doc = json!({
            "sheet": t(l, "sheet.month"),
            "title": tables::month_title(&report, l, None),
            "subtitle": format!("部门：全部部门    统计期间：{} — {}", sheet.days[0].date, sheet.days[sheet.days.len() - 1].date),
            "days": days,
            "heads": cols.iter().map(|c| c.head(l, &w.types)).collect::<Vec<_>>(),
            "rows": rows,
            "total": cols.iter().map(|c| value_json(&c.value(&sheet.total))).collect::<Vec<_>>(),
            "legend": format!("图例：{legend}"),
        });
        std::fs::write(&dump, serde_json::to_vec(&doc)?)?;
        println!("dumped the same cells to {dump}");
    }
    Ok(())
}
