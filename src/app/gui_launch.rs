//! The one place the binary hands over to the desktop window (`kaoqin` with no subcommand).
//! Keeps `main` independent of how the GUI is built.

use super::paths::Paths;

/// Opens the GUI and returns when the window closes.
pub fn run_gui(paths: Paths, lang: Option<&str>) -> anyhow::Result<()> {
    let mut options = crate::gui::GuiOptions::new(paths);
    options.lang = lang.and_then(crate::i18n::Lang::from_code);
    crate::gui::run(options)
}
