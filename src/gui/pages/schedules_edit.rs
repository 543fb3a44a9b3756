//! The Schedules page's shift parts: the 0–24 h timeline of a shift's punch windows (painted), the
//! session details, and the editor (a copy of a preset or a shift, field by field, with inline
//! errors). The shift's own rules are checked by the domain when the service stores it.

use kaoqin_domain::{ClockTime, InOutMode, MissingPolicy, PunchWindow, Session, Shift};

use crate::i18n::Lang;

use super::schedules::field_error;

/// One session of the editor, every value as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SessionForm {
    name: String,
    start: String,
    end: String,
    in_opens: String,
    in_closes: String,
    out_opens: String,
    out_closes: String,
    due_in: String,
    due_out: String,
    late_grace: String,
    early_grace: String,
    late_absent: String,
    early_absent: String,
    /// The session as loaded (missing-punch policies, split point stay as they were).
    base: Option<Session>,
}

/// The shift editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShiftForm {
    /// The shift as loaded: what the form does not show (overtime, rounding...) stays as it was.
    base: Shift,
    code: String,
    name_zh: String,
    name_en: String,
    /// How punches are told apart (lenient windows, ZK's strict windows, state key).
    in_out: InOutMode,
    sessions: Vec<SessionForm>,
    /// (field id, locale key); field ids are `code`, `name` or `<session>.<field>`.
    errors: Vec<(String, &'static str)>,
}

/// What the user did with the editor this frame.
pub(crate) enum Outcome {
    None,
    Cancel,
    Save(Shift),
}

fn t(c: ClockTime) -> String {
    c.to_string()
}

fn opt_t(c: Option<ClockTime>) -> String {
    c.map(t).unwrap_or_default()
}

fn mins(m: u32) -> String {
    if m == 0 { String::new() } else { m.to_string() }
}

fn opt_mins(m: Option<u32>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

impl SessionForm {
    fn of(s: &Session) -> Self {
        SessionForm {
            name: s.name.clone(),
            start: t(s.start),
            end: t(s.end),
            in_opens: opt_t(s.sign_in.map(|w| w.opens)),
            in_closes: opt_t(s.sign_in.map(|w| w.closes)),
            out_opens: opt_t(s.sign_out.map(|w| w.opens)),
            out_closes: opt_t(s.sign_out.map(|w| w.closes)),
            due_in: opt_t(s.due_in),
            due_out: opt_t(s.due_out),
            late_grace: mins(s.late_grace_minutes),
            early_grace: mins(s.early_grace_minutes),
            late_absent: opt_mins(s.late_absent_after),
            early_absent: opt_mins(s.early_absent_after),
            base: Some(s.clone()),
        }
    }
}

impl ShiftForm {
    /// A new shift from a preset: its sessions and names, the code left for the user.
    pub(crate) fn from_preset(p: &Shift) -> Self {
        ShiftForm {
            code: String::new(),
            ..Self::from_shift(p)
        }
    }

    /// Edits `s` (saving under the same code replaces it).
    pub(crate) fn from_shift(s: &Shift) -> Self {
        ShiftForm {
            base: s.clone(),
            code: s.code.clone(),
            name_zh: s.name_zh.clone(),
            name_en: s.name_en.clone(),
            in_out: s.in_out,
            sessions: s.sessions.iter().map(SessionForm::of).collect(),
            errors: Vec::new(),
        }
    }

    /// The shift the form describes, or the fields to fix (the domain checks the rest on save).
    pub(crate) fn build(&self) -> Result<Shift, Vec<(String, &'static str)>> {
        let mut errors: Vec<(String, &'static str)> = Vec::new();
        let code = self.code.trim();
        if code.is_empty() {
            errors.push(("code".into(), "schedules.need_code"));
        } else if code.contains([',', ';', ':', ' ']) {
            errors.push(("code".into(), "schedules.bad_code"));
        }
        if self.name_zh.trim().is_empty() && self.name_en.trim().is_empty() {
            errors.push(("name".into(), "schedules.need_name"));
        }
        let mut sessions = Vec::new();
        for (i, f) in self.sessions.iter().enumerate() {
            let mut err = |field: &str, key| errors.push((format!("{i}.{field}"), key));
            let mut time = |field: &str, v: &str, required: bool| -> Option<ClockTime> {
                if v.trim().is_empty() {
                    if required {
                        err(field, "schedules.need_time");
                    }
                    return None;
                }
                ClockTime::parse(v)
                    .map_err(|_| err(field, "schedules.bad_time"))
                    .ok()
            };
            let start = time("start", &f.start, true);
            let end = time("end", &f.end, true);
            let in_o = time("in", &f.in_opens, false);
            let in_c = time("in", &f.in_closes, false);
            let out_o = time("out", &f.out_opens, false);
            let out_c = time("out", &f.out_closes, false);
            let due_in = time("due_in", &f.due_in, false);
            let due_out = time("due_out", &f.due_out, false);
            let mut window = |field: &str, a: &str, b: &str, o, c| match (o, c) {
                (Some(o), Some(c)) => Some(PunchWindow::new(o, c)),
                _ => {
                    if a.trim().is_empty() != b.trim().is_empty() {
                        errors.push((format!("{i}.{field}"), "schedules.window_half"));
                    }
                    None
                }
            };
            let sign_in = window("in", &f.in_opens, &f.in_closes, in_o, in_c);
            let sign_out = window("out", &f.out_opens, &f.out_closes, out_o, out_c);
            let mut number = |field: &str, v: &str| -> Option<u32> {
                if v.trim().is_empty() {
                    return None;
                }
                match v.trim().parse::<u32>() {
                    Ok(n) if n <= 1440 => Some(n),
                    _ => {
                        errors.push((format!("{i}.{field}"), "schedules.bad_minutes"));
                        None
                    }
                }
            };
            let late_grace = number("late_grace", &f.late_grace).unwrap_or(0);
            let early_grace = number("early_grace", &f.early_grace).unwrap_or(0);
            let late_absent = number("late_absent", &f.late_absent);
            let early_absent = number("early_absent", &f.early_absent);
            if f.name.trim().is_empty() {
                errors.push((format!("{i}.name"), "schedules.need_name"));
            }
            if let (Some(start), Some(end)) = (start, end) {
                let mut s = f
                    .base
                    .clone()
                    .unwrap_or_else(|| Session::new(&f.name, start, end));
                s.name = f.name.trim().to_owned();
                s.start = start;
                s.end = end;
                s.sign_in = sign_in;
                s.sign_out = sign_out;
                s.due_in = due_in;
                s.due_out = due_out;
                s.late_grace_minutes = late_grace;
                s.early_grace_minutes = early_grace;
                s.late_absent_after = late_absent;
                s.early_absent_after = early_absent;
                sessions.push(s);
            }
        }
        if self.sessions.is_empty() && self.base.flexible.is_none() {
            errors.push(("sessions".into(), "schedules.need_session"));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut shift = self.base.clone();
        shift.code = code.to_owned();
        shift.name_zh = self.name_zh.trim().to_owned();
        shift.name_en = self.name_en.trim().to_owned();
        shift.in_out = self.in_out;
        if !self.sessions.is_empty() {
            shift.sessions = sessions;
        }
        Ok(shift)
    }
}

/// Draws the editor; returns what the user asked for.
pub(crate) fn show(ui: &mut egui::Ui, lang: Lang, form: &mut ShiftForm) -> Outcome {
    let mut outcome = Outcome::None;
    let mut enter = false;
    egui::ScrollArea::vertical()
        .id_salt("shift-editor")
        .show(ui, |ui| {
            ui.strong(tr!(lang, "schedules.editor"));
            egui::Grid::new("shift-head").num_columns(2).show(ui, |ui| {
                let errors = form.errors.clone();
                for (field, key, value) in [
                    ("code", "schedules.code", &mut form.code),
                    ("name", "schedules.name_zh", &mut form.name_zh),
                    ("name_en", "schedules.name_en", &mut form.name_en),
                ] {
                    let l = ui.label(tr!(lang, key));
                    ui.vertical(|ui| {
                        let r = ui
                            .add(egui::TextEdit::singleline(value).desired_width(240.0))
                            .labelled_by(l.id);
                        enter |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                        field_errors(ui, lang, &errors, field);
                    });
                    ui.end_row();
                }
            });
            punch_rule_choice(ui, lang, &mut form.in_out);
            ui.add_space(4.0);
            ui.label(egui::RichText::new(tr!(lang, "schedules.editor_hint")).weak());
            let mut remove = None;
            let errors = form.errors.clone();
            egui::Grid::new("shift-sessions")
                .striped(true)
                .num_columns(11)
                .show(ui, |ui| {
                    for key in [
                        "schedules.s_name",
                        "schedules.s_hours",
                        "schedules.s_in",
                        "schedules.s_out",
                        "schedules.s_due_in",
                        "schedules.s_due_out",
                        "schedules.s_late_grace",
                        "schedules.s_early_grace",
                        "schedules.s_late_absent",
                        "schedules.s_early_absent",
                    ] {
                        ui.strong(tr!(lang, key));
                    }
                    ui.end_row();
                    for (i, s) in form.sessions.iter_mut().enumerate() {
                        let cell = |ui: &mut egui::Ui, v: &mut String, w: f32| {
                            ui.add(egui::TextEdit::singleline(v).desired_width(w))
                        };
                        let mut enter_row = false;
                        let mut pair =
                            |ui: &mut egui::Ui, a: &mut String, b: &mut String, field| {
                                ui.vertical(|ui| {
                                    ui.horizontal(|ui| {
                                        enter_row |= cell(ui, a, 48.0).lost_focus();
                                        ui.label("-");
                                        enter_row |= cell(ui, b, 48.0).lost_focus();
                                    });
                                    field_errors(ui, lang, &errors, &format!("{i}.{field}"));
                                });
                            };
                        ui.vertical(|ui| {
                            cell(ui, &mut s.name, 64.0);
                            field_errors(ui, lang, &errors, &format!("{i}.name"));
                        });
                        ui.vertical(|ui| {
                            ui.horizontal(|ui| {
                                cell(ui, &mut s.start, 48.0);
                                ui.label("-");
                                cell(ui, &mut s.end, 48.0);
                            });
                            field_errors(ui, lang, &errors, &format!("{i}.start"));
                            field_errors(ui, lang, &errors, &format!("{i}.end"));
                        });
                        pair(ui, &mut s.in_opens, &mut s.in_closes, "in");
                        pair(ui, &mut s.out_opens, &mut s.out_closes, "out");
                        for (v, field, w) in [
                            (&mut s.due_in, "due_in", 48.0),
                            (&mut s.due_out, "due_out", 48.0),
                            (&mut s.late_grace, "late_grace", 36.0),
                            (&mut s.early_grace, "early_grace", 36.0),
                            (&mut s.late_absent, "late_absent", 36.0),
                            (&mut s.early_absent, "early_absent", 36.0),
                        ] {
                            ui.vertical(|ui| {
                                cell(ui, v, w);
                                field_errors(ui, lang, &errors, &format!("{i}.{field}"));
                            });
                        }
                        if ui
                            .small_button(tr!(lang, "schedules.remove_session"))
                            .clicked()
                        {
                            remove = Some(i);
                        }
                        ui.end_row();
                        enter |= enter_row && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    }
                });
            if let Some(i) = remove {
                form.sessions.remove(i);
            }
            field_errors(ui, lang, &form.errors, "sessions");
            if ui.button(tr!(lang, "schedules.add_session")).clicked() {
                let after = form
                    .sessions
                    .last()
                    .and_then(|s| ClockTime::parse(&s.end).ok())
                    .unwrap_or(ClockTime::hm(8, 0));
                form.sessions.push(SessionForm {
                    name: tr!(lang, "schedules.new_session"),
                    start: t(after.plus(60)),
                    end: t(after.plus(180)),
                    ..Default::default()
                });
            }
            // The draft's timeline, as it would be stored.
            if let Ok(preview) = form.build() {
                ui.add_space(6.0);
                timeline(ui, lang, &preview);
            }
            ui.horizontal(|ui| {
                if ui.button(tr!(lang, "schedules.save_shift")).clicked() || enter {
                    match form.build() {
                        Ok(shift) => outcome = Outcome::Save(shift),
                        Err(e) => form.errors = e,
                    }
                }
                if ui.button(tr!(lang, "schedules.cancel")).clicked() {
                    outcome = Outcome::Cancel;
                }
            });
        });
    outcome
}

fn field_errors(ui: &mut egui::Ui, lang: Lang, errors: &[(String, &'static str)], field: &str) {
    let errs: Vec<(&'static str, &'static str)> = errors
        .iter()
        .filter(|(f, _)| f == field)
        .map(|(_, k)| ("x", *k))
        .collect();
    field_error(ui, lang, &errs, "x");
}

/// The colours of the timeline: work hours, sign-in window, sign-out window, due marks.
const WORK: egui::Color32 = egui::Color32::from_rgb(0x9e, 0xb8, 0xd9);
const SIGN_IN: egui::Color32 = egui::Color32::from_rgb(0x3b, 0xa5, 0x5c);
const SIGN_OUT: egui::Color32 = egui::Color32::from_rgb(0xe0, 0x8a, 0x1e);
const GRACE: egui::Color32 = egui::Color32::from_rgb(0xc9, 0x4c, 0x4c);

/// The hours the timeline spans: 0–24 h, widened to whole hours for night shifts.
pub(crate) fn timeline_range(shift: &Shift) -> (i32, i32) {
    let mut lo = shift.day_changes_at.0.min(0);
    let mut hi = 1440;
    for s in &shift.sessions {
        for c in [
            Some(s.start),
            Some(s.end),
            s.sign_in.map(|w| w.opens),
            s.sign_in.map(|w| w.closes),
            s.sign_out.map(|w| w.opens),
            s.sign_out.map(|w| w.closes),
        ]
        .into_iter()
        .flatten()
        {
            lo = lo.min(c.0);
            hi = hi.max(c.0);
        }
    }
    (lo.div_euclid(60) * 60, (hi + 59).div_euclid(60) * 60)
}

/// The shift's sessions over the day: a row per session with its work hours, sign-in and
/// sign-out windows and the due marks (grace shaded), hour labels below, a legend.
pub(crate) fn timeline(ui: &mut egui::Ui, lang: Lang, shift: &Shift) {
    let (lo, hi) = timeline_range(shift);
    let rows = shift.sessions.len().max(1);
    let label_w = 70.0;
    let row_h = 30.0;
    let width = ui.available_width().clamp(320.0, 1400.0);
    let height = rows as f32 * row_h + 22.0;
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(width, height), egui::Sense::hover());
    resp.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Image,
            true,
            tr!(lang, "schedules.timeline_of", code = shift.code.as_str()),
        )
    });
    let painter = ui.painter_at(rect);
    let visuals = ui.visuals();
    let x0 = rect.left() + label_w;
    let span = (rect.right() - 8.0 - x0).max(1.0);
    let x = |m: i32| x0 + span * (m - lo) as f32 / (hi - lo).max(1) as f32;
    let text = visuals.text_color();
    let weak = visuals.weak_text_color();
    let font = egui::FontId::proportional(11.0);
    // Hour grid and labels.
    let bottom = rect.top() + rows as f32 * row_h;
    let mut h = lo;
    while h <= hi {
        let xx = x(h);
        let stroke = egui::Stroke::new(
            if h % 360 == 0 { 1.0 } else { 0.5 },
            visuals.widgets.noninteractive.bg_stroke.color,
        );
        painter.line_segment([egui::pos2(xx, rect.top()), egui::pos2(xx, bottom)], stroke);
        if (h / 60) % 2 == 0 {
            painter.text(
                egui::pos2(xx, bottom + 3.0),
                egui::Align2::CENTER_TOP,
                format!("{:02}:00", h.div_euclid(60)),
                font.clone(),
                weak,
            );
        }
        h += 60;
    }
    if shift.sessions.is_empty() {
        painter.text(
            egui::pos2(x0, rect.top() + row_h / 2.0),
            egui::Align2::LEFT_CENTER,
            shift.hours_text(),
            font.clone(),
            text,
        );
    }
    for (i, s) in shift.sessions.iter().enumerate() {
        let top = rect.top() + i as f32 * row_h;
        painter.text(
            egui::pos2(rect.left() + 4.0, top + row_h / 2.0),
            egui::Align2::LEFT_CENTER,
            &s.name,
            egui::FontId::proportional(13.0),
            text,
        );
        let bar = |a: i32, b: i32, y0: f32, y1: f32, color: egui::Color32| {
            let r = egui::Rect::from_min_max(
                egui::pos2(x(a), top + y0),
                egui::pos2(x(b).max(x(a) + 2.0), top + y1),
            );
            painter.rect_filled(r, 2.0, color);
        };
        bar(s.start.0, s.end.0, 4.0, row_h - 4.0, WORK);
        if let Some(w) = s.sign_in {
            bar(w.opens.0, w.closes.0, 6.0, 13.0, SIGN_IN);
        }
        if let Some(w) = s.sign_out {
            bar(w.opens.0, w.closes.0, row_h - 13.0, row_h - 6.0, SIGN_OUT);
        }
        if s.sign_in.is_some() {
            let due = s.due_in().0;
            bar(
                due,
                due + s.late_grace_minutes as i32,
                13.0,
                row_h - 13.0,
                GRACE.gamma_multiply(0.5),
            );
            painter.line_segment(
                [
                    egui::pos2(x(due), top + 2.0),
                    egui::pos2(x(due), top + row_h - 2.0),
                ],
                egui::Stroke::new(2.0, GRACE),
            );
        }
        if s.sign_out.is_some() {
            let due = s.due_out().0;
            bar(
                due - s.early_grace_minutes as i32,
                due,
                13.0,
                row_h - 13.0,
                GRACE.gamma_multiply(0.5),
            );
            painter.line_segment(
                [
                    egui::pos2(x(due), top + 2.0),
                    egui::pos2(x(due), top + row_h - 2.0),
                ],
                egui::Stroke::new(2.0, GRACE),
            );
        }
    }
    ui.horizontal_wrapped(|ui| {
        for (color, key) in [
            (WORK, "schedules.legend_work"),
            (SIGN_IN, "schedules.legend_in"),
            (SIGN_OUT, "schedules.legend_out"),
            (GRACE, "schedules.legend_due"),
        ] {
            let (r, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
            ui.painter().rect_filled(r, 2.0, color);
            ui.label(egui::RichText::new(tr!(lang, key)).small());
            ui.add_space(8.0);
        }
    });
}

/// The locale keys of a punch rule's name and of what it does.
fn punch_rule_keys(mode: InOutMode) -> (&'static str, &'static str) {
    match mode {
        InOutMode::Windows => ("schedules.rule_windows", "schedules.rule_windows_help"),
        InOutMode::StrictWindows => ("schedules.rule_strict", "schedules.rule_strict_help"),
        InOutMode::StateKey => ("schedules.rule_state_key", "schedules.rule_state_key_help"),
    }
}

/// The punch-rule picker (all three in sight) with what the chosen rule does, in words.
fn punch_rule_choice(ui: &mut egui::Ui, lang: Lang, mode: &mut InOutMode) {
    ui.horizontal_wrapped(|ui| {
        ui.label(tr!(lang, "schedules.punch_rule"));
        for m in [
            InOutMode::Windows,
            InOutMode::StrictWindows,
            InOutMode::StateKey,
        ] {
            ui.radio_value(mode, m, tr!(lang, punch_rule_keys(m).0));
        }
    });
    ui.label(egui::RichText::new(tr!(lang, punch_rule_keys(*mode).1)).weak());
}

fn window_text(w: Option<PunchWindow>, none: &str) -> String {
    w.map(|w| format!("{} - {}", w.opens, w.closes))
        .unwrap_or_else(|| none.to_owned())
}

fn missing_text(lang: Lang, m: MissingPolicy) -> String {
    match m {
        MissingPolicy::Flag => tr!(lang, "schedules.missing_flag"),
        MissingPolicy::Absent => tr!(lang, "schedules.missing_absent"),
        MissingPolicy::Minutes(n) => tr!(lang, "schedules.missing_minutes", minutes = n),
    }
}

/// The sessions of a shift in a grid, then its overtime rule.
pub(crate) fn details(ui: &mut egui::Ui, lang: Lang, shift: &Shift) {
    let none = tr!(lang, "schedules.not_required");
    let dash = "-".to_owned();
    egui::Grid::new(("shift-details", &shift.code))
        .striped(true)
        .num_columns(shift.sessions.len() + 1)
        .show(ui, |ui| {
            ui.label("");
            for s in &shift.sessions {
                ui.strong(&s.name);
            }
            ui.end_row();
            let row = |ui: &mut egui::Ui, key: &str, f: &dyn Fn(&Session) -> String| {
                ui.label(tr!(lang, key));
                for s in &shift.sessions {
                    ui.label(f(s));
                }
                ui.end_row();
            };
            row(ui, "schedules.s_hours", &|s| {
                format!("{} - {}", s.start, s.end)
            });
            row(ui, "schedules.s_in", &|s| window_text(s.sign_in, &none));
            row(ui, "schedules.s_out", &|s| window_text(s.sign_out, &none));
            row(ui, "schedules.s_due_in", &|s| s.due_in().to_string());
            row(ui, "schedules.s_due_out", &|s| s.due_out().to_string());
            row(ui, "schedules.s_late_grace", &|s| {
                s.late_grace_minutes.to_string()
            });
            row(ui, "schedules.s_early_grace", &|s| {
                s.early_grace_minutes.to_string()
            });
            row(ui, "schedules.s_late_absent", &|s| {
                s.late_absent_after
                    .map(|m| m.to_string())
                    .unwrap_or(dash.clone())
            });
            row(ui, "schedules.s_early_absent", &|s| {
                s.early_absent_after
                    .map(|m| m.to_string())
                    .unwrap_or(dash.clone())
            });
            row(ui, "schedules.s_missing_in", &|s| {
                missing_text(lang, s.missing_in)
            });
            row(ui, "schedules.s_missing_out", &|s| {
                missing_text(lang, s.missing_out)
            });
            ui.label(tr!(lang, "schedules.s_split"));
            for i in 0..shift.sessions.len() {
                ui.label(shift.split_after(i).map_or(dash.clone(), |t| t.to_string()));
            }
            ui.end_row();
        });
    ui.add_space(4.0);
    let (rule, help) = punch_rule_keys(shift.in_out);
    ui.label(tr!(lang, "schedules.punch_rule_is", rule = tr!(lang, rule)));
    ui.label(egui::RichText::new(tr!(lang, help)).weak());
    ui.label(tr!(
        lang,
        "schedules.day_changes",
        at = shift.day_changes_at.to_string()
    ));
    match &shift.overtime {
        Some(o) => ui.label(tr!(
            lang,
            "schedules.overtime",
            after = o.starts_after_end,
            min = o.min_minutes
        )),
        None => ui.label(tr!(lang, "schedules.no_overtime")),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preset_round_trips_through_the_form() {
        for p in kaoqin_domain::presets::all() {
            let form = ShiftForm::from_shift(&p);
            assert_eq!(form.build().as_ref(), Ok(&p), "preset {}", p.code);
        }
    }

    #[test]
    fn preset_copy_needs_a_code_and_reports_bad_fields() {
        let p = kaoqin_domain::presets::preset_c();
        let mut form = ShiftForm::from_preset(&p);
        let errs = form.build().expect_err("no code");
        assert_eq!(errs, vec![("code".to_owned(), "schedules.need_code")]);
        form.code = "C2".into();
        form.sessions[0].start = "9点".into();
        form.sessions[0].in_closes.clear();
        form.sessions[1].late_grace = "-5".into();
        let errs = form.build().expect_err("bad fields");
        let fields: Vec<&str> = errs.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(fields, vec!["0.start", "0.in", "1.late_grace"]);
        form.sessions[0].start = "09:00".into();
        form.sessions[0].in_closes = "10:00".into();
        form.sessions[1].late_grace = "5".into();
        let s = form.build().expect("valid");
        assert_eq!(s.code, "C2");
        assert_eq!(
            s.sessions[0].sign_in.map(|w| w.closes),
            Some(ClockTime::hm(10, 0))
        );
        assert_eq!(s.sessions[1].late_grace_minutes, 5);
        assert_eq!(s.overtime, p.overtime);
    }

    #[test]
    fn timeline_spans_the_day_and_widens_for_night_shifts() {
        let p = kaoqin_domain::presets::preset_a();
        assert_eq!(timeline_range(&p), (0, 1440));
        let mut night = p.clone();
        night.sessions[1].end = ClockTime::next_day(2, 30);
        assert_eq!(timeline_range(&night), (0, 1440 + 180));
    }
}
