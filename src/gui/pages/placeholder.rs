//! Pages whose content arrives with later issues: say so plainly, in the user's language.

use crate::i18n::Lang;

pub(crate) fn show(ui: &mut egui::Ui, lang: Lang, key: &str) {
    ui.label(tr!(lang, key));
}
