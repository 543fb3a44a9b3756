//! Window benchmark: frame time of the real UI while the raw-punch table of 1,000,000 punches
//! scrolls. `KaoqinApp` (the whole window: shell, navigation, Terminals page, its virtualized table)
//! is driven headless twice: by egui_kittest (each step is the app's frame plus the AccessKit tree a
//! screen reader would get), and then the same app state in a plain `egui::Context` (the app's frame
//! plus tessellation into meshes, what the window does before the GPU upload, without AccessKit).
//!
//!     cargo bench --bench gui_frames
//!
//! Set-up (not measured): the demo database, a simulated terminal with the demo's serial serving
//! ≥ 1,000,000 punches of 1,000 employees on loopback, one supervised download of all of them by the
//! clerk through `Session::download`. Then the clerk signs in to the window, opens Terminals → raw
//! punches (loaded once on a worker thread), and the bench scrolls: small wheel steps (reading),
//! then large ones (flinging through the million), then a jump to the end via the scroll bar
//! area. Prints median / p95 / max frame time and the process's peak memory.

#[path = "../gui_common/mod.rs"]
mod gui_common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use gui_common::{harness, open_page, wait_for};
use kaoqin::app::clock::{Clock, FixedClock, RecordingSleeper};
use kaoqin::app::demo::{self, DEMO_ADMIN, DEMO_CLERK, DEMO_TERMINAL, DemoSimulator, DemoSpec};
use kaoqin::app::session::Session;
use kaoqin::app::terminals::TerminalChanges;
use kaoqin::gui::KaoqinApp;
use kaoqin::i18n::Lang;

const PASSWORD: &str = "bench-pass-1";
const TARGET_PUNCHES: usize = 1_000_000;
const EMPLOYEES: usize = 1_000;
const LANG: Lang = Lang::English;

fn main() {
    let env = gui_common::env();
    let paths = env.paths.clone();
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

    let mut h = harness(&env, LANG);
    open_page(&mut h, LANG, DEMO_CLERK, PASSWORD, "nav.terminals");
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
    let over_table = egui::pos2(760.0, 640.0);
    h.hover_at(over_table);
    h.step();
    println!(
        "-- egui_kittest steps (the app's frame plus building and diffing the AccessKit tree):"
    );
    let mut all = Vec::new();
    for (name, frames, dy) in PHASES {
        let mut times = Vec::with_capacity(frames);
        for _ in 0..frames {
            h.event(wheel(dy));
            let t = Instant::now();
            h.step();
            times.push(t.elapsed());
        }
        report(name, &times);
        all.extend(times);
    }
    report("all frames", &all);

    // The same app state (signed in, punches loaded) in a plain egui context, as the window runs
    // it without a screen reader: the app's frame plus tessellation into meshes for the GPU.
    let mut app = h.into_state();
    let ctx = egui::Context::default();
    ctx.set_fonts(kaoqin::gui::fonts::definitions());
    let mut frame_no = 0u32;
    let mut run = |app: &mut KaoqinApp, events: Vec<egui::Event>| -> Duration {
        frame_no += 1;
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(1280.0, 800.0),
            )),
            time: Some(f64::from(frame_no) / 60.0),
            predicted_dt: 1.0 / 60.0,
            events,
            ..Default::default()
        };
        let t = Instant::now();
        let out = ctx.run_ui(input, |ui| app.show(ui));
        let meshes = ctx.tessellate(out.shapes, out.pixels_per_point);
        let took = t.elapsed();
        std::hint::black_box(meshes);
        took
    };
    for _ in 0..10 {
        run(&mut app, vec![egui::Event::PointerMoved(over_table)]);
    }
    println!("-- the app in a plain egui::Context (frame + tessellation, no AccessKit):");
    let mut all = Vec::new();
    for (name, frames, dy) in PHASES {
        let mut times = Vec::with_capacity(frames);
        for _ in 0..frames {
            times.push(run(&mut app, vec![wheel(dy)]));
        }
        report(name, &times);
        all.extend(times);
    }
    report("all frames", &all);
    println!("peak memory (VmHWM) of this process: {}", peak_memory());
}

/// (what, frames, wheel delta in points per frame)
const PHASES: [(&str, usize, f32); 3] = [
    ("read (wheel −60 pt/frame)", 300, -60.0),
    ("fling (wheel −6,000 pt/frame)", 300, -6_000.0),
    ("back up (wheel +20,000 pt/frame)", 100, 20_000.0),
];

fn wheel(dy: f32) -> egui::Event {
    egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, dy),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    }
}

/// A simulator with the demo's serial serving at least [`TARGET_PUNCHES`] punches.
fn big_simulator(today: chrono::NaiveDate) -> DemoSimulator {
    let spec = |days: u32| DemoSpec {
        seed: 7,
        employees: EMPLOYEES,
        days,
        start: today - chrono::Duration::days(i64::from(days)),
        last_port: 0,
        follow_calendar: false,
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
    gui_common::tr(LANG, key)
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
