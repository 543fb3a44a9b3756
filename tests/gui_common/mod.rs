//! Shared helpers of the GUI tests (egui_kittest, AccessKit queries, real SQLite, real worker
//! threads): databases set up through the services, a harness around `KaoqinApp`, waiting for the
//! UI, clicking and typing by label. Each test file uses what it needs.
//!
//! Every harness and every service session here runs on a set clock ([`test_now`] unless a test
//! picks another time), never the PC's: the connection rules (peak windows, spacing), "today" and
//! "last month" then give the same screens whenever the suite runs.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use kaoqin::app::clock::{Clock, FixedClock};

use egui::accesskit::Role as A11yRole;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kaoqin::app::paths::Paths;
use kaoqin::gui::{Backend, KaoqinApp, Prefs};
use kaoqin::i18n::Lang;

pub type H = Harness<'static, KaoqinApp>;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub paths: Paths,
}

/// The time the GUI tests run at unless they set another: Wednesday 2026-11-25 14:00, a workday
/// outside every default peak window (docs/domain.md §2), so the rules allow a connection.
pub fn test_now() -> NaiveDateTime {
    at(14, 0)
}

/// `hh:mm` on the test day (2026-11-25).
pub fn at(hour: u32, minute: u32) -> NaiveDateTime {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(hour, minute, 0))
        .expect("a valid test time")
}

/// A clock that shows `now` and moves only when the test moves it.
pub fn clock_at(now: NaiveDateTime) -> Arc<FixedClock> {
    Arc::new(FixedClock::new(now))
}

/// The test clock as the services take it.
pub fn test_clock() -> Arc<dyn Clock> {
    clock_at(test_now())
}

/// An empty data directory: the first-run wizard.
pub fn env() -> Env {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = Paths::resolve_with(
        Some(dir.path().join("kaoqin.db")),
        Some(dir.path().join("data")),
        Some(dir.path().join("config")),
    )
    .expect("paths");
    Env { dir, paths }
}

/// Organisation 测试局 with `admin`/`admin-pass-1` (through the wizard's service) and one user per
/// other role: `zhuguan` (supervisor), `kaoqinyuan` (hr_clerk), `jiandu` (auditor), each with
/// password `<name>-pass-1`.
pub fn env_with_users() -> Env {
    let env = env();
    let backend = Backend::with_clock(env.paths.clone(), test_clock());
    backend.status().expect("open db");
    backend
        .init("测试局", "admin", "admin-pass-1")
        .expect("init");
    let store = kaoqin_store::Store::open(&env.paths.db).expect("open");
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .expect("date");
    for (name, role) in [
        ("zhuguan", kaoqin_store::Role::Supervisor),
        ("kaoqinyuan", kaoqin_store::Role::HrClerk),
        ("jiandu", kaoqin_store::Role::Auditor),
    ] {
        let hash = kaoqin_store::users::hash_password(&format!("{name}-pass-1")).expect("hash");
        kaoqin_store::users::add(store.conn(), name, role, &hash, now).expect("add user");
    }
    env
}

/// The demo database ("Try it with a simulated terminal": 30 employees, two months of punches on
/// a simulator running on loopback, ending the day before [`test_now`]) with users
/// admin/supervisor/clerk, password [`DEMO_PASSWORD`]. Keep the returned simulator alive for as
/// long as the test downloads.
pub fn env_demo() -> (Env, kaoqin::app::demo::DemoSimulator) {
    env_demo_at(test_now())
}

/// The demo database made at `now` (its punches end the day before; its terminal's clock shows
/// `now`).
pub fn env_demo_at(now: NaiveDateTime) -> (Env, kaoqin::app::demo::DemoSimulator) {
    use kaoqin::app::clock::ThreadSleeper;
    let env = env();
    let sim = kaoqin::app::demo::create(&env.paths, DEMO_PASSWORD, clock_at(now), &ThreadSleeper)
        .expect("demo database");
    (env, sim)
}

pub const DEMO_PASSWORD: &str = "demo-pass-1";

/// The window at [`test_now`].
pub fn harness(env: &Env, lang: Lang) -> H {
    harness_sized(env, lang, [1280.0, 800.0])
}

/// The window at [`test_now`], of `size`.
pub fn harness_sized(env: &Env, lang: Lang, size: [f32; 2]) -> H {
    harness_with_clock(env, lang, size, test_clock())
}

/// The window whose services and pages read "now" from `clock`.
pub fn harness_with_clock(env: &Env, lang: Lang, size: [f32; 2], clock: Arc<dyn Clock>) -> H {
    let app = KaoqinApp::new(
        Backend::with_clock(env.paths.clone(), clock),
        Prefs {
            lang,
            ..Default::default()
        },
    );
    Harness::builder()
        .with_size(size)
        .with_context_setup(|ctx| ctx.set_fonts(kaoqin::gui::fonts::definitions()))
        .build_ui_state(|ui, app: &mut KaoqinApp| app.show(ui), app)
}

/// Steps frames until `cond` holds and no background job runs; fails with `what` after 90 s.
pub fn wait_for(h: &mut H, what: &str, cond: impl Fn(&H) -> bool) {
    let start = Instant::now();
    loop {
        h.step();
        if cond(h) && !h.state().busy() {
            h.step();
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A node whose label is exactly `label`.
pub fn has(h: &H, label: &str) -> bool {
    h.query_all_by_label(label).next().is_some()
}

/// A node whose label contains `part`.
pub fn has_text(h: &H, part: &str) -> bool {
    h.query_all_by_label_contains(part).next().is_some()
}

pub fn has_button(h: &H, label: &str) -> bool {
    h.query_all_by_role_and_label(A11yRole::Button, label)
        .next()
        .is_some()
}

/// Clicks the button `label` once it is enabled (a page's own background job, such as loading
/// its details, disables its buttons for a few frames, and a user would wait for it too); fails
/// after 90 s.
pub fn click_button(h: &mut H, label: &str) {
    let start = Instant::now();
    loop {
        let enabled = h
            .query_all_by_role_and_label(A11yRole::Button, label)
            .find(|n| !n.accesskit_node().is_disabled());
        if let Some(button) = enabled {
            button.click();
            break;
        }
        assert!(has_button(h, label), "no button {label} on the screen");
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "button {label} stayed disabled for 90 s"
        );
        std::thread::sleep(Duration::from_millis(10));
        h.step();
    }
    h.step();
    h.step();
}

pub fn type_into(h: &mut H, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

/// The text of `key` in `lang`; fails if no locale has it.
pub fn tr(lang: Lang, key: &str) -> String {
    let s = kaoqin::gui::translate(lang, key);
    assert_ne!(s, key, "no translation for {key}");
    s
}

/// The words of `key`'s text before its first placeholder.
pub fn prefix(lang: Lang, key: &str) -> String {
    tr(lang, key)
        .split("%{")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Waits for the log-in screen, types the user and password, clicks Sign in.
pub fn sign_in(h: &mut H, lang: Lang, user: &str, password: &str) {
    wait_for(h, "the log-in screen", |h| {
        has_button(h, &tr(lang, "login.sign_in"))
    });
    h.get_by_label(&tr(lang, "login.user")).focus();
    h.step();
    // The user name may be pre-filled with the last user: select all and overwrite.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.step();
    h.get_by_label(&tr(lang, "login.user")).type_text(user);
    h.step();
    type_into(h, &tr(lang, "login.password"), password);
    click_button(h, &tr(lang, "login.sign_in"));
}

/// Signs in and waits for the main window, then opens the page whose navigation key is `nav_key`
/// (e.g. "nav.reports").
pub fn open_page(h: &mut H, lang: Lang, user: &str, password: &str, nav_key: &str) {
    sign_in(h, lang, user, password);
    let label = tr(lang, nav_key);
    wait_for(h, "the main window", |h| has_button(h, &label));
    click_button(h, &label);
}
