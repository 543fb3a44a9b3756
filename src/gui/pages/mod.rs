//! One module per page. A page draws the shared lists and its own state, and asks for data or a
//! change by spawning a job on its own [`Tasks`](super::tasks::Tasks) that calls a `Backend` method
//! (never a service or the store directly); it decides no permission beyond hiding items
//! (`nav::Item`). A page's strings live in `locales/<page>/`.

mod audit;
mod audit_evidence;
mod audit_files;
mod dashboard;
mod employees;
mod employees_import;
mod reports;
mod reports_charts;
mod reports_export;
mod reports_grid;
mod requests;
mod requests_form;
mod schedules;
mod schedules_calendar;
mod schedules_edit;
mod schedules_import;
mod settings;
mod settings_backup;
mod terminals;
mod terminals_data;
mod terminals_device;
mod terminals_download;
pub(crate) mod terminals_form;

pub(crate) use terminals_download::{DownloadOutcome, outcome as download_outcome};

use std::sync::Arc;

use crate::i18n::Lang;

use super::backend::{Backend, UserSession};
use super::model::{Lists, SignedIn};
use super::nav::Page;

/// What every page gets each frame: the language, the user, the shared lists, and the door to the
/// services for its own background jobs.
pub(crate) struct PageCtx<'a> {
    pub lang: Lang,
    pub who: &'a SignedIn,
    pub lists: &'a Lists,
    pub backend: &'a Arc<Backend>,
    pub session: &'a Arc<UserSession>,
    /// Set by a page after a change the shared lists show (employees, terminals, users...): the
    /// app reloads them after this frame.
    pub reload_lists: bool,
    /// Set by the Settings page when the user picks another language.
    pub new_lang: Option<Lang>,
    /// Set by a page to switch to another page (the dashboard's "requests waiting" link).
    pub goto: Option<Page>,
    /// Set by a page when the session must end (after a restore): back to the log-in screen.
    pub sign_out: bool,
}

/// View state that outlives a frame (search boxes, forms, each page's jobs and loaded data): one
/// `State` per page, owned by the page's module.
#[derive(Default)]
pub(crate) struct PageState {
    pub dashboard: dashboard::State,
    pub terminals: terminals::State,
    pub employees: employees::State,
    pub schedules: schedules::State,
    pub requests: requests::State,
    pub reports: reports::State,
    pub audit: audit::State,
    pub settings: settings::State,
}

/// Draws `page`; a page sets `cx.reload_lists` when the shared lists should be reloaded.
pub(crate) fn show(ui: &mut egui::Ui, page: Page, cx: &mut PageCtx<'_>, state: &mut PageState) {
    ui.heading(tr!(cx.lang, page.label_key()));
    ui.add_space(6.0);
    match page {
        Page::Dashboard => dashboard::show(ui, cx, &mut state.dashboard),
        Page::Terminals => terminals::show(ui, cx, &mut state.terminals),
        Page::Employees => employees::show(ui, cx, &mut state.employees),
        Page::Schedules => schedules::show(ui, cx, &mut state.schedules),
        Page::Requests => requests::show(ui, cx, &mut state.requests),
        Page::Reports => reports::show(ui, cx, &mut state.reports),
        Page::Audit => audit::show(ui, cx, &mut state.audit),
        Page::Settings => settings::show(ui, cx, &mut state.settings),
    }
}

/// A search box that Ctrl+F focuses.
pub(crate) fn search_box(ui: &mut egui::Ui, lang: Lang, text: &mut String) {
    ui.horizontal(|ui| {
        let l = ui.label(tr!(lang, "common.search"));
        let resp = ui
            .add(
                egui::TextEdit::singleline(text)
                    .hint_text(tr!(lang, "common.search_hint"))
                    .desired_width(260.0),
            )
            .labelled_by(l.id);
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::F)) {
            resp.request_focus();
        }
        if !text.is_empty() && ui.button(tr!(lang, "common.clear")).clicked() {
            text.clear();
        }
    });
}

/// Case-insensitive match of `needle` against any of `fields`.
pub(crate) fn matches(needle: &str, fields: &[&str]) -> bool {
    let needle = needle.trim().to_lowercase();
    needle.is_empty() || fields.iter().any(|f| f.to_lowercase().contains(&needle))
}

#[cfg(test)]
mod tests {
    #[test]
    fn search_matches_any_field_ignoring_case() {
        let cases = [
            ("", &["a", "b"][..], true),
            ("张", &["1001", "张三"][..], true),
            ("ab", &["xAbx"][..], true),
            ("zz", &["1001", "张三"][..], false),
            ("  10 ", &["1001"][..], true),
        ];
        for (needle, fields, want) in cases {
            assert_eq!(super::matches(needle, fields), want, "{needle:?}");
        }
    }
}
