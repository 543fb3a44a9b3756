//! The Requests page: the clerk enters leave, outing, trip, supplement (补签) and overtime requests
//! on an employee's behalf; the approver's inbox lists the submitted requests they may decide, with
//! Approve / Reject and a note; all requests with filters (state, employee, month) and the history
//! of the selected one (who, when, what, note).
//!
//! Who may decide is the services' business (no self-approval, direct leader or supervisor): the
//! page shows their refusal. Must not call services or the store directly: data comes from
//! `Backend` through this page's own jobs.

use std::sync::Arc;

use kaoqin_domain::timefmt::{fmt_datetime, fmt_time};
use kaoqin_domain::{Month, PunchKind, RequestKind, Span};

use crate::app::permissions::{Action, allowed};
use crate::gui::backend::requests::{
    ActorName, HistoryItem, RequestItem, RequestQuery, RequestsData,
};
use crate::i18n::Lang;

use super::super::model::UiError;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use super::requests_form::{self as form, RequestForm};

pub(crate) enum Msg {
    Data(Result<RequestsData, UiError>),
    Added(Result<i64, UiError>),
    Decided(i64, Result<String, UiError>),
    History(i64, Result<Vec<HistoryItem>, UiError>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    New,
    Inbox,
    All,
}

/// The filters of the full list.
#[derive(Debug, Clone, Default)]
struct Filter {
    state: String,
    employee: String,
    month: String,
}

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    tasks: Tasks<Msg>,
    loaded: bool,
    data: RequestsData,
    error: Option<UiError>,
    notice: Option<String>,
    tab: Option<Tab>,
    form: RequestForm,
    filter: Filter,
    selected: Option<i64>,
    history: Option<(i64, Vec<HistoryItem>)>,
    note: String,
    decide_error: Option<UiError>,
}

const STATES: [&str; 5] = ["draft", "submitted", "approved", "rejected", "withdrawn"];

fn state_key(s: &str) -> &'static str {
    match s {
        "draft" => "requests.state_draft",
        "submitted" => "requests.state_submitted",
        "approved" => "requests.state_approved",
        "rejected" => "requests.state_rejected",
        _ => "requests.state_withdrawn",
    }
}

/// Who did a step: an app user or an employee, as they are.
fn actor_text(lang: Lang, a: &ActorName) -> String {
    match a {
        ActorName::User(name) => tr!(lang, "requests.actor_user", name = name.as_str()),
        ActorName::Employee { no, name } => tr!(
            lang,
            "requests.actor_employee",
            no = no.as_str(),
            name = name.as_deref().unwrap_or("")
        )
        .trim_end()
        .to_owned(),
        ActorName::AsStored(text) => text.clone(),
    }
}

fn action_key(s: &str) -> &'static str {
    match s {
        "submit" => "requests.action_submit",
        "approve" => "requests.action_approve",
        "reject" => "requests.action_reject",
        _ => "requests.action_withdraw",
    }
}

fn kind_key(code: &str) -> &'static str {
    match code {
        "leave" => "requests.kind_leave",
        "outing" => "requests.kind_outing",
        "trip" => "requests.kind_trip",
        "supplement" => "requests.kind_supplement",
        _ => "requests.kind_overtime",
    }
}

impl State {
    fn reload(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context) {
        let (b, u) = (Arc::clone(cx.backend), Arc::clone(cx.session));
        self.tasks.spawn(ctx, "requests-load", move || {
            Msg::Data(b.requests(&u, &RequestQuery::default()))
        });
    }

    fn load_history(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context, id: i64) {
        let (b, u) = (Arc::clone(cx.backend), Arc::clone(cx.session));
        self.tasks.spawn(ctx, "request-history", move || {
            Msg::History(id, b.request_history(&u, id))
        });
    }

    fn receive(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context, lang: Lang) {
        for msg in self.tasks.poll() {
            match msg {
                Msg::Data(Ok(d)) => {
                    self.data = d;
                    self.error = None;
                }
                Msg::Data(Err(e)) => self.error = Some(e),
                Msg::Added(Ok(id)) => {
                    self.notice = Some(tr!(lang, "requests.added", id = id));
                    self.form = RequestForm {
                        kind: self.form.kind,
                        leave_type: self.form.leave_type.clone(),
                        ..Default::default()
                    };
                    self.error = None;
                    self.reload(cx, ctx);
                }
                Msg::Added(Err(e)) => self.error = Some(e),
                Msg::Decided(id, Ok(state)) => {
                    self.notice = Some(tr!(
                        lang,
                        "requests.decided",
                        id = id,
                        state = tr!(lang, state_key(&state))
                    ));
                    self.note.clear();
                    self.decide_error = None;
                    self.reload(cx, ctx);
                    self.load_history(cx, ctx, id);
                }
                Msg::Decided(_, Err(e)) => self.decide_error = Some(e),
                Msg::History(id, Ok(h)) => self.history = Some((id, h)),
                Msg::History(_, Err(e)) => self.decide_error = Some(e),
            }
        }
    }

    fn select(&mut self, cx: &PageCtx<'_>, ctx: &egui::Context, id: i64) {
        if self.selected != Some(id) {
            self.selected = Some(id);
            self.note.clear();
            self.decide_error = None;
            self.history = None;
            self.load_history(cx, ctx, id);
        }
    }
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    let ctx = ui.ctx().clone();
    state.receive(cx, &ctx, lang);
    if !state.loaded {
        state.loaded = true;
        state.reload(cx, &ctx);
    }
    let may_enter = allowed(cx.who.role, Action::ManageRequests);
    let may_decide = allowed(cx.who.role, Action::ApproveRequests);
    let inbox: Vec<RequestItem> = state
        .data
        .requests
        .iter()
        .filter(|r| {
            r.state == "submitted" && state.data.me.as_deref() != Some(r.employee_no.as_str())
        })
        .cloned()
        .collect();
    let tab = *state.tab.get_or_insert(if may_enter {
        Tab::New
    } else if may_decide {
        Tab::Inbox
    } else {
        Tab::All
    });
    ui.horizontal(|ui| {
        let mut tabs = Vec::new();
        if may_enter {
            tabs.push((Tab::New, tr!(lang, "requests.tab_new")));
        }
        if may_decide {
            tabs.push((
                Tab::Inbox,
                tr!(lang, "requests.tab_inbox", count = inbox.len()),
            ));
        }
        tabs.push((Tab::All, tr!(lang, "requests.tab_all")));
        for (t, text) in tabs {
            if ui.selectable_label(tab == t, text).clicked() {
                state.tab = Some(t);
            }
        }
        if state.tasks.busy() {
            ui.spinner();
        }
    });
    ui.separator();
    if let Some(e) = &state.error {
        widgets::error_box(ui, lang, e);
    }
    if let Some(n) = &state.notice {
        ui.colored_label(egui::Color32::from_rgb(0x2e, 0x9d, 0x4f), n);
    }
    match tab {
        Tab::New => {
            ui.label(egui::RichText::new(tr!(lang, "requests.new_hint")).weak());
            ui.add_space(4.0);
            let busy = state.tasks.busy();
            let submit = form::show(
                ui,
                lang,
                &mut state.form,
                &cx.lists.employees,
                &state.data.leave_types,
                busy,
            );
            if submit {
                match state.form.build() {
                    Ok((no, kind, reason)) => {
                        state.form.errors.clear();
                        state.notice = None;
                        let (b, u) = (Arc::clone(cx.backend), Arc::clone(cx.session));
                        state.tasks.spawn(&ctx, "request-add", move || {
                            Msg::Added(b.add_request(&u, &no, kind, &reason))
                        });
                    }
                    Err(errors) => state.form.errors = errors,
                }
            }
        }
        Tab::Inbox => {
            ui.label(egui::RichText::new(tr!(lang, "requests.inbox_hint")).weak());
            if inbox.is_empty() {
                ui.label(tr!(lang, "requests.inbox_empty"));
            }
            list_and_detail(ui, cx, state, &inbox, may_decide, "inbox");
        }
        Tab::All => {
            filters(ui, lang, &mut state.filter, &cx.lists.employees);
            let rows: Vec<RequestItem> = state
                .data
                .requests
                .iter()
                .filter(|r| keep(&state.filter, r, cx))
                .cloned()
                .collect();
            if rows.is_empty() {
                ui.label(tr!(lang, "requests.none"));
            }
            list_and_detail(ui, cx, state, &rows, may_decide, "all");
        }
    }
}

fn keep(f: &Filter, r: &RequestItem, cx: &PageCtx<'_>) -> bool {
    if !f.state.is_empty() && r.state != f.state {
        return false;
    }
    if !f.employee.trim().is_empty() {
        let name = employee_name(cx, &r.employee_no);
        if !super::matches(&f.employee, &[&r.employee_no, name]) {
            return false;
        }
    }
    if let Ok(m) = f.month.parse::<Month>() {
        return r.to >= m.first() && r.from <= m.last();
    }
    true
}

fn filters(
    ui: &mut egui::Ui,
    lang: Lang,
    f: &mut Filter,
    _employees: &[super::super::model::EmployeeRow],
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(tr!(lang, "requests.filter_state"));
        ui.selectable_value(&mut f.state, String::new(), tr!(lang, "requests.any"));
        for s in STATES {
            ui.selectable_value(&mut f.state, s.to_owned(), tr!(lang, state_key(s)));
        }
    });
    ui.horizontal(|ui| {
        let l = ui.label(tr!(lang, "requests.filter_employee"));
        ui.add(
            egui::TextEdit::singleline(&mut f.employee)
                .hint_text(tr!(lang, "requests.employee_hint"))
                .desired_width(200.0),
        )
        .labelled_by(l.id);
        let l = ui.label(tr!(lang, "requests.filter_month"));
        ui.add(
            egui::TextEdit::singleline(&mut f.month)
                .hint_text("2026-11")
                .desired_width(90.0),
        )
        .labelled_by(l.id);
        if !f.month.trim().is_empty() && f.month.parse::<Month>().is_err() {
            ui.colored_label(ui.visuals().error_fg_color, tr!(lang, "requests.bad_month"));
        }
        if ui.button(tr!(lang, "requests.clear_filters")).clicked() {
            *f = Filter::default();
        }
    });
}

fn employee_name<'a>(cx: &'a PageCtx<'_>, no: &str) -> &'a str {
    cx.lists
        .employees
        .iter()
        .find(|e| e.no == no)
        .map(|e| e.name.as_str())
        .unwrap_or("")
}

fn leave_name(data: &RequestsData, lang: Lang, code: &str) -> String {
    data.leave_types
        .iter()
        .find(|t| t.code == code)
        .map(|t| {
            if lang == Lang::English {
                t.name_en.clone()
            } else {
                t.name_zh.clone()
            }
        })
        .unwrap_or_else(|| code.to_owned())
}

fn span_text(lang: Lang, span: &Span) -> String {
    match span {
        Span::Days { from, to } if from == to => from.to_string(),
        Span::Days { from, to } => format!("{from} - {to}"),
        Span::Session { date, session } => {
            tr!(
                lang,
                "requests.session_of",
                date = date.to_string(),
                n = session + 1
            )
        }
        Span::Range { from, to } if from.date() == to.date() => {
            format!("{} - {}", fmt_datetime(*from), fmt_time(to.time()))
        }
        Span::Range { from, to } => format!("{} - {}", fmt_datetime(*from), fmt_datetime(*to)),
    }
}

/// The kind with its detail: "年假", "外出 · 市局", "补签 签到 08:30"...
fn what(lang: Lang, data: &RequestsData, r: &RequestItem) -> (String, String) {
    let kind = tr!(lang, kind_key(&r.kind_code));
    let fallback = || {
        if r.from == r.to {
            r.from.to_string()
        } else {
            format!("{} - {}", r.from, r.to)
        }
    };
    match &r.kind {
        Some(RequestKind::Leave { leave_type, span }) => (
            format!("{kind} · {}", leave_name(data, lang, leave_type)),
            span_text(lang, span),
        ),
        Some(RequestKind::Outing { place, span })
        | Some(RequestKind::Trip {
            destination: place,
            span,
        }) => (format!("{kind} · {place}"), span_text(lang, span)),
        Some(RequestKind::Supplement { at, punch, .. }) => {
            let p = match punch {
                PunchKind::In => tr!(lang, "requests.punch_in"),
                PunchKind::Out => tr!(lang, "requests.punch_out"),
            };
            (format!("{kind} · {p}"), fmt_datetime(*at))
        }
        Some(RequestKind::Overtime { from, to }) => (
            kind,
            span_text(
                lang,
                &Span::Range {
                    from: *from,
                    to: *to,
                },
            ),
        ),
        None => (kind, fallback()),
    }
}

fn list_and_detail(
    ui: &mut egui::Ui,
    cx: &mut PageCtx<'_>,
    state: &mut State,
    rows: &[RequestItem],
    may_decide: bool,
    id: &str,
) {
    let lang = cx.lang;
    let ctx = ui.ctx().clone();
    let mut clicked = None;
    let detail_w = (ui.available_width() * 0.38).clamp(260.0, 420.0);
    egui::Panel::right(("request-detail-panel", id))
        .resizable(true)
        .default_size(detail_w)
        .min_size(240.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt(("request-detail", id))
                .show(ui, |ui| detail(ui, cx, state, may_decide));
        });
    let headers = [
        tr!(lang, "requests.col_id"),
        tr!(lang, "requests.col_employee"),
        tr!(lang, "requests.col_kind"),
        tr!(lang, "requests.col_when"),
        tr!(lang, "requests.col_state"),
        tr!(lang, "requests.col_reason"),
    ];
    let texts: Vec<(String, String)> = rows.iter().map(|r| what(lang, &state.data, r)).collect();
    let selected = state.selected;
    widgets::table(ui, id, &headers, rows.len(), |ui, i, c| {
        let Some(r) = rows.get(i) else { return };
        match c {
            0 => {
                if ui
                    .selectable_label(selected == Some(r.id), format!("#{}", r.id))
                    .clicked()
                {
                    clicked = Some(r.id);
                }
            }
            1 => {
                ui.label(format!(
                    "{} {}",
                    r.employee_no,
                    employee_name(cx, &r.employee_no)
                ));
            }
            2 => {
                ui.label(&texts[i].0);
            }
            3 => {
                ui.label(&texts[i].1);
            }
            4 => {
                ui.label(tr!(lang, state_key(&r.state)));
            }
            _ => {
                ui.label(&r.reason);
            }
        }
    });
    if let Some(id) = clicked {
        state.select(cx, &ctx, id);
    }
}

fn detail(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State, may_decide: bool) {
    let lang = cx.lang;
    let ctx = ui.ctx().clone();
    let Some(r) = state
        .selected
        .and_then(|id| state.data.requests.iter().find(|r| r.id == id))
        .cloned()
    else {
        ui.weak(tr!(lang, "requests.pick"));
        return;
    };
    let (kind, when) = what(lang, &state.data, &r);
    ui.heading(tr!(lang, "requests.title", id = r.id));
    egui::Grid::new("request-facts")
        .num_columns(2)
        .show(ui, |ui| {
            let mut fact = |key: &str, value: String| {
                ui.label(tr!(lang, key));
                ui.label(value);
                ui.end_row();
            };
            fact(
                "requests.col_employee",
                format!("{} {}", r.employee_no, employee_name(cx, &r.employee_no)),
            );
            fact("requests.col_kind", kind);
            fact("requests.col_when", when);
            fact("requests.col_state", tr!(lang, state_key(&r.state)));
            fact("requests.reason", r.reason.clone());
            if let Some(RequestKind::Supplement { evidence, .. }) = &r.kind {
                fact("requests.evidence", evidence.clone());
            }
            fact(
                "requests.entered_by",
                format!("{} · {}", r.entered_by, r.created_at),
            );
            if !r.decided_by.is_empty() {
                fact("requests.decided_by", r.decided_by.clone());
            }
        });
    ui.add_space(6.0);
    let may_approve = may_decide && r.state == "submitted";
    // The clerk withdraws a draft or submitted request on the employee's behalf; cancelling an
    // approved one is the approver's act.
    let may_withdraw = match r.state.as_str() {
        "draft" | "submitted" => allowed(cx.who.role, Action::ManageRequests),
        "approved" => may_decide,
        _ => false,
    };
    if may_approve || may_withdraw {
        let l = ui.label(tr!(lang, "requests.note"));
        ui.add(
            egui::TextEdit::singleline(&mut state.note)
                .hint_text(tr!(lang, "requests.note_hint"))
                .desired_width(f32::INFINITY),
        )
        .labelled_by(l.id);
        let busy = state.tasks.busy();
        // Some(Some(approve)) decides, Some(None) withdraws.
        let mut act: Option<Option<bool>> = None;
        ui.horizontal(|ui| {
            if may_approve {
                if ui
                    .add_enabled(!busy, egui::Button::new(tr!(lang, "requests.approve")))
                    .clicked()
                {
                    act = Some(Some(true));
                }
                if ui
                    .add_enabled(!busy, egui::Button::new(tr!(lang, "requests.reject")))
                    .clicked()
                {
                    act = Some(Some(false));
                }
            }
            if may_withdraw {
                let key = if r.state == "approved" {
                    "requests.withdraw_approved"
                } else {
                    "requests.withdraw"
                };
                if ui
                    .add_enabled(!busy, egui::Button::new(tr!(lang, key)))
                    .clicked()
                {
                    act = Some(None);
                }
            }
        });
        if let Some(act) = act {
            let (b, u) = (Arc::clone(cx.backend), Arc::clone(cx.session));
            let (id, note) = (r.id, state.note.trim().to_owned());
            state.decide_error = None;
            state.notice = None;
            state.tasks.spawn(&ctx, "request-decide", move || {
                Msg::Decided(
                    id,
                    match act {
                        Some(approve) => b.decide_request(&u, id, approve, &note),
                        None => b.withdraw_request(&u, id, &note),
                    },
                )
            });
        }
    }
    if let Some(e) = &state.decide_error {
        widgets::error_box(ui, lang, e);
    }
    ui.add_space(6.0);
    ui.strong(tr!(lang, "requests.history"));
    match state.history.as_ref().filter(|(id, _)| *id == r.id) {
        None => {
            ui.spinner();
        }
        Some((_, h)) if h.is_empty() => {
            ui.weak(tr!(lang, "requests.no_history"));
        }
        Some((_, h)) => {
            for e in h {
                ui.group(|ui| {
                    ui.set_width(ui.available_width());
                    ui.label(tr!(
                        lang,
                        "requests.history_line",
                        at = e.at.as_str(),
                        actor = actor_text(lang, &e.actor),
                        action = tr!(lang, action_key(&e.action)),
                        from = tr!(lang, state_key(&e.from_state)),
                        to = tr!(lang, state_key(&e.to_state))
                    ));
                    if !e.comment.is_empty() {
                        ui.label(tr!(
                            lang,
                            "requests.history_note",
                            note = e.comment.as_str()
                        ));
                    }
                });
            }
        }
    }
}
