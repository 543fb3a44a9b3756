//! The Schedules page's month calendar: a 7-column grid (Monday first) painted with the day type
//! of each date (workday, rest day, holiday, local holiday, make-up workday 调休上班), holiday
//! names and the statutory flag; month navigation; for `manage_schedules` roles a day editor that
//! overrides a date's type. Holds no data but what the page loaded through the backend.

use chrono::{Datelike, NaiveDate};
use kaoqin_domain::{CalendarEntry, DayKind, Month};

use crate::i18n::Lang;

use crate::gui::backend::schedules::CalendarDayView;

/// The calendar's state: the month shown, its days, the day being edited.
#[derive(Debug, Default)]
pub(crate) struct CalendarState {
    /// The month shown (none before the first load).
    month: Option<Month>,
    days: Vec<CalendarDayView>,
    /// The month being loaded, if any.
    pub(crate) loading: Option<Month>,
    month_text: String,
    month_error: bool,
    selected: Option<NaiveDate>,
    edit_kind: Option<DayKind>,
    edit_name: String,
    edit_statutory: bool,
    save: Option<CalendarEntry>,
    /// Today by the backend's clock (marked in the grid; "this month").
    today: NaiveDate,
}

impl CalendarState {
    /// The month shown, once one is loaded.
    pub(crate) fn shown(&self) -> Option<Month> {
        self.month.filter(|_| !self.days.is_empty())
    }

    pub(crate) fn set_days(&mut self, month: Month, days: Vec<CalendarDayView>) {
        self.month = Some(month);
        self.month_text = month.to_string();
        self.days = days;
        if let Some(sel) = self.selected
            && let Some(d) = self.days.iter().find(|d| d.date == sel)
        {
            self.edit_kind = Some(d.kind);
            self.edit_name = d.name.clone();
            self.edit_statutory = d.statutory;
        }
    }

    /// The day override the user asked to save this frame.
    pub(crate) fn take_save(&mut self) -> Option<CalendarEntry> {
        self.save.take()
    }
}

/// The background of a day kind.
fn fill(kind: DayKind, dark: bool) -> egui::Color32 {
    let (r, g, b) = match (kind, dark) {
        (DayKind::Workday, false) => (0xf4, 0xf6, 0xf8),
        (DayKind::RestDay, false) => (0xdc, 0xe0, 0xe5),
        (DayKind::PublicHoliday, false) => (0xf7, 0xc9, 0xc4),
        (DayKind::OtherHoliday, false) => (0xf6, 0xdd, 0xb5),
        (DayKind::MakeupWorkday, false) => (0xc8, 0xdc, 0xf5),
        (DayKind::Workday, true) => (0x3c, 0x41, 0x48),
        (DayKind::RestDay, true) => (0x26, 0x28, 0x2b),
        (DayKind::PublicHoliday, true) => (0x7d, 0x2c, 0x2c),
        (DayKind::OtherHoliday, true) => (0x7a, 0x55, 0x1e),
        (DayKind::MakeupWorkday, true) => (0x23, 0x4d, 0x80),
    };
    egui::Color32::from_rgb(r, g, b)
}

/// Draws the calendar; returns a month to load when the user navigated. `today` comes from the
/// backend's clock, never the PC's directly.
pub(crate) fn show(
    ui: &mut egui::Ui,
    lang: Lang,
    st: &mut CalendarState,
    may_edit: bool,
    today: NaiveDate,
) -> Option<Month> {
    let mut load = None;
    st.today = today;
    let shown = match st.month {
        Some(m) => m,
        None => {
            let m = Month::of(today);
            st.month = Some(m);
            st.month_text = m.to_string();
            if st.loading.is_none() {
                load = Some(m);
            }
            m
        }
    };
    ui.horizontal(|ui| {
        if ui
            .button("<")
            .on_hover_text(tr!(lang, "schedules.prev_month"))
            .clicked()
        {
            load = shown.plus(-1).or(load);
        }
        ui.strong(tr!(
            lang,
            "schedules.month_title",
            year = shown.year(),
            month = shown.month()
        ));
        if ui
            .button(">")
            .on_hover_text(tr!(lang, "schedules.next_month"))
            .clicked()
        {
            load = shown.plus(1).or(load);
        }
        if ui.button(tr!(lang, "schedules.this_month")).clicked() {
            load = Some(Month::of(today));
        }
        ui.add_space(12.0);
        let l = ui.label(tr!(lang, "schedules.month"));
        let r = ui
            .add(egui::TextEdit::singleline(&mut st.month_text).desired_width(80.0))
            .labelled_by(l.id);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(tr!(lang, "schedules.go")).clicked() || enter {
            match st.month_text.parse::<Month>() {
                Ok(m) => {
                    st.month_error = false;
                    load = Some(m);
                }
                Err(_) => st.month_error = true,
            }
        }
        if st.loading.is_some() {
            ui.spinner();
        }
    });
    if st.month_error {
        ui.colored_label(
            ui.visuals().error_fg_color,
            tr!(lang, "schedules.bad_month"),
        );
    }
    legend(ui, lang);
    ui.add_space(4.0);
    let dark = ui.visuals().dark_mode;
    let edit_w = if may_edit { 280.0 } else { 0.0 };
    let cell_w = ((ui.available_width() - edit_w - 6.0 * 4.0) / 7.0).clamp(70.0, 150.0);
    let cell_h = 62.0;
    ui.horizontal_top(|ui| {
        ui.vertical(|ui| {
            grid(ui, lang, st, may_edit, dark, cell_w, cell_h);
        });
        if may_edit {
            ui.add_space(12.0);
            ui.vertical(|ui| {
                ui.set_width(edit_w - 12.0);
                day_editor(ui, lang, st);
            });
        }
    });
    if let Some(m) = load {
        st.loading = Some(m);
    }
    load
}

fn legend(ui: &mut egui::Ui, lang: Lang) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        for k in DAY_KINDS {
            let (r, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
            ui.painter().rect_filled(r, 2.0, fill(k, dark));
            ui.painter().rect_stroke(
                r,
                2.0,
                egui::Stroke::new(1.0, ui.visuals().weak_text_color()),
                egui::StrokeKind::Inside,
            );
            ui.label(egui::RichText::new(tr!(lang, day_kind_key(k))).small());
            ui.add_space(8.0);
        }
        ui.label(egui::RichText::new(tr!(lang, "schedules.statutory_legend")).small());
    });
}

#[allow(clippy::too_many_arguments)]
fn grid(
    ui: &mut egui::Ui,
    lang: Lang,
    st: &mut CalendarState,
    may_edit: bool,
    dark: bool,
    cell_w: f32,
    cell_h: f32,
) {
    let Some(first) = st.days.first().map(|d| d.date) else {
        ui.label(tr!(lang, "schedules.loading"));
        return;
    };
    let gap = 4.0;
    let lead = first.weekday().num_days_from_monday() as usize;
    let weeks = (lead + st.days.len()).div_ceil(7);
    let total = egui::vec2(
        7.0 * cell_w + 6.0 * gap,
        20.0 + weeks as f32 * (cell_h + gap),
    );
    let (rect, _) = ui.allocate_exact_size(total, egui::Sense::hover());
    let painter = ui.painter_at(rect);
    let text = ui.visuals().text_color();
    let weak = ui.visuals().weak_text_color();
    for (i, key) in [
        "schedules.mon",
        "schedules.tue",
        "schedules.wed",
        "schedules.thu",
        "schedules.fri",
        "schedules.sat",
        "schedules.sun",
    ]
    .into_iter()
    .enumerate()
    {
        let x = rect.left() + i as f32 * (cell_w + gap) + cell_w / 2.0;
        painter.text(
            egui::pos2(x, rect.top() + 2.0),
            egui::Align2::CENTER_TOP,
            tr!(lang, key),
            egui::FontId::proportional(13.0),
            weak,
        );
    }
    let today = st.today;
    let mut clicked = None;
    for (n, d) in st.days.iter().enumerate() {
        let slot = lead + n;
        let (row, col) = (slot / 7, slot % 7);
        let min = egui::pos2(
            rect.left() + col as f32 * (cell_w + gap),
            rect.top() + 20.0 + row as f32 * (cell_h + gap),
        );
        let cell = egui::Rect::from_min_size(min, egui::vec2(cell_w, cell_h));
        let id = ui.scope_id().with(("calendar-day", d.date));
        let sense = if may_edit {
            egui::Sense::click()
        } else {
            egui::Sense::hover()
        };
        let resp = ui.interact(cell, id, sense);
        let kind = tr!(lang, day_kind_key(d.kind));
        let mut label = format!("{} {kind}", d.date);
        if !d.name.is_empty() {
            label.push(' ');
            label.push_str(&d.name);
        }
        if d.statutory {
            label.push(' ');
            label.push_str(&tr!(lang, "schedules.statutory"));
        }
        let role = if may_edit {
            egui::Role::Button
        } else {
            egui::Role::Cell
        };
        resp.widget_info(|| egui::WidgetInfo::labeled(role, true, &label));
        let selected = st.selected == Some(d.date);
        painter.rect_filled(cell, 4.0, fill(d.kind, dark));
        let stroke = if selected {
            egui::Stroke::new(2.0, ui.visuals().selection.stroke.color)
        } else if d.date == today {
            egui::Stroke::new(2.0, egui::Color32::from_rgb(0x2e, 0x9d, 0x4f))
        } else if resp.hovered() && may_edit {
            egui::Stroke::new(1.0, text)
        } else {
            egui::Stroke::new(0.5, weak)
        };
        painter.rect_stroke(cell, 4.0, stroke, egui::StrokeKind::Inside);
        painter.text(
            cell.min + egui::vec2(6.0, 4.0),
            egui::Align2::LEFT_TOP,
            d.date.day().to_string(),
            egui::FontId::proportional(16.0),
            text,
        );
        // The flag in the corner: 法定 (statutory, 300%) or 班 (make-up workday).
        let flag = if d.statutory {
            Some(tr!(lang, "schedules.flag_statutory"))
        } else if d.kind == DayKind::MakeupWorkday {
            Some(tr!(lang, "schedules.flag_makeup"))
        } else {
            None
        };
        if let Some(flag) = flag {
            painter.text(
                egui::pos2(cell.right() - 5.0, cell.top() + 5.0),
                egui::Align2::RIGHT_TOP,
                flag,
                egui::FontId::proportional(11.0),
                if dark {
                    egui::Color32::from_rgb(0xff, 0xb0, 0xa0)
                } else {
                    egui::Color32::from_rgb(0xb0, 0x30, 0x30)
                },
            );
        }
        let caption = if d.name.is_empty() {
            kind
        } else {
            d.name.clone()
        };
        let galley = painter.layout(
            caption,
            egui::FontId::proportional(12.0),
            text,
            cell_w - 10.0,
        );
        painter.galley(
            egui::pos2(
                cell.left() + 6.0,
                cell.bottom() - 4.0 - galley.size().y.min(30.0),
            ),
            galley,
            text,
        );
        if resp.clicked() {
            clicked = Some(d.clone());
        }
    }
    if let Some(d) = clicked {
        st.selected = Some(d.date);
        st.edit_kind = Some(d.kind);
        st.edit_name = d.name;
        st.edit_statutory = d.statutory;
    }
}

fn day_editor(ui: &mut egui::Ui, lang: Lang, st: &mut CalendarState) {
    let Some(date) = st.selected else {
        ui.label(egui::RichText::new(tr!(lang, "schedules.pick_day")).weak());
        return;
    };
    ui.strong(tr!(lang, "schedules.edit_day", date = date.to_string()));
    for k in DAY_KINDS {
        if ui
            .selectable_label(st.edit_kind == Some(k), tr!(lang, day_kind_key(k)))
            .clicked()
        {
            st.edit_kind = Some(k);
            if !k.is_holiday() {
                st.edit_statutory = false;
            }
        }
    }
    let l = ui.label(tr!(lang, "schedules.day_name"));
    let r = ui
        .add(egui::TextEdit::singleline(&mut st.edit_name).desired_width(220.0))
        .labelled_by(l.id);
    let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    let holiday = st.edit_kind.is_some_and(DayKind::is_holiday);
    ui.add_enabled(
        holiday,
        egui::Checkbox::new(&mut st.edit_statutory, tr!(lang, "schedules.statutory_box")),
    );
    ui.horizontal(|ui| {
        if (ui.button(tr!(lang, "schedules.save_day")).clicked() || enter)
            && let Some(kind) = st.edit_kind
        {
            st.save = Some(day_entry(date, kind, &st.edit_name, st.edit_statutory));
        }
        if ui.button(tr!(lang, "schedules.cancel")).clicked() {
            st.selected = None;
        }
    });
    ui.label(
        egui::RichText::new(tr!(lang, "schedules.day_hint"))
            .weak()
            .small(),
    );
}

/// The kinds of day the calendar offers, in the order shown.
pub(crate) const DAY_KINDS: [DayKind; 5] = [
    DayKind::Workday,
    DayKind::RestDay,
    DayKind::PublicHoliday,
    DayKind::OtherHoliday,
    DayKind::MakeupWorkday,
];

/// The locale key naming a day kind.
pub(crate) fn day_kind_key(k: DayKind) -> &'static str {
    match k {
        DayKind::Workday => "schedules.day_workday",
        DayKind::RestDay => "schedules.day_rest",
        DayKind::PublicHoliday => "schedules.day_holiday",
        DayKind::OtherHoliday => "schedules.day_other_holiday",
        DayKind::MakeupWorkday => "schedules.day_makeup",
    }
}

/// What the calendar's day editor saves.
pub(crate) fn day_entry(
    date: NaiveDate,
    kind: DayKind,
    name: &str,
    statutory: bool,
) -> CalendarEntry {
    CalendarEntry {
        date,
        kind,
        name: name.trim().to_owned(),
        statutory: statutory && kind.is_holiday(),
    }
}
