//! The Reports page's monthly grid (one row per employee, one column per day, the sheet's symbols
//! and colours; rows virtualized) and the window with what lies behind one cell. Presentation only.

use egui::{Color32, RichText, Sense};
use kaoqin_domain::PunchOrigin;

use crate::gui::backend::reports::{CellKind, DayDetail, MonthData};
use crate::gui::model::Lists;
use crate::i18n::Lang;

const WEEKDAYS: [&str; 7] = [
    "reports.wd_mon",
    "reports.wd_tue",
    "reports.wd_wed",
    "reports.wd_thu",
    "reports.wd_fri",
    "reports.wd_sat",
    "reports.wd_sun",
];

/// The weekday's short name (0 = Monday).
pub(super) fn weekday(lang: Lang, i: u32) -> String {
    tr!(lang, WEEKDAYS[(i as usize).min(6)])
}

/// Fill and text colours of a cell, like the workbook (red exceptions, yellow leave, blue official
/// business, grey rest days); `None` = the theme's own.
fn colours(kind: CellKind, off_day: bool, dark: bool) -> (Option<Color32>, Option<Color32>) {
    let ink = Color32::from_rgb(0x20, 0x20, 0x20);
    let off = if dark {
        Color32::from_gray(60)
    } else {
        Color32::from_rgb(0xE7, 0xE6, 0xE6)
    };
    match kind {
        CellKind::Exception => (
            Some(Color32::from_rgb(0xFF, 0xC7, 0xCE)),
            Some(Color32::from_rgb(0x9C, 0x00, 0x06)),
        ),
        CellKind::Leave => (Some(Color32::from_rgb(0xFF, 0xF2, 0xCC)), Some(ink)),
        CellKind::Official => (Some(Color32::from_rgb(0xDD, 0xEB, 0xF7)), Some(ink)),
        CellKind::NotEmployed => (off_day.then_some(off), Some(Color32::GRAY)),
        CellKind::Off => (Some(off), None),
        CellKind::Normal | CellKind::Empty => (off_day.then_some(off), None),
    }
}

/// Draws the grid of `rows` (indices into `data.rows`); returns the cell clicked (row, day).
pub(super) fn grid(
    ui: &mut egui::Ui,
    lang: Lang,
    data: &MonthData,
    rows: &[usize],
    selected: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    use egui_extras::{Column, TableBuilder};
    if rows.is_empty() {
        ui.label(tr!(lang, "reports.no_rows"));
        return None;
    }
    legend(ui, lang, data);
    let dark = ui.visuals().dark_mode;
    let mut clicked = None;
    egui::ScrollArea::horizontal()
        .id_salt("reports-grid-h")
        .show(ui, |ui| {
            let mut table = TableBuilder::new(ui)
                .id_salt("reports-grid")
                .striped(true)
                .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                .min_scrolled_height(0.0)
                .max_scroll_height(f32::INFINITY)
                .column(Column::exact(64.0))
                .column(Column::exact(70.0))
                .column(Column::exact(70.0));
            for _ in &data.days {
                table = table.column(Column::exact(30.0));
            }
            table
                .header(36.0, |mut h| {
                    for key in [
                        "reports.col_no",
                        "reports.col_name",
                        "reports.col_department",
                    ] {
                        h.col(|ui| {
                            ui.strong(tr!(lang, key));
                        });
                    }
                    for d in &data.days {
                        h.col(|ui| {
                            if d.is_off() {
                                let (fill, _) = colours(CellKind::Off, true, dark);
                                if let Some(f) = fill {
                                    ui.painter().rect_filled(ui.max_rect(), 0.0, f);
                                }
                            }
                            ui.vertical_centered(|ui| {
                                ui.spacing_mut().item_spacing.y = 0.0;
                                ui.strong(d.day.to_string());
                                ui.small(weekday(lang, d.weekday));
                            });
                        });
                    }
                })
                .body(|body| {
                    body.rows(22.0, rows.len(), |mut row| {
                        let Some(&r) = rows.get(row.index()) else {
                            return;
                        };
                        let Some(line) = data.rows.get(r) else { return };
                        row.col(|ui| {
                            ui.label(&line.no);
                        });
                        row.col(|ui| {
                            ui.label(&line.name);
                        });
                        row.col(|ui| {
                            ui.label(&line.department);
                        });
                        for (i, d) in data.days.iter().enumerate() {
                            row.col(|ui| {
                                let text = line.cells.get(i).map_or("", String::as_str);
                                let kind = line.kinds.get(i).copied().unwrap_or(CellKind::Empty);
                                let is_sel = selected == Some((r, i));
                                if cell(ui, text, kind, d.is_off(), dark, is_sel, || {
                                    format!("{} {} {}: {}", line.no, line.name, d.date, text)
                                }) {
                                    clicked = Some((r, i));
                                }
                            });
                        }
                    });
                });
        });
    clicked
}

/// One day cell: fill, symbol, click target; its accessible label names the employee and date.
fn cell(
    ui: &mut egui::Ui,
    text: &str,
    kind: CellKind,
    off_day: bool,
    dark: bool,
    selected: bool,
    label: impl Fn() -> String,
) -> bool {
    let rect = ui.max_rect();
    let resp = ui.allocate_rect(rect, Sense::click());
    let (fill, ink) = colours(kind, off_day, dark);
    if let Some(f) = fill {
        ui.painter().rect_filled(rect, 0.0, f);
    }
    let color = ink.unwrap_or_else(|| ui.visuals().text_color());
    ui.painter().text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        text,
        egui::FontId::proportional(if text.chars().count() > 2 { 11.0 } else { 14.0 }),
        color,
    );
    if selected || resp.hovered() {
        ui.painter().rect_stroke(
            rect.shrink(1.0),
            0.0,
            egui::Stroke::new(1.5, ui.visuals().selection.stroke.color),
            egui::StrokeKind::Inside,
        );
    }
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, label()));
    resp.clicked()
}

/// The symbols in use, as printed under the sheet.
fn legend(ui: &mut egui::Ui, lang: Lang, data: &MonthData) {
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(tr!(lang, "reports.legend")).strong());
        for (sym, meaning) in &data.legend {
            ui.label(format!("{sym} {meaning}"));
        }
        ui.label(RichText::new(tr!(lang, "reports.click_hint")).weak());
    });
}

fn day_kind_key(kind: kaoqin_domain::DayKind) -> &'static str {
    use kaoqin_domain::DayKind::*;
    match kind {
        Workday => "reports.kind_workday",
        RestDay => "reports.kind_restday",
        PublicHoliday => "reports.kind_public_holiday",
        OtherHoliday => "reports.kind_other_holiday",
        MakeupWorkday => "reports.kind_makeup",
    }
}

/// The employee-day behind a cell: the day's result explained, its punches and its requests.
pub(super) fn detail_window(
    ctx: &egui::Context,
    lang: Lang,
    lists: &Lists,
    d: &DayDetail,
    open: &mut bool,
) {
    egui::Window::new(tr!(lang, "reports.detail_title"))
        .id(egui::Id::unique("reports-day-detail"))
        .open(open)
        .default_width(420.0)
        .anchor(egui::Align2::RIGHT_TOP, [-12.0, 90.0])
        .resizable(true)
        .show(ctx, |ui| {
            ui.strong(format!("{} {} · {}", d.no, d.name, d.department));
            ui.label(format!(
                "{} ({}) · {}",
                d.date,
                weekday(lang, d.weekday),
                tr!(lang, day_kind_key(d.kind))
            ));
            match &d.shift {
                Some((code, zh, en)) => {
                    let name = if lang == Lang::English { en } else { zh };
                    ui.label(tr!(lang, "reports.detail_shift", code = code, name = name));
                }
                None => {
                    ui.label(tr!(lang, "reports.detail_no_shift"));
                }
            }
            ui.label(tr!(
                lang,
                "reports.detail_symbol",
                symbol = d.symbol.as_str()
            ));
            ui.separator();
            explanation(ui, lang, d);
            ui.separator();
            ui.strong(tr!(lang, "reports.detail_punches"));
            if d.punches.is_empty() {
                ui.label(tr!(lang, "reports.detail_no_punches"));
            } else {
                egui::Grid::new("reports-detail-punches")
                    .striped(true)
                    .show(ui, |ui| {
                        for key in [
                            "reports.punch_time",
                            "reports.punch_terminal",
                            "reports.punch_mode",
                            "reports.punch_origin",
                            "reports.punch_use",
                        ] {
                            ui.strong(tr!(lang, key));
                        }
                        ui.end_row();
                        for p in &d.punches {
                            ui.label(&p.time);
                            let terminal = lists
                                .terminals
                                .iter()
                                .find(|t| t.serial == p.terminal_serial)
                                .map_or(p.terminal_serial.as_str(), |t| t.name.as_str());
                            ui.label(terminal);
                            let mode = tr!(lang, mode_key(p.mode));
                            if p.non_face {
                                ui.colored_label(ui.visuals().warn_fg_color, mode);
                            } else {
                                ui.label(mode);
                            }
                            // A punch not read from the terminal itself is weaker evidence.
                            let origin = tr!(lang, origin_key(p.origin));
                            if matches!(
                                p.origin,
                                Some(PunchOrigin::Download | PunchOrigin::UsbImport)
                            ) {
                                ui.label(origin);
                            } else {
                                ui.colored_label(ui.visuals().warn_fg_color, origin);
                            }
                            ui.label(use_text(lang, &p.used_as, p.session));
                            ui.end_row();
                        }
                    });
            }
            ui.separator();
            ui.strong(tr!(lang, "reports.detail_requests"));
            if d.requests.is_empty() {
                ui.label(tr!(lang, "reports.detail_no_requests"));
            }
            for q in &d.requests {
                let detail = match (q.kind, q.detail.as_str()) {
                    ("supplement", "in") => tr!(lang, "reports.supp_in"),
                    ("supplement", _) => tr!(lang, "reports.supp_out"),
                    _ => q.detail.clone(),
                };
                ui.label(tr!(
                    lang,
                    "reports.detail_request",
                    id = q.id,
                    kind = tr!(lang, request_kind_key(q.kind)),
                    state = tr!(lang, request_state_key(q.state)),
                    when = q.when.as_str(),
                    detail = detail.as_str()
                ));
                if !q.reason.is_empty() {
                    ui.label(RichText::new(&q.reason).weak());
                }
            }
        });
}

/// One line per session: what was punched and what it counted as.
fn explanation(ui: &mut egui::Ui, lang: Lang, d: &DayDetail) {
    if !d.employed {
        ui.label(tr!(lang, "reports.explain_not_employed"));
        return;
    }
    if d.unassigned {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(lang, "reports.explain_unassigned"),
        );
    }
    if d.sessions.is_empty() && !d.kind.is_working() {
        ui.label(tr!(lang, "reports.explain_off"));
    }
    for s in &d.sessions {
        let none = tr!(lang, "reports.explain_none");
        let mut parts = vec![tr!(
            lang,
            "reports.explain_session",
            n = s.index + 1,
            name = s.name.as_str(),
            start = s.start.as_str(),
            end = s.end.as_str(),
            sign_in = s.sign_in.as_deref().unwrap_or(&none),
            sign_out = s.sign_out.as_deref().unwrap_or(&none)
        )];
        let mut flag = |cond: bool, text: String| {
            if cond {
                parts.push(text);
            }
        };
        flag(
            s.late_minutes > 0,
            tr!(lang, "reports.explain_late", minutes = s.late_minutes),
        );
        flag(
            s.early_minutes > 0,
            tr!(lang, "reports.explain_early", minutes = s.early_minutes),
        );
        flag(s.absent, tr!(lang, "reports.explain_absent"));
        flag(s.missing_in, tr!(lang, "reports.explain_missing_in"));
        flag(s.missing_out, tr!(lang, "reports.explain_missing_out"));
        flag(
            s.in_supplemented || s.out_supplemented,
            tr!(lang, "reports.explain_supplemented"),
        );
        flag(
            s.partial_outing,
            tr!(lang, "reports.explain_partial_outing"),
        );
        flag(s.pending, tr!(lang, "reports.explain_pending"));
        if let Some(e) = &s.excused {
            let what = match e.as_str() {
                "outing" => tr!(lang, "reports.req_outing"),
                "trip" => tr!(lang, "reports.req_trip"),
                leave => leave.to_owned(),
            };
            parts.push(tr!(lang, "reports.explain_excused", by = what));
        }
        let exception = s.absent || s.late_minutes > 0 || s.early_minutes > 0;
        let exception = exception || s.missing_in || s.missing_out;
        if exception {
            ui.colored_label(ui.visuals().error_fg_color, parts.join(" · "));
        } else {
            ui.label(parts.join(" · "));
        }
    }
    if d.overtime_minutes > 0 {
        ui.label(tr!(
            lang,
            "reports.explain_overtime",
            minutes = d.overtime_minutes
        ));
    }
    if d.unmatched > 0 {
        ui.label(tr!(lang, "reports.explain_unmatched", count = d.unmatched));
    }
}

fn mode_key(mode: &str) -> &'static str {
    match mode {
        "face" => "reports.mode_face",
        "fingerprint" => "reports.mode_fingerprint",
        "password" => "reports.mode_password",
        "card" => "reports.mode_card",
        _ => "reports.mode_other",
    }
}

fn origin_key(origin: Option<PunchOrigin>) -> &'static str {
    match origin {
        Some(PunchOrigin::Download) => "reports.origin_download",
        Some(PunchOrigin::UsbImport) => "reports.origin_usb_import",
        Some(PunchOrigin::CsvImport) => "reports.origin_csv_import",
        None => "reports.origin_unknown",
    }
}

fn use_text(lang: Lang, used_as: &str, session: Option<usize>) -> String {
    let n = session.map_or(0, |s| s + 1);
    match used_as {
        "sign_in" => tr!(lang, "reports.use_sign_in", n = n),
        "sign_out" => tr!(lang, "reports.use_sign_out", n = n),
        "duplicate" => tr!(lang, "reports.use_duplicate"),
        "unmatched" => tr!(lang, "reports.use_unmatched"),
        "extra" => tr!(lang, "reports.use_extra", n = n),
        _ => tr!(lang, "reports.use_other"),
    }
}

fn request_kind_key(kind: &str) -> &'static str {
    match kind {
        "leave" => "reports.req_leave",
        "outing" => "reports.req_outing",
        "trip" => "reports.req_trip",
        "supplement" => "reports.req_supplement",
        _ => "reports.req_overtime",
    }
}

fn request_state_key(state: &str) -> &'static str {
    match state {
        "draft" => "reports.state_draft",
        "submitted" => "reports.state_submitted",
        "approved" => "reports.state_approved",
        "rejected" => "reports.state_rejected",
        _ => "reports.state_withdrawn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exceptions_are_red_and_rest_days_grey_like_the_workbook() {
        let (fill, ink) = colours(CellKind::Exception, false, false);
        assert_eq!(fill, Some(Color32::from_rgb(0xFF, 0xC7, 0xCE)));
        assert_eq!(ink, Some(Color32::from_rgb(0x9C, 0x00, 0x06)));
        assert_eq!(
            colours(CellKind::Off, true, false).0,
            Some(Color32::from_rgb(0xE7, 0xE6, 0xE6))
        );
        assert_eq!(colours(CellKind::Normal, false, false), (None, None));
        assert!(colours(CellKind::Normal, true, false).0.is_some());
    }
}
