//! The Reports page's summary table (per-employee totals, the workbook's summary columns) and its
//! charts (egui_plot): late and absent people by day, attendance rate by department.
//! Presentation only.

use egui::Color32;
use egui_plot::{Bar, BarChart, Legend, Plot};

use crate::gui::backend::reports::{DayCount, MonthData};
use crate::gui::widgets;
use crate::i18n::Lang;

/// Per-employee totals of the shown rows.
pub(super) fn summary(ui: &mut egui::Ui, lang: Lang, data: &MonthData, rows: &[usize]) {
    if rows.is_empty() {
        ui.label(tr!(lang, "reports.no_rows"));
        return;
    }
    let mut headers = vec![
        tr!(lang, "reports.col_no"),
        tr!(lang, "reports.col_name"),
        tr!(lang, "reports.col_department"),
    ];
    headers.extend(data.summary_heads.iter().cloned());
    // The summary cells of the row last drawn: each row's cells are made once per frame.
    let mut cache: Option<(usize, Vec<String>)> = None;
    widgets::table(ui, "reports-summary", &headers, rows.len(), |ui, r, c| {
        let Some(&i) = rows.get(r) else { return };
        let Some(line) = data.rows.get(i) else { return };
        match c {
            0 => {
                ui.label(&line.no);
            }
            1 => {
                ui.label(&line.name);
            }
            2 => {
                ui.label(&line.department);
            }
            _ => {
                if cache.as_ref().is_none_or(|(row, _)| *row != i) {
                    cache = Some((i, data.summary_cells(i)));
                }
                if let Some(text) = cache.as_ref().and_then(|(_, v)| v.get(c - 3)) {
                    ui.label(text);
                }
            }
        }
    });
}

/// Late / absent by day for `department` (or everyone), and the rate of every department.
pub(super) fn charts(ui: &mut egui::Ui, lang: Lang, data: &MonthData, department: Option<&str>) {
    let counts: &[DayCount] = data
        .per_day
        .get(department.unwrap_or(""))
        .map_or(&[], Vec::as_slice);
    let height = ((ui.available_height() - 60.0) / 2.0).max(160.0);
    ui.strong(tr!(lang, "reports.chart_by_day"));
    let late_name = tr!(lang, "reports.chart_late");
    let absent_name = tr!(lang, "reports.chart_absent");
    let late: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| Bar::new(i as f64 + 1.0 - 0.18, f64::from(c.late)).width(0.36))
        .collect();
    let absent: Vec<Bar> = counts
        .iter()
        .enumerate()
        .map(|(i, c)| Bar::new(i as f64 + 1.0 + 0.18, f64::from(c.absent)).width(0.36))
        .collect();
    let off: Vec<f64> = data
        .days
        .iter()
        .filter(|d| d.is_off())
        .map(|d| f64::from(d.day))
        .collect();
    Plot::new("reports-by-day")
        .height(height)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .include_x(0.0)
        .include_x(data.days.len() as f64 + 1.0)
        .x_axis_label(tr!(lang, "reports.chart_day"))
        .y_axis_label(tr!(lang, "reports.chart_people"))
        .show(ui, |p| {
            // Rest days and holidays: a grey band behind the bars.
            let max = counts
                .iter()
                .map(|c| c.late.max(c.absent))
                .max()
                .unwrap_or(0)
                .max(1);
            let bands: Vec<Bar> = off
                .iter()
                .map(|&x| {
                    Bar::new(x, f64::from(max))
                        .width(1.0)
                        .fill(Color32::from_gray(128).gamma_multiply(0.15))
                        .stroke(egui::Stroke::NONE)
                })
                .collect();
            p.bar_chart(
                BarChart::new(tr!(lang, "reports.chart_off_days"), bands)
                    .color(Color32::from_gray(160)),
            );
            p.bar_chart(BarChart::new(late_name, late).color(Color32::from_rgb(0xE6, 0x9F, 0x00)));
            p.bar_chart(
                BarChart::new(absent_name, absent).color(Color32::from_rgb(0xC6, 0x28, 0x28)),
            );
        });
    ui.add_space(8.0);
    ui.strong(tr!(lang, "reports.chart_by_department"));
    let names: Vec<String> = data.departments.iter().map(|d| d.name.clone()).collect();
    let bars: Vec<Bar> = data
        .departments
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut b = Bar::new(i as f64, d.rate * 100.0)
                .width(0.6)
                .name(format!("{} ({})", d.name, d.employees));
            if department == Some(d.name.as_str()) {
                b = b.fill(Color32::from_rgb(0x1E, 0x88, 0xE5));
            }
            b
        })
        .collect();
    Plot::new("reports-by-department")
        .height(height)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_y(0.0)
        .include_y(100.0)
        .include_x(-0.6)
        .include_x(names.len() as f64 - 0.4)
        .y_axis_label(tr!(lang, "reports.chart_rate"))
        .x_axis_formatter(move |mark, _| {
            let v = mark.value;
            if (v - v.round()).abs() > 1e-6 || v < 0.0 {
                return String::new();
            }
            names.get(v.round() as usize).cloned().unwrap_or_default()
        })
        .show(ui, |p| {
            p.bar_chart(
                BarChart::new(tr!(lang, "reports.chart_rate"), bars)
                    .color(Color32::from_rgb(0x43, 0xA0, 0x47)),
            );
        });
}
