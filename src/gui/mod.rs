//! The desktop application (eframe/egui): log-in, first-run wizard, and the main window's pages.
//!
//! [`run`] opens the window; [`KaoqinApp`] is the whole application state and can be driven
//! without a window (egui_kittest). Pages only render data from [`model`] and emit actions; every
//! change and every read goes through the application services via [`backend`], on a worker
//! thread ([`tasks`]). No business rule lives here.

#[macro_use]
mod macros {
    /// `tr!(lang, "key")` / `tr!(lang, "key", name = value)`: `t!` in the GUI's own language,
    /// as a `String` ready for a widget.
    macro_rules! tr {
        ($lang:expr, $key:expr) => {
            rust_i18n::t!($key, locale = $lang.code()).into_owned()
        };
        ($lang:expr, $key:expr, $($args:tt)+) => {
            rust_i18n::t!($key, locale = $lang.code(), $($args)+).into_owned()
        };
    }
}

pub mod app;
pub mod backend;
pub mod fonts;
mod login;
pub mod model;
pub mod nav;
mod pages;
mod shell;
pub mod tasks;
mod widgets;
mod wizard;

use std::path::PathBuf;

use anyhow::Context as _;

pub use app::{KaoqinApp, Prefs};
pub use backend::Backend;

use crate::app::paths::Paths;
use crate::i18n::Lang;

/// What `kaoqin` (no subcommand) hands to the GUI.
#[derive(Debug, Clone)]
pub struct GuiOptions {
    /// The database, data and config directories, resolved exactly as for the CLI.
    pub paths: Paths,
    /// Forces the interface language for this run (otherwise the saved choice, else zh-CN).
    pub lang: Option<Lang>,
}

impl GuiOptions {
    pub fn new(paths: Paths) -> Self {
        GuiOptions { paths, lang: None }
    }
}

/// The GUI's text for `key` in `lang` (the key itself if no locale has it). For tests and tools;
/// views use `tr!`.
pub fn translate(lang: Lang, key: &str) -> String {
    tr!(lang, key)
}

static PROCESS_START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Notes when the process started, so the window can log how long its first frame took (the
/// cold-start figure in BENCHMARKS.md). Called first thing by the binary; later calls do nothing.
pub fn mark_process_start() {
    PROCESS_START.get_or_init(std::time::Instant::now);
}

/// Time since [`mark_process_start`] (zero if it was never called).
pub(crate) fn since_process_start() -> std::time::Duration {
    PROCESS_START.get().map(|t| t.elapsed()).unwrap_or_default()
}

/// The initial window size when nothing is remembered yet.
pub const DEFAULT_WINDOW_SIZE: [f32; 2] = [1280.0, 800.0];

/// Opens the main window and returns when it is closed.
///
/// Window size and position, language and last page are kept in `<data dir>/gui/` by eframe's
/// persistence. Fails (with a message naming the cause) only if no window can be created.
pub fn run(options: GuiOptions) -> anyhow::Result<()> {
    let persistence_path: PathBuf = options.paths.data_dir.join("gui").join("window.ron");
    if let Some(dir) = persistence_path.parent() {
        // Without the directory eframe silently forgets the window; not worth failing over.
        let _ = std::fs::create_dir_all(dir);
    }
    let native = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Kaoqin 考勤")
            .with_inner_size(DEFAULT_WINDOW_SIZE)
            .with_min_inner_size([900.0, 600.0])
            .with_app_id("kaoqin"),
        persistence_path: Some(persistence_path),
        // Our own lazy provider (fonts::install) replaces eframe's fontconfig one.
        system_font_fallback: false,
        ..Default::default()
    };
    let backend = Backend::new(options.paths.clone());
    let forced_lang = options.lang;
    eframe::run_native(
        "kaoqin",
        native,
        Box::new(move |cc| {
            fonts::install(&cc.egui_ctx);
            let mut prefs: Prefs = cc
                .storage
                .and_then(|s| eframe::get_value(s, app::PREFS_KEY))
                .unwrap_or_default();
            if let Some(lang) = forced_lang {
                prefs.lang = lang;
            }
            Ok(Box::new(KaoqinApp::new(backend, prefs)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .context(
        "cannot open the Kaoqin window (is a display available? on Linux without a desktop, \
         run under xvfb-run or use the command-line subcommands)",
    )
}
