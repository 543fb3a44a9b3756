//! One module per page. Each page is a function of the loaded lists and its own small view state
//! (filters); none of them calls a service or decides a permission beyond hiding items (`nav::Item`).

mod audit;
mod dashboard;
mod employees;
mod placeholder;
mod settings;
mod terminals;
mod terminals_download;

pub(crate) use terminals_download::{DownloadOutcome, outcome as download_outcome};

use crate::i18n::Lang;

use super::model::{Lists, SignedIn};
use super::nav::Page;

/// View state that outlives a frame (search boxes).
#[derive(Debug, Default)]
pub(crate) struct PageState {
    pub employee_search: String,
    pub audit_search: String,
    /// The Terminals page's running download and last results.
    pub terminals: terminals_download::DownloadState,
}

pub(crate) fn show(
    ui: &mut egui::Ui,
    lang: &mut Lang,
    page: Page,
    who: &SignedIn,
    lists: &Lists,
    state: &mut PageState,
) {
    let l = *lang;
    ui.heading(tr!(l, page.label_key()));
    ui.add_space(6.0);
    match page {
        Page::Dashboard => dashboard::show(ui, l, who, lists),
        Page::Terminals => terminals::show(ui, l, who, lists, &mut state.terminals),
        Page::Employees => employees::show(ui, l, who, lists, &mut state.employee_search),
        Page::Schedules => placeholder::show(ui, l, "page.schedules.later"),
        Page::Requests => placeholder::show(ui, l, "page.requests.later"),
        Page::Reports => placeholder::show(ui, l, "page.reports.later"),
        Page::Audit => audit::show(ui, l, who, lists, &mut state.audit_search),
        Page::Settings => settings::show(ui, lang, who, lists),
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
