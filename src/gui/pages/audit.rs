//! Audit: four tabs. The log (filters: date from/to, actor, action, plus a text search) with the
//! evidence check's verdict and a re-run button; the evidence check in full (`audit_evidence`:
//! chain, anchors outside the database, batch hashes of the punches); download sessions (for
//! comparing with router logs) with CSV export; snapshots (list, verify a file, diff two files or a
//! file against the database, and for the auditor: take one). Data and checks come from `Backend`
//! jobs.

use std::path::PathBuf;

use chrono::NaiveDate;

use super::super::backend::audit::{
    AuditFilterForm, DiffView, EvidenceView, PunchLine, SessionRow, SnapshotCheck, SnapshotRow,
};
use super::super::model::{AuditRow, UiError};
use super::super::nav::Item;
use super::super::tasks::Tasks;
use super::super::widgets;
use super::PageCtx;
use super::audit_evidence::{self, Evidence};
use super::audit_files::{self, Dialog, Picked};

// The dashboard shows the chain in one line; that line lives with the evidence check it sums up.
pub(crate) use super::audit_evidence::chain_label;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tab {
    #[default]
    Log,
    Evidence,
    Sessions,
    Snapshots,
}

pub(crate) enum Msg {
    Log(Result<Vec<AuditRow>, UiError>),
    /// Boxed: the report is much larger than the other messages.
    Evidence(Box<Result<EvidenceView, UiError>>),
    Sessions(Result<Vec<SessionRow>, UiError>),
    Exported(Result<(String, usize), UiError>),
    Snapshots(Result<Vec<SnapshotRow>, UiError>),
    Verified(Result<SnapshotCheck, UiError>),
    Diffed(Result<DiffView, UiError>),
    Taken(Result<(String, usize, usize, String), UiError>),
}

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {
    pub search: String,
    tasks: Tasks<Msg>,
    files: Tasks<Picked>,
    loaded: bool,
    tab: Tab,
    from: String,
    to: String,
    actor: String,
    action: String,
    rows: Option<Vec<AuditRow>>,
    evidence: Evidence,
    sessions: Vec<SessionRow>,
    csv_path: String,
    snapshots: Vec<SnapshotRow>,
    verify_path: String,
    verified: Option<SnapshotCheck>,
    diff_a: String,
    diff_b: String,
    against_db: bool,
    diff: Option<DiffView>,
    take_terminal: String,
    take_path: String,
    error: Option<UiError>,
    notice: Option<String>,
}

/// A date field: empty is no limit; otherwise YYYY-MM-DD.
fn parse_date(v: &str) -> Result<Option<NaiveDate>, UiError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| UiError::new("audit.error_date", v.to_string()))
}

impl State {
    fn spawn(
        &mut self,
        ctx: &egui::Context,
        cx: &PageCtx<'_>,
        job: impl FnOnce(&super::super::backend::Backend, &super::super::backend::UserSession) -> Msg
        + Send
        + 'static,
    ) {
        let (b, s) = (cx.backend.clone(), cx.session.clone());
        self.tasks.spawn(ctx, "audit", move || job(&b, &s));
    }

    fn load_log(&mut self, ctx: &egui::Context, cx: &PageCtx<'_>) {
        let f = match (parse_date(&self.from), parse_date(&self.to)) {
            (Ok(from), Ok(to)) => AuditFilterForm {
                from,
                to,
                actor: self.actor.clone(),
                action: self.action.clone(),
            },
            (Err(e), _) | (_, Err(e)) => {
                self.error = Some(e);
                return;
            }
        };
        self.error = None;
        self.spawn(ctx, cx, move |b, s| Msg::Log(b.audit_entries(s, &f)));
    }

    /// Runs the evidence check (chain, anchors, batches) with the extra backup directory.
    fn check_evidence(&mut self, ctx: &egui::Context, cx: &PageCtx<'_>) {
        self.evidence.report = None;
        let dirs = self.evidence.backup_dirs();
        self.spawn(ctx, cx, move |b, s| {
            Msg::Evidence(Box::new(b.verify_evidence(s, &dirs)))
        });
    }

    fn load(&mut self, ctx: &egui::Context, cx: &PageCtx<'_>) {
        self.loaded = true;
        let data_dir = cx.backend.paths().data_dir.clone();
        let now = cx.backend.now();
        if self.csv_path.is_empty() {
            self.csv_path = audit_files::default_path(&data_dir, "download-sessions", "csv", now);
        }
        if self.take_path.is_empty() {
            self.take_path = audit_files::default_path(&data_dir, "snapshot", "kqsnap", now);
        }
        if self.take_terminal.is_empty() {
            self.take_terminal = cx
                .lists
                .terminals
                .first()
                .map(|t| t.name.clone())
                .unwrap_or_default();
        }
        self.load_log(ctx, cx);
        if Item::VerifyAudit.visible_to(cx.who.role) {
            self.check_evidence(ctx, cx);
        }
        self.spawn(ctx, cx, |b, s| Msg::Sessions(b.download_sessions(s)));
        self.spawn(ctx, cx, |b, s| Msg::Snapshots(b.snapshots(s)));
    }
}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    for msg in state.tasks.poll() {
        match msg {
            Msg::Log(r) => match r {
                Ok(rows) => state.rows = Some(rows),
                Err(e) => state.error = Some(e),
            },
            Msg::Evidence(r) => match *r {
                Ok(v) => state.evidence.report = Some(v),
                Err(e) => state.error = Some(e),
            },
            Msg::Sessions(r) => match r {
                Ok(v) => state.sessions = v,
                Err(e) => state.error = Some(e),
            },
            Msg::Exported(r) => match r {
                Ok((path, n)) => {
                    state.notice =
                        Some(tr!(lang, "audit.exported", path = path.as_str(), count = n))
                }
                Err(e) => state.error = Some(e),
            },
            Msg::Snapshots(r) => match r {
                Ok(v) => state.snapshots = v,
                Err(e) => state.error = Some(e),
            },
            Msg::Verified(r) => match r {
                Ok(v) => state.verified = Some(v),
                Err(e) => state.error = Some(e),
            },
            Msg::Diffed(r) => match r {
                Ok(v) => state.diff = Some(v),
                Err(e) => state.error = Some(e),
            },
            Msg::Taken(r) => match r {
                Ok((path, records, users, sha)) => {
                    state.notice = Some(tr!(
                        lang,
                        "audit.taken",
                        path = path.as_str(),
                        records = records,
                        users = users,
                        sha = sha.as_str()
                    ));
                    state.verify_path = path;
                    state.spawn(ui.ctx(), cx, |b, s| Msg::Snapshots(b.snapshots(s)));
                    cx.reload_lists = true;
                }
                Err(e) => state.error = Some(e),
            },
        }
    }
    for p in state.files.poll() {
        if let Some(path) = p.path {
            let path = path.display().to_string();
            match p.field {
                "csv" => state.csv_path = path,
                "verify" => state.verify_path = path,
                "diff_a" => state.diff_a = path,
                "diff_b" => state.diff_b = path,
                "backup_dir" => state.evidence.backup_dir = path,
                _ => state.take_path = path,
            }
        }
    }
    if !state.loaded {
        state.load(ui.ctx(), cx);
    }
    let may_verify = Item::VerifyAudit.visible_to(cx.who.role);
    ui.horizontal(|ui| {
        for (tab, key) in [
            (Tab::Log, "audit.tab_log"),
            (Tab::Evidence, "audit.tab_evidence"),
            (Tab::Sessions, "audit.tab_sessions"),
            (Tab::Snapshots, "audit.tab_snapshots"),
        ] {
            if tab == Tab::Evidence && !may_verify {
                continue;
            }
            if ui
                .selectable_label(state.tab == tab, tr!(lang, key))
                .clicked()
            {
                state.tab = tab;
            }
        }
        if state.tasks.busy() {
            ui.add(egui::Spinner::new());
        }
    });
    ui.separator();
    if let Some(e) = &state.error {
        widgets::error_box(ui, lang, e);
    }
    if let Some(n) = &state.notice {
        ui.colored_label(egui::Color32::from_rgb(0x2e, 0x9d, 0x4f), n);
    }
    match state.tab {
        Tab::Log => log_tab(ui, cx, state),
        Tab::Evidence => {
            let busy = state.tasks.busy();
            if audit_evidence::tab(ui, lang, &mut state.evidence, &mut state.files, busy) {
                state.check_evidence(ui.ctx(), cx);
            }
        }
        Tab::Sessions => sessions_tab(ui, cx, state),
        Tab::Snapshots => snapshots_tab(ui, cx, state),
    }
}

fn field(ui: &mut egui::Ui, label: &str, value: &mut String, width: f32) -> egui::Response {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(value).desired_width(width))
        .labelled_by(l.id)
}

fn log_tab(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    if Item::VerifyAudit.visible_to(cx.who.role) {
        ui.horizontal(|ui| {
            ui.label(tr!(lang, "audit.evidence_summary"));
            if let Some(v) = &state.evidence.report {
                audit_evidence::summary(ui, lang, v);
            }
            if ui.button(tr!(lang, "audit.verify_again")).clicked() {
                state.check_evidence(ui.ctx(), cx);
            }
            if ui.button(tr!(lang, "audit.evidence_details")).clicked() {
                state.tab = Tab::Evidence;
            }
        });
    }
    let mut apply = false;
    ui.horizontal_wrapped(|ui| {
        let rs = [
            field(ui, &tr!(lang, "audit.filter_from"), &mut state.from, 90.0),
            field(ui, &tr!(lang, "audit.filter_to"), &mut state.to, 90.0),
            field(
                ui,
                &tr!(lang, "audit.filter_actor"),
                &mut state.actor,
                110.0,
            ),
            field(
                ui,
                &tr!(lang, "audit.filter_action"),
                &mut state.action,
                140.0,
            ),
        ];
        for r in rs {
            apply |= r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        }
        apply |= ui.button(tr!(lang, "audit.apply_filter")).clicked();
    });
    if apply {
        state.load_log(ui.ctx(), cx);
    }
    super::search_box(ui, lang, &mut state.search);
    let Some(all) = &state.rows else {
        return;
    };
    let search = &state.search;
    let rows: Vec<&AuditRow> = all
        .iter()
        .filter(|a| {
            super::matches(
                search,
                &[&a.actor, &a.action, &a.target, &a.details, &a.time],
            )
        })
        .collect();
    ui.label(tr!(lang, "audit.count", count = rows.len()));
    if rows.is_empty() {
        ui.label(tr!(lang, "audit.empty"));
        return;
    }
    let headers = [
        tr!(lang, "audit.col_seq"),
        tr!(lang, "audit.col_time"),
        tr!(lang, "audit.col_actor"),
        tr!(lang, "audit.col_role"),
        tr!(lang, "audit.col_action"),
        tr!(lang, "audit.col_target"),
        tr!(lang, "audit.col_details"),
    ];
    widgets::table(ui, "audit", &headers, rows.len(), |ui, r, c| {
        let Some(a) = rows.get(r) else { return };
        match c {
            0 => ui.label(a.seq.to_string()),
            1 => ui.label(&a.time),
            2 => ui.label(&a.actor),
            3 => ui.label(&a.role),
            4 => ui.label(&a.action),
            5 => ui.label(&a.target),
            _ => ui.label(&a.details),
        };
    });
}

fn sessions_tab(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    ui.label(tr!(lang, "audit.sessions_hint"));
    audit_files::path_field(
        ui,
        lang,
        &tr!(lang, "audit.csv_path"),
        &mut state.csv_path,
        &mut state.files,
        "csv",
        Dialog::Save,
    );
    if ui
        .add_enabled(
            !state.csv_path.trim().is_empty(),
            egui::Button::new(tr!(lang, "audit.export_csv")),
        )
        .clicked()
    {
        let path = PathBuf::from(state.csv_path.trim());
        state.error = None;
        state.notice = None;
        state.spawn(ui.ctx(), cx, move |b, s| {
            Msg::Exported(
                b.export_sessions_csv(s, &path)
                    .map(|n| (path.display().to_string(), n)),
            )
        });
    }
    ui.add_space(6.0);
    if state.sessions.is_empty() {
        ui.label(tr!(lang, "audit.no_sessions"));
        return;
    }
    let headers = [
        tr!(lang, "audit.col_terminal"),
        tr!(lang, "audit.col_start"),
        tr!(lang, "audit.col_end"),
        tr!(lang, "audit.col_result"),
        tr!(lang, "audit.col_records"),
        tr!(lang, "audit.col_who"),
        tr!(lang, "audit.col_override"),
        tr!(lang, "audit.col_error"),
    ];
    let rows = &state.sessions;
    widgets::table(ui, "sessions", &headers, rows.len(), |ui, r, c| {
        let Some(x) = rows.get(r) else { return };
        match c {
            0 => ui.label(&x.terminal),
            1 => ui.label(&x.started),
            2 => ui.label(&x.ended),
            3 => ui.label(&x.result),
            4 => ui.label(tr!(
                lang,
                "audit.records",
                read = x.records_read,
                new = x.records_new
            )),
            5 => ui.label(&x.actor),
            6 => ui.label(&x.override_reason),
            _ => ui.label(&x.error),
        };
    });
}

fn snapshots_tab(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if Item::Snapshots.visible_to(cx.who.role) {
                take_section(ui, cx, state);
                ui.separator();
            }
            ui.strong(tr!(lang, "audit.snapshots_list"));
            if state.snapshots.is_empty() {
                ui.label(tr!(lang, "audit.no_snapshots"));
            } else {
                let mut use_path = None;
                egui::Grid::new("snapshots")
                    .num_columns(5)
                    .striped(true)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        for k in [
                            "audit.col_terminal",
                            "audit.col_taken_at",
                            "audit.col_taken_by",
                            "audit.col_file",
                        ] {
                            ui.strong(tr!(lang, k));
                        }
                        ui.label("");
                        ui.end_row();
                        for s in &state.snapshots {
                            ui.label(&s.terminal);
                            ui.label(&s.taken_at);
                            ui.label(&s.taken_by);
                            ui.label(&s.path).on_hover_text(&s.sha256);
                            if ui.small_button(tr!(lang, "audit.use_file")).clicked() {
                                use_path = Some(s.path.clone());
                            }
                            ui.end_row();
                        }
                    });
                if let Some(p) = use_path {
                    if state.verify_path.is_empty() || state.verify_path == p {
                        state.verify_path = p.clone();
                    }
                    state.diff_b = std::mem::replace(&mut state.diff_a, p.clone());
                    state.verify_path = p;
                }
            }
            ui.separator();
            verify_section(ui, cx, state);
            ui.separator();
            diff_section(ui, cx, state);
        });
}

fn take_section(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    ui.strong(tr!(lang, "audit.take_heading"));
    ui.label(tr!(lang, "audit.take_hint"));
    ui.horizontal(|ui| {
        ui.label(tr!(lang, "audit.take_terminal"));
        egui::ComboBox::from_id_salt("take-terminal")
            .selected_text(state.take_terminal.clone())
            .show_ui(ui, |ui| {
                for t in &cx.lists.terminals {
                    ui.selectable_value(&mut state.take_terminal, t.name.clone(), &t.name);
                }
            });
    });
    audit_files::path_field(
        ui,
        lang,
        &tr!(lang, "audit.take_path"),
        &mut state.take_path,
        &mut state.files,
        "take",
        Dialog::Save,
    );
    if ui
        .add_enabled(
            !state.tasks.busy()
                && !state.take_terminal.is_empty()
                && !state.take_path.trim().is_empty(),
            egui::Button::new(tr!(lang, "audit.take_button")),
        )
        .clicked()
    {
        let (terminal, path) = (
            state.take_terminal.clone(),
            PathBuf::from(state.take_path.trim()),
        );
        state.error = None;
        state.notice = None;
        state.spawn(ui.ctx(), cx, move |b, s| {
            Msg::Taken(
                b.take_snapshot(s, &terminal, &path)
                    .map(|(r, u, sha)| (path.display().to_string(), r, u, sha)),
            )
        });
    }
}

fn verify_section(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    ui.strong(tr!(lang, "audit.verify_heading"));
    audit_files::path_field(
        ui,
        lang,
        &tr!(lang, "audit.verify_path"),
        &mut state.verify_path,
        &mut state.files,
        "verify",
        Dialog::Open,
    );
    if ui
        .add_enabled(
            !state.verify_path.trim().is_empty(),
            egui::Button::new(tr!(lang, "audit.verify_button")),
        )
        .clicked()
    {
        let path = PathBuf::from(state.verify_path.trim());
        state.verified = None;
        state.error = None;
        state.spawn(ui.ctx(), cx, move |b, s| {
            Msg::Verified(b.verify_snapshot(s, &path))
        });
    }
    let Some(v) = &state.verified else {
        return;
    };
    if v.problems.is_empty() {
        ui.colored_label(
            egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
            tr!(lang, "audit.snapshot_intact"),
        );
    } else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            tr!(lang, "audit.snapshot_mismatch", count = v.problems.len()),
        );
        for p in &v.problems {
            ui.colored_label(ui.visuals().error_fg_color, format!("• {p}"));
        }
    }
    egui::Grid::new("verify-manifest")
        .num_columns(2)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            for (k, v) in [
                ("audit.col_terminal", &v.terminal),
                ("audit.col_taken_by", &v.taken_by),
                ("audit.col_taken_at", &v.taken_at),
                ("audit.whole_sha", &v.whole_sha256),
                ("audit.public_key", &v.public_key),
            ] {
                ui.label(tr!(lang, k));
                ui.monospace(v);
                ui.end_row();
            }
            for (part, sha) in &v.parts {
                ui.label(part);
                ui.monospace(sha);
                ui.end_row();
            }
        });
}

fn diff_section(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, state: &mut State) {
    let lang = cx.lang;
    ui.strong(tr!(lang, "audit.diff_heading"));
    audit_files::path_field(
        ui,
        lang,
        &tr!(lang, "audit.diff_a"),
        &mut state.diff_a,
        &mut state.files,
        "diff_a",
        Dialog::Open,
    );
    ui.checkbox(&mut state.against_db, tr!(lang, "audit.against_db"));
    if !state.against_db {
        audit_files::path_field(
            ui,
            lang,
            &tr!(lang, "audit.diff_b"),
            &mut state.diff_b,
            &mut state.files,
            "diff_b",
            Dialog::Open,
        );
    }
    let ready =
        !state.diff_a.trim().is_empty() && (state.against_db || !state.diff_b.trim().is_empty());
    if ui
        .add_enabled(ready, egui::Button::new(tr!(lang, "audit.diff_button")))
        .clicked()
    {
        let a = PathBuf::from(state.diff_a.trim());
        let b = (!state.against_db).then(|| PathBuf::from(state.diff_b.trim()));
        state.diff = None;
        state.error = None;
        state.spawn(ui.ctx(), cx, move |be, s| {
            Msg::Diffed(be.diff_snapshot(s, &a, b.as_deref()))
        });
    }
    let Some(d) = &state.diff else {
        return;
    };
    if d.is_clean() {
        ui.colored_label(
            egui::Color32::from_rgb(0x2e, 0x9d, 0x4f),
            tr!(lang, "audit.diff_clean", new = d.new_after),
        );
        return;
    }
    if let Some((before, after)) = d.clock {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            tr!(lang, "audit.clock_changed", before = before, after = after),
        );
    }
    let tables: [(&str, &Vec<PunchLine>); 6] = [
        ("audit.diff_removed", &d.removed),
        ("audit.diff_backdated", &d.backdated),
        ("audit.diff_time_changed", &d.time_changed),
        ("audit.diff_users", &d.users),
        ("audit.diff_missing_on_terminal", &d.missing_on_terminal),
        ("audit.diff_never_downloaded", &d.never_downloaded),
    ];
    for (key, rows) in tables {
        if rows.is_empty() {
            continue;
        }
        ui.add_space(4.0);
        ui.strong(tr!(lang, key, count = rows.len()));
        egui::Grid::new(key)
            .num_columns(3)
            .striped(true)
            .spacing([12.0, 2.0])
            .show(ui, |ui| {
                for r in rows.iter().take(500) {
                    ui.label(&r.enrollment);
                    ui.label(&r.time);
                    ui.label(&r.detail);
                    ui.end_row();
                }
            });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_optional_and_checked() {
        assert_eq!(super::parse_date(" "), Ok(None));
        assert_eq!(
            super::parse_date("2026-11-25"),
            Ok(chrono::NaiveDate::from_ymd_opt(2026, 11, 25))
        );
        assert_eq!(
            super::parse_date("25.11.2026").map_err(|e| e.key),
            Err("audit.error_date")
        );
    }
}
