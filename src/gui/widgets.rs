//! Small widgets shared by the screens: labelled text fields, the error box, the language switch,
//! a centred card and a virtualized table. Presentation only.

use crate::i18n::Lang;

use super::backend::dashboard::RuleRow;

use super::model::UiError;

/// A label above a single-line text field; the field is labelled for screen readers and tests.
pub(crate) fn labelled_text(
    ui: &mut egui::Ui,
    label: &str,
    value: &mut String,
    password: bool,
) -> egui::Response {
    let l = ui.label(label);
    let resp = ui.add(
        egui::TextEdit::singleline(value)
            .password(password)
            .desired_width(f32::INFINITY),
    );
    resp.labelled_by(l.id)
}

/// A localized error: what happened and what to do, then the technical detail, if any.
pub(crate) fn error_box(ui: &mut egui::Ui, lang: Lang, err: &UiError) {
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .stroke(egui::Stroke::new(1.0, ui.visuals().error_fg_color))
        .show(ui, |ui| {
            ui.colored_label(ui.visuals().error_fg_color, tr!(lang, err.key));
            if !err.detail.is_empty() {
                ui.label(egui::RichText::new(&err.detail).small().weak());
            }
        });
}

/// The language choice, each language named in itself so anyone can find their own.
pub(crate) fn language_switch(ui: &mut egui::Ui, lang: &mut Lang) {
    ui.horizontal(|ui| {
        ui.label(tr!(lang, "settings.language"));
        for l in Lang::ALL {
            if ui.selectable_label(*lang == l, l.native_name()).clicked() {
                *lang = l;
            }
        }
    });
}

/// Centres a fixed-width card in the available space (log-in, wizard).
pub(crate) fn centered_card(ui: &mut egui::Ui, width: f32, add: impl FnOnce(&mut egui::Ui)) {
    let avail = ui.available_size();
    ui.add_space((avail.y * 0.12).max(8.0));
    ui.horizontal(|ui| {
        ui.add_space(((avail.x - width) / 2.0).max(0.0));
        egui::Frame::group(ui.style())
            .inner_margin(egui::Margin::same(20))
            .show(ui, |ui| {
                ui.set_width(width);
                ui.vertical(|ui| add(ui));
            });
    });
}

/// A striped, virtualized table: only the visible rows are laid out, so a million rows cost the
/// same per frame as twenty. `cell(ui, row, col)` draws one cell.
pub(crate) fn table(
    ui: &mut egui::Ui,
    id: &str,
    headers: &[String],
    rows: usize,
    mut cell: impl FnMut(&mut egui::Ui, usize, usize),
) {
    use egui_extras::{Column, TableBuilder};
    let mut builder = TableBuilder::new(ui)
        .id_salt(id)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .min_scrolled_height(0.0)
        .max_scroll_height(f32::INFINITY);
    for i in 0..headers.len() {
        builder = if i + 1 == headers.len() {
            builder.column(Column::remainder().at_least(60.0))
        } else {
            builder.column(Column::auto().at_least(60.0).resizable(true))
        };
    }
    builder
        .header(24.0, |mut header| {
            for h in headers {
                header.col(|ui| {
                    ui.strong(h);
                });
            }
        })
        .body(|body| {
            body.rows(22.0, rows, |mut row| {
                let r = row.index();
                for c in 0..headers.len() {
                    row.col(|ui| cell(ui, r, c));
                }
            });
        });
}

/// An edit form in a window over the page: its fields, then [`form_footer`].
pub(crate) struct EditWindow<'a> {
    pub title: String,
    pub width: f32,
    /// The form's own problem (a locale key).
    pub problem: Option<&'static str>,
    /// The service's last error.
    pub error: Option<&'a UiError>,
    pub busy: bool,
    pub save_key: &'static str,
    pub cancel_key: &'static str,
}

impl EditWindow<'_> {
    pub(crate) fn show(
        self,
        ctx: &egui::Context,
        lang: Lang,
        fields: impl FnOnce(&mut egui::Ui),
    ) -> FormFooter {
        let mut out = FormFooter::default();
        egui::Window::new(self.title)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.set_width(self.width);
                fields(ui);
                out = form_footer(
                    ui,
                    lang,
                    self.problem,
                    self.error,
                    self.busy,
                    self.save_key,
                    self.cancel_key,
                );
            });
        out
    }
}

/// What the user did with an edit form's footer this frame.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FormFooter {
    pub submit: bool,
    pub close: bool,
}

/// The end of every edit form: the form's own problem (a locale key), the service's last error,
/// Save (disabled while the job runs, with a spinner) and Cancel; Enter submits.
pub(crate) fn form_footer(
    ui: &mut egui::Ui,
    lang: Lang,
    problem: Option<&'static str>,
    error: Option<&UiError>,
    busy: bool,
    save_key: &str,
    cancel_key: &str,
) -> FormFooter {
    let mut out = FormFooter::default();
    if let Some(p) = problem {
        ui.colored_label(ui.visuals().error_fg_color, tr!(lang, p));
    }
    if let Some(e) = error {
        error_box(ui, lang, e);
    }
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!busy, egui::Button::new(tr!(lang, save_key)))
            .clicked()
        {
            out.submit = true;
        }
        if ui.button(tr!(lang, cancel_key)).clicked() {
            out.close = true;
        }
        if busy {
            ui.add(egui::Spinner::new());
        }
    });
    if ui.input(|i| i.key_pressed(egui::Key::Enter)) && !busy {
        out.submit = true;
    }
    out
}

/// A peak window's name in the user's language: "上午签到", "班次 C 上午签到". The two default
/// session names ("morning", "afternoon") are translated; names the supervisor typed are kept.
pub(crate) fn peak_window_text(
    lang: Lang,
    name: &str,
    shift: Option<&str>,
    sign_in: bool,
) -> String {
    let what = tr!(
        lang,
        if sign_in {
            "peak.sign_in"
        } else {
            "peak.sign_out"
        }
    );
    let name = match name {
        "morning" => tr!(lang, "peak.morning"),
        "afternoon" => tr!(lang, "peak.afternoon"),
        other => other.to_owned(),
    };
    match shift {
        Some(shift) => tr!(lang, "peak.shift", shift = shift, name = name, what = what),
        None => tr!(lang, "peak.configured", name = name, what = what),
    }
}

/// Why a connection is not allowed now, in the user's language.
pub(crate) fn rule_text(lang: Lang, r: &RuleRow) -> String {
    match r {
        RuleRow::Peak {
            name,
            shift,
            sign_in,
            from,
            to,
        } => tr!(
            lang,
            "dashboard.rule_peak",
            label = peak_window_text(lang, name, shift.as_deref(), *sign_in),
            from = from.as_str(),
            to = to.as_str()
        )
        .to_string(),
        RuleRow::Spacing {
            minutes,
            previous_end,
            unfinished,
        } => {
            let key = if *unfinished {
                "dashboard.rule_spacing_unfinished"
            } else {
                "dashboard.rule_spacing"
            };
            tr!(lang, key, minutes = minutes, time = previous_end.as_str()).to_string()
        }
    }
}

/// What the user did in the override dialog this frame.
pub(crate) enum OverrideChoice {
    /// Still open.
    Open,
    /// OK with this (non-blank, trimmed) reason.
    Go(String),
    Cancel,
}

/// The supervisor's override dialog (a window over the page): `intro` says what will be done
/// despite the rules, the reason is required, `ok_key` labels the button.
pub(crate) fn override_dialog(
    ctx: &egui::Context,
    lang: Lang,
    intro: &str,
    reason: &mut String,
    ok_key: &str,
) -> OverrideChoice {
    let mut choice = OverrideChoice::Open;
    egui::Window::new(tr!(lang, "download.override_title"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .show(ctx, |ui| {
            ui.label(intro);
            let l = ui.label(tr!(lang, "download.override_reason"));
            ui.add(
                egui::TextEdit::multiline(reason)
                    .desired_rows(3)
                    .desired_width(360.0),
            )
            .labelled_by(l.id);
            let blank = reason.trim().is_empty();
            if blank {
                ui.small(tr!(lang, "download.override_needs_reason"));
            }
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(!blank, egui::Button::new(tr!(lang, ok_key)))
                    .clicked()
                {
                    choice = OverrideChoice::Go(reason.trim().to_owned());
                }
                if ui.button(tr!(lang, "download.cancel")).clicked() {
                    choice = OverrideChoice::Cancel;
                }
            });
        });
    choice
}

#[cfg(test)]
mod tests {
    use super::peak_window_text;
    use crate::i18n::Lang;

    #[test]
    fn peak_windows_are_named_in_the_users_language() {
        let cases = [
            (Lang::ZhCn, "morning", None, true, "上午签到"),
            (Lang::ZhTw, "afternoon", None, false, "下午簽退"),
            (Lang::English, "morning", None, false, "morning sign-out"),
            (Lang::ZhCn, "上午", Some("C"), true, "班次 C 上午签到"),
            (
                Lang::English,
                "上午",
                Some("C"),
                true,
                "shift C 上午 sign-in",
            ),
            (Lang::ZhCn, "夜班", None, false, "夜班签退"),
        ];
        for (lang, name, shift, sign_in, want) in cases {
            assert_eq!(peak_window_text(lang, name, shift, sign_in), want);
        }
    }
}
