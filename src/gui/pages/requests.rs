//! The Requests page. (Being built: shows the "later version" notice until then.)
//!
//! Must not call services or the store directly: data comes from `Backend` through this page's
//! own jobs.

use super::PageCtx;

/// The page's state across frames.
#[derive(Default)]
pub(crate) struct State {}

pub(crate) fn show(ui: &mut egui::Ui, cx: &mut PageCtx<'_>, _state: &mut State) {
    super::placeholder::show(ui, cx.lang, "page.requests.later");
}
