//! Issue 7 benchmark: frame time of the real UI while the raw-punch table of 1,000,000 punches
//! scrolls. `KaoqinApp` (the whole window: shell, navigation, Terminals page, its virtualized table)
//! is driven headless by egui_kittest, so each measured frame is egui's full layout, tessellation and
//! AccessKit tree for that frame (no GPU upload), on the UI thread as in the window.
//!
//!     cargo bench --bench gui_frames
//!
//! Set-up (not measured): the demo database, a simulated terminal with the demo's serial serving
//! ≥ 1,000,000 punches of 1,000 employees on loopback, one supervised download of all of them by the
//! clerk through `Session::download`. Then the clerk signs in to the window, opens Terminals → raw
//! punches (loaded once on a worker thread), and the bench scrolls: small wheel steps (reading),
//! then large ones (flinging through the million), then a jump to the end via the scroll bar
//! area. Prints median / p95 / max frame time and the process's peak memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role as A11yRole;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kaoqin::app::clock::{Clock, FixedClock, RecordingSleeper};
use kaoqin::app::demo::{self, DEMO_ADMIN, DEMO_CLERK, DEMO_TERMINAL, DemoSimulator, DemoSpec};
use kaoqin::app::paths::Paths;
use kaoqin::app::session::Session;
use kaoqin::app::terminals::TerminalChanges;
use kaoqin::gui::{Backend, KaoqinApp, Prefs};
use kaoqin::i18n::Lang;

const PASSWORD: &str = "bench-pass-1";
const TARGET_PUNCHES: usize = 1_000_000;
const EMPLOYEES: usize = 1_000;
const LANG: Lang = Lang::English;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = Paths::resolve_with(
        Some(dir.path().join("kaoqin.db")),
        Some(dir.path().join("data")),
        Some(dir.path().join("config")),
    )
    .expect("paths");
    let today = chrono::Local::now().date_naive();
    let clock = Arc::new(FixedClock::new(today.and_hms_opt(14, 0, 0).expect("time")));
    let small = demo::create(
        &paths,
        PASSWORD,
        clock.clone(),
        &RecordingSleeper::default(),
    )
    .expect("demo database");
    drop(small);

    let t = Instant::now();
    let sim = big_simulator(today);
    let clock_dyn: Arc<dyn Clock> = clock.clone();
    let mut admin = Session::login(
        &paths,
        DEMO_ADMIN,
        PASSWORD,
        clock_dyn.clone(),
        &RecordingSleeper::default(),
    )
    .expect("admin");
    admin
        .update_terminal(
            DEMO_TERMINAL,
            &TerminalChanges {
                address: Some(sim.addr().to_string()),
                ..Default::default()
            },
        )
        .expect("point the terminal at the big simulator");
    let mut clerk = Session::login(
        &paths,
        DEMO_CLERK,
        PASSWORD,
        clock_dyn,
        &RecordingSleeper::default(),
    )
    .expect("clerk");
    let downloaded = clerk
        .download(DEMO_TERMINAL, None, kaoqin_sync::SessionIo::default())
        .expect("download");
    let stored = downloaded.counts.new;
    assert!(stored as usize >= TARGET_PUNCHES, "only {stored} punches");
    println!(
        "set-up: {stored} punches downloaded and stored in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    drop((admin, clerk, sim));

    let app = KaoqinApp::new(
        Backend::new(paths.clone()),
        Prefs {
            lang: LANG,
            ..Default::default()
        },
    );
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .with_context_setup(|ctx| ctx.set_fonts(kaoqin::gui::fonts::definitions()))
        .build_ui_state(|ui, app: &mut KaoqinApp| app.show(ui), app);

    sign_in(&mut h);
    click(&mut h, &tr("nav.terminals"));
    let tab = tr("terminals.tab_punches");
    wait_for(&mut h, "the punches tab", |h| {
        h.query_by_label(&tab).is_some()
    });
    h.get_by_label(&tab).click();
    let count = tr("terminals.punches_count").replace("%{count}", &stored.to_string());
    let t = Instant::now();
    wait_for(&mut h, "the million punches", |h| {
        h.query_all_by_label_contains(&count).next().is_some()
    });
    println!(
        "punches table loaded in {:.1} s (worker thread; the UI kept drawing)",
        t.elapsed().as_secs_f64()
    );

    // Over the table's body.
    h.hover_at(egui::pos2(760.0, 640.0));
    h.step();
    let mut phases = Vec::new();
    for (name, frames, dy) in [
        ("read (wheel −60 pt/frame)", 300, -60.0),
        ("fling (wheel −6,000 pt/frame)", 300, -6_000.0),
        ("back up (wheel +20,000 pt/frame)", 100, 20_000.0),
    ] {
        let mut times = Vec::with_capacity(frames);
        for _ in 0..frames {
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, dy),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Unknown,
                modifiers: egui::Modifiers::NONE,
            });
            let t = Instant::now();
            h.step();
            times.push(t.elapsed());
        }
        phases.push((name, times));
    }
    let mut all = Vec::new();
    for (name, times) in &phases {
        report(name, times);
        all.extend_from_slice(times);
    }
    report("all frames", &all);
    println!("peak memory (VmHWM) of this process: {}", peak_memory());
}

/// A simulator with the demo's serial serving at least [`TARGET_PUNCHES`] punches.
fn big_simulator(today: chrono::NaiveDate) -> DemoSimulator {
    let spec = |days: u32| DemoSpec {
        seed: 7,
        employees: EMPLOYEES,
        days,
        start: today - chrono::Duration::days(i64::from(days)),
        last_port: 0,
    };
    let probe = DemoSimulator::start(&spec(20)).expect("probe simulator");
    let per_day = probe.punches().max(1) as f64 / 20.0;
    drop(probe);
    let days = (TARGET_PUNCHES as f64 / per_day).ceil() as u32 + 1;
    let sim = DemoSimulator::start(&spec(days)).expect("simulator");
    println!(
        "simulator: {EMPLOYEES} employees × {days} days = {} punches",
        sim.punches()
    );
    sim
}

fn tr(key: &str) -> String {
    let s = kaoqin::gui::translate(LANG, key);
    assert_ne!(s, key, "no translation for {key}");
    s
}

fn wait_for(
    h: &mut Harness<'static, KaoqinApp>,
    what: &str,
    cond: impl Fn(&Harness<'static, KaoqinApp>) -> bool,
) {
    let start = Instant::now();
    loop {
        h.step();
        if cond(h) && !h.state().busy() {
            h.step();
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn click(h: &mut Harness<'static, KaoqinApp>, label: &str) {
    wait_for(h, label, |h| {
        h.query_all_by_role_and_label(A11yRole::Button, label)
            .next()
            .is_some()
    });
    h.get_all_by_role_and_label(A11yRole::Button, label)
        .next()
        .expect("button")
        .click();
    h.step();
    h.step();
}

fn sign_in(h: &mut Harness<'static, KaoqinApp>) {
    let sign_in = tr("login.sign_in");
    wait_for(h, "the log-in screen", |h| {
        h.query_all_by_role_and_label(A11yRole::Button, &sign_in)
            .next()
            .is_some()
    });
    for (label, text) in [("login.user", DEMO_CLERK), ("login.password", PASSWORD)] {
        h.get_by_label(&tr(label)).focus();
        h.step();
        h.get_by_label(&tr(label)).type_text(text);
        h.step();
    }
    click(h, &sign_in);
    let terminals = tr("nav.terminals");
    wait_for(h, "the main window", |h| {
        h.query_all_by_role_and_label(A11yRole::Button, &terminals)
            .next()
            .is_some()
    });
}

fn report(name: &str, times: &[Duration]) {
    let mut ms: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let pick = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    let over = ms.iter().filter(|&&m| m > 16.0).count();
    println!(
        "{name:<34} {n:>4} frames: median {med:.2} ms, p95 {p95:.2} ms, max {max:.2} ms, {over} over 16 ms",
        n = ms.len(),
        med = pick(0.5),
        p95 = pick(0.95),
        max = pick(1.0),
    );
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown (no /proc)".into())
}
