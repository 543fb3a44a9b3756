//! Dashboard: the organisation at a glance. Today so far from the last download (signed in, late,
//! absent), each terminal's health and next allowed connection, requests waiting for the user,
//! enrollment windows (with the expiry reminder), and the month-to-date attendance rate per
//! department as a bar chart. Everything comes from `Backend::dashboard` in one background job.

use super::super::backend::dashboard::{DashboardData, PersonRow, TerminalHealth};
use super::super::nav::Page;
use super::super::shell::role_key;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use crate::i18n::Lang;

pub(crate) enum Msg {
    Loaded(Box<DashboardData>),
}

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    tasks: Tasks<Msg>,
    loaded: bool,
    data: Option<DashboardData>,
}

impl State {
    fn load(&mut self, ctx: &egui::Context, cx: &PageCtx<'_>) {
        let (backend, session) = (cx.backend.clone(), cx.session.clone());
        self.loaded = true;
        self.tasks.spawn(ctx, "dashboard", move || {
            Msg::Loaded(Box::new(backend.dashboard(&session)))
        });
    }
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    for msg in state.tasks.poll() {
        match msg {
            Msg::Loaded(d) => state.data = Some(*d),
        }
    }
    if !state.loaded {
        state.load(ui.ctx(), cx);
    }
    let lang = cx.lang;
    ui.horizontal(|ui| {
        ui.label(tr!(
            lang,
            "dashboard.welcome",
            user = cx.who.user.as_str(),
            role = tr!(lang, role_key(cx.who.role))
        ));
        if ui
            .add_enabled(
                !state.tasks.busy(),
                egui::Button::new(tr!(lang, "dashboard.refresh")),
            )
            .clicked()
        {
            state.load(ui.ctx(), cx);
        }
        if state.tasks.busy() {
            ui.add(egui::Spinner::new());
        }
    });
    ui.add_space(6.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            counts(ui, cx);
            let Some(data) = &state.data else {
                return;
            };
            ui.add_space(8.0);
            if let Some(w) = &data.waiting_requests {
                match w {
                    Ok(n) => {
                        ui.horizontal(|ui| {
                            ui.strong(tr!(lang, "dashboard.requests_waiting", count = n));
                            if ui.link(tr!(lang, "dashboard.open_requests")).clicked() {
                                cx.goto = Some(Page::Requests);
                            }
                        });
                    }
                    Err(e) => widgets::error_box(ui, lang, e),
                }
                ui.add_space(8.0);
            }
            if let Some(h) = &data.handover {
                handover(ui, lang, h);
            }
            ui.heading(tr!(lang, "dashboard.today"));
            match &data.today {
                Ok(t) => today(ui, lang, t),
                Err(e) => widgets::error_box(ui, lang, e),
            }
            ui.add_space(10.0);
            ui.heading(tr!(lang, "dashboard.terminals_health"));
            match &data.terminals {
                Ok(t) if t.is_empty() => {
                    ui.label(tr!(lang, "dashboard.no_terminals"));
                }
                Ok(t) => terminals(ui, lang, t),
                Err(e) => widgets::error_box(ui, lang, e),
            }
            ui.add_space(10.0);
            ui.heading(tr!(lang, "dashboard.rate_heading"));
            if let Ok(t) = &data.today {
                rate_chart(ui, lang, &t.departments);
            }
        });
}

fn counts(ui: &mut egui::Ui, cx: &PageCtx<'_>) {
    let (lang, lists) = (cx.lang, cx.lists);
    egui::Grid::new("dashboard-counts")
        .num_columns(2)
        .spacing([24.0, 6.0])
        .show(ui, |ui| {
            ui.label(tr!(lang, "dashboard.organisation"));
            ui.strong(&lists.organisation);
            ui.end_row();
            ui.label(tr!(lang, "dashboard.employees"));
            let active = lists.employees.iter().filter(|e| e.active).count();
            ui.strong(tr!(
                lang,
                "dashboard.employees_count",
                active = active,
                total = lists.employees.len()
            ));
            ui.end_row();
            if let Some(chain) = &lists.chain {
                ui.label(tr!(lang, "dashboard.audit_chain"));
                super::audit::chain_label(ui, lang, chain);
                ui.end_row();
            }
        });
    if lists.employees.is_empty() {
        ui.label(tr!(lang, "dashboard.no_employees"));
    }
}

fn handover(
    ui: &mut egui::Ui,
    lang: Lang,
    h: &Result<Vec<super::super::backend::dashboard::HandoverRow>, super::super::model::UiError>,
) {
    match h {
        Ok(rows) if rows.is_empty() => {}
        Ok(rows) => {
            ui.heading(tr!(lang, "dashboard.handover_heading"));
            for w in rows {
                if w.expired {
                    ui.colored_label(
                        ui.visuals().error_fg_color,
                        tr!(
                            lang,
                            "dashboard.handover_expired",
                            terminal = w.terminal.as_str(),
                            until = w.until.as_str()
                        ),
                    );
                } else {
                    ui.label(tr!(
                        lang,
                        "dashboard.handover_open",
                        terminal = w.terminal.as_str(),
                        until = w.until.as_str()
                    ));
                }
            }
            ui.add_space(8.0);
        }
        Err(e) => widgets::error_box(ui, lang, e),
    }
}

fn today(ui: &mut egui::Ui, lang: Lang, t: &super::super::backend::dashboard::TodayView) {
    ui.label(tr!(
        lang,
        "dashboard.today_as_of",
        date = t.date.as_str(),
        time = t.as_of.as_str()
    ));
    match &t.newest_punch {
        Some(p) => ui.label(tr!(lang, "dashboard.newest_punch", time = p.as_str())),
        None => ui.label(tr!(lang, "dashboard.no_punches")),
    };
    egui::Grid::new("dashboard-today")
        .num_columns(2)
        .spacing([24.0, 4.0])
        .show(ui, |ui| {
            let mut row = |k: &str, n: usize| {
                ui.label(tr!(lang, k));
                ui.strong(n.to_string());
                ui.end_row();
            };
            row("dashboard.expected", t.expected);
            row("dashboard.signed_in", t.signed_in.len());
            row("dashboard.late", t.late.len());
            row("dashboard.absent", t.absent.len());
            row("dashboard.not_yet", t.not_yet);
            row("dashboard.excused", t.excused);
        });
    if t.unassigned > 0 {
        ui.label(tr!(lang, "dashboard.unassigned", count = t.unassigned));
    }
    people(ui, lang, "dashboard.late_list", "late", &t.late, true);
    people(
        ui,
        lang,
        "dashboard.absent_list",
        "absent",
        &t.absent,
        false,
    );
}

fn people(ui: &mut egui::Ui, lang: Lang, key: &str, id: &str, rows: &[PersonRow], late: bool) {
    if rows.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(tr!(lang, key, count = rows.len()))
        .id_salt(id)
        .show(ui, |ui| {
            for p in rows {
                let mut line = format!("{} {}  {}", p.no, p.name, p.department);
                if late {
                    line.push_str(&format!(
                        "  {}",
                        tr!(
                            lang,
                            "dashboard.late_by",
                            time = p.first_sign_in.as_str(),
                            minutes = p.late_minutes
                        )
                    ));
                }
                ui.label(line);
            }
        });
}

/// The "next connection" cell: allowed now, or the time and the rule.
pub(crate) fn next_connection_text(lang: Lang, t: &TerminalHealth) -> String {
    match &t.next {
        None => tr!(lang, "dashboard.allowed_now").to_string(),
        Some((at, rule)) => tr!(
            lang,
            "dashboard.allowed_at",
            time = at.as_str(),
            rule = widgets::rule_text(lang, rule)
        )
        .to_string(),
    }
}

fn terminals(ui: &mut egui::Ui, lang: Lang, rows: &[TerminalHealth]) {
    egui::Grid::new("dashboard-terminals")
        .num_columns(6)
        .striped(true)
        .spacing([16.0, 6.0])
        .show(ui, |ui| {
            for k in [
                "dashboard.col_terminal",
                "dashboard.col_last_contact",
                "dashboard.col_skew",
                "dashboard.col_findings",
                "dashboard.col_last_error",
                "dashboard.col_next",
            ] {
                ui.strong(tr!(lang, k));
            }
            ui.end_row();
            for t in rows {
                ui.label(&t.name);
                if t.last_contact.is_empty() {
                    ui.label(tr!(lang, "dashboard.never"));
                } else {
                    ui.label(&t.last_contact);
                }
                match t.clock_skew_secs {
                    Some(s) => ui.label(tr!(lang, "dashboard.skew", seconds = s)),
                    None => ui.label(tr!(lang, "dashboard.unknown")),
                };
                if t.open_findings > 0 {
                    ui.colored_label(ui.visuals().warn_fg_color, t.open_findings.to_string());
                } else {
                    ui.label("0");
                }
                if t.last_error.is_empty() {
                    ui.label("");
                } else {
                    ui.colored_label(ui.visuals().error_fg_color, &t.last_error);
                }
                let text = next_connection_text(lang, t);
                if t.next.is_none() {
                    ui.colored_label(egui::Color32::from_rgb(0x2e, 0x9d, 0x4f), text);
                } else {
                    ui.label(text);
                }
                ui.end_row();
            }
        });
}

fn rate_chart(ui: &mut egui::Ui, lang: Lang, depts: &[(String, f64, f64)]) {
    use egui_plot::{Bar, BarChart, Plot};
    if depts.is_empty() {
        ui.label(tr!(lang, "dashboard.rate_none"));
        return;
    }
    let bars: Vec<Bar> = depts
        .iter()
        .enumerate()
        .map(|(i, (name, rate, _))| {
            Bar::new(i as f64, (rate * 100.0).clamp(0.0, 100.0))
                .name(name)
                .width(0.6)
        })
        .collect();
    let names: Vec<String> = depts.iter().map(|d| d.0.clone()).collect();
    let chart = BarChart::new(tr!(lang, "dashboard.rate_series"), bars)
        .color(egui::Color32::from_rgb(0x3b, 0x82, 0xc4));
    Plot::new("dashboard-rate")
        .height(220.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            names.get(i as usize).cloned().unwrap_or_default()
        })
        .y_axis_formatter(|mark, _| format!("{}%", mark.value))
        .show(ui, |p| p.bar_chart(chart));
    for (name, rate, _) in depts {
        ui.label(format!("{name}: {:.1}%", rate * 100.0));
    }
}
