//! "Try it with a simulated terminal" without a window: the demo service makes the sample
//! database, runs the in-process simulator on real loopback sockets, and a download through the
//! same service the GUI's Download button calls stores its punches. A later start serves the same
//! data and moves the terminal to the new port when the old one is taken.

use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};
use kaoqin::app::clock::{Clock, FixedClock, RecordingSleeper};
use kaoqin::app::demo::{self, DEMO_CLERK, DEMO_ORGANISATION, DEMO_TERMINAL, DemoSpec};
use kaoqin::app::employees::EmployeeQuery;
use kaoqin::app::paths::Paths;
use kaoqin::app::session::Session;
use kaoqin_sync::SessionIo;

mod gui_common;

const PASSWORD: &str = "demo-pass-1";

fn paths(dir: &tempfile::TempDir) -> Paths {
    Paths::resolve_with(
        Some(dir.path().join("kaoqin.db")),
        Some(dir.path().join("data")),
        Some(dir.path().join("config")),
    )
    .expect("paths")
}

/// The test day's 14:00: outside the default peak windows, so the rules allow a download.
fn afternoon() -> NaiveDateTime {
    gui_common::test_now()
}

fn login(paths: &Paths, clock: &Arc<FixedClock>, user: &str) -> Session {
    let clock: Arc<dyn Clock> = clock.clone();
    Session::login(paths, user, PASSWORD, clock, &RecordingSleeper::default()).expect("log in")
}

/// A demo database made at `now` in a new temporary folder, and its running simulator.
fn demo_at(
    now: NaiveDateTime,
) -> (
    tempfile::TempDir,
    Paths,
    Arc<FixedClock>,
    demo::DemoSimulator,
) {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = paths(&dir);
    let clock = Arc::new(FixedClock::new(now));
    let sim = demo::create(
        &paths,
        PASSWORD,
        clock.clone(),
        &RecordingSleeper::default(),
    )
    .expect("demo database");
    (dir, paths, clock, sim)
}

#[test]
fn demo_database_matches_the_simulator_and_a_download_stores_its_punches() {
    let (_dir, paths, clock, sim) = demo_at(afternoon());
    assert!(sim.addr().ip().is_loopback());
    assert!(
        sim.punches() > 30 * 40,
        "two months of punches, got {}",
        sim.punches()
    );
    std::net::TcpStream::connect(sim.addr()).expect("simulator reachable");

    let spec = demo::stored_spec(&paths)
        .expect("read")
        .expect("demo marked");
    assert_eq!(
        spec.start + Duration::days(i64::from(spec.days)),
        afternoon().date()
    );

    let mut clerk = login(&paths, &clock, DEMO_CLERK);
    assert_eq!(clerk.organisation().expect("org"), DEMO_ORGANISATION);
    let people: Vec<(String, String)> = clerk
        .list_employees(&EmployeeQuery::default())
        .expect("employees")
        .into_iter()
        .map(|e| (e.enrollment_no, e.name))
        .collect();
    assert_eq!(people.len(), 30);
    assert_eq!(people, demo::sample_people(&spec));
    let terminal = clerk
        .list_terminals()
        .expect("terminals")
        .into_iter()
        .find(|t| t.name == DEMO_TERMINAL)
        .expect("demo terminal");
    assert_eq!(terminal.address, sim.addr().to_string());

    let report = clerk
        .download(DEMO_TERMINAL, None, SessionIo::default())
        .expect("download");
    assert_eq!(report.counts.read, sim.punches() as u64);
    assert_eq!(report.counts.new, sim.punches() as u64);
    assert_eq!(report.counts.already_stored, 0);
    assert_eq!(report.terminal_serial, demo::DEMO_SERIAL);
    let stored = clerk.punches(&Default::default()).expect("stored punches");
    assert_eq!(stored.len(), sim.punches());
    // Every stored punch belongs to one of the sample employees.
    assert!(
        stored
            .iter()
            .all(|p| people.iter().any(|(no, _)| *no == p.enrollment_no))
    );

    // The next download, after the spacing, finds nothing new.
    clock.advance(Duration::minutes(11));
    let again = clerk
        .download(DEMO_TERMINAL, None, SessionIo::default())
        .expect("second download");
    assert_eq!(again.counts.new, 0);
    assert_eq!(again.counts.already_stored, sim.punches() as u64);
}

/// The sample office keeps the bundled Chinese calendar: nobody comes in on the National Day
/// holiday's weekdays, everybody works its make-up weekend days.
#[test]
fn the_demo_terminal_keeps_holidays_and_make_up_days() {
    use chrono::{Datelike, NaiveDate, Weekday};
    use std::collections::BTreeMap;
    let now = NaiveDate::from_ymd_opt(2026, 11, 26)
        .and_then(|d| d.and_hms_opt(14, 0, 0))
        .expect("date");
    let (_dir, paths, clock, sim) = demo_at(now);
    let mut clerk = login(&paths, &clock, DEMO_CLERK);
    clerk
        .download(DEMO_TERMINAL, None, SessionIo::default())
        .expect("download");
    let mut people_by_day: BTreeMap<NaiveDate, std::collections::BTreeSet<String>> =
        BTreeMap::new();
    for p in clerk.punches(&Default::default()).expect("punches") {
        people_by_day
            .entry(p.ts.date())
            .or_default()
            .insert(p.enrollment_no);
    }
    let people = |d: NaiveDate| people_by_day.get(&d).map_or(0, |s| s.len());
    let cal = kaoqin_domain::Calendar::bundled_cn();
    let spec = demo::stored_spec(&paths).expect("read").expect("demo");
    let (mut holidays, mut make_up) = (0, 0);
    for n in 0..spec.days {
        let d = spec.start + Duration::days(i64::from(n));
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let working = cal.day(d).kind.is_working();
        if !weekend && !working {
            holidays += 1;
            assert!(
                people(d) <= 6,
                "{d} is a holiday: {} people punched",
                people(d)
            );
        }
        if weekend && working {
            make_up += 1;
            assert!(
                people(d) >= 24,
                "{d} is a make-up workday: {} people punched",
                people(d)
            );
        }
    }
    assert!(
        holidays >= 4 && make_up >= 1,
        "the period holds the National Day holiday"
    );
    drop(sim);
}

#[test]
fn a_later_start_serves_the_same_data_and_follows_a_new_port() {
    let (_dir, paths, clock, first) = demo_at(afternoon());
    let (old_addr, punches) = (first.addr(), first.punches());
    drop(first);
    // Someone else took the old port meanwhile.
    let squatter = std::net::TcpListener::bind(old_addr).expect("take the old port");

    let again = demo::resume(&paths, afternoon())
        .expect("resume")
        .expect("a demo database");
    assert_ne!(again.addr(), old_addr);
    assert_eq!(again.punches(), punches);
    let clerk = login(&paths, &clock, DEMO_CLERK);
    let terminal = clerk
        .list_terminals()
        .expect("terminals")
        .into_iter()
        .find(|t| t.name == DEMO_TERMINAL)
        .expect("demo terminal");
    assert_eq!(terminal.address, again.addr().to_string());
    let spec: DemoSpec = demo::stored_spec(&paths).expect("read").expect("spec");
    assert_eq!(spec.last_port, again.addr().port());
    drop(squatter);

    let mut clerk = clerk;
    let report = clerk
        .download(DEMO_TERMINAL, None, SessionIo::default())
        .expect("download from the restarted simulator");
    assert_eq!(report.counts.new, punches as u64);
}

#[test]
fn an_ordinary_database_is_not_a_demo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = paths(&dir);
    assert!(demo::resume(&paths, afternoon()).expect("no db").is_none());
    kaoqin::app::session::init(
        &paths,
        "某某局",
        "admin",
        PASSWORD,
        &FixedClock::new(afternoon()),
    )
    .expect("init");
    assert!(
        demo::resume(&paths, afternoon())
            .expect("plain db")
            .is_none()
    );
}

/// The window, headless (egui_kittest), at a set clock: the wizard's "try it" button makes the
/// demo and the supervisor downloads from the Terminals page. At 14:00 the first download goes,
/// a second at once is refused by the spacing rule; at 08:20 the first is refused by the morning
/// peak window. Each refusal names its rule and the exact next allowed time; the override dialog
/// with a reason downloads anyway.
mod window {
    use chrono::NaiveDateTime;
    use kaoqin::i18n::Lang;

    use crate::gui_common::{
        self, H, at, click_button, clock_at, harness_with_clock, has, has_button, has_text,
        type_into, wait_for,
    };

    const LANG: Lang = Lang::English;

    fn tr(key: &str) -> String {
        gui_common::tr(LANG, key)
    }

    fn prefix(key: &str) -> String {
        gui_common::prefix(LANG, key)
    }

    /// The wizard's demo at `now`, signed in as the supervisor, on the Terminals page.
    fn demo_terminals_page(env: &gui_common::Env, now: NaiveDateTime) -> H {
        let mut h = harness_with_clock(env, LANG, [1280.0, 900.0], clock_at(now));
        let try_it = tr("wizard.demo_button");
        wait_for(&mut h, "the wizard", |h| has_button(h, &try_it));
        click_button(&mut h, &try_it);
        let done = tr("wizard.demo_done");
        wait_for(&mut h, "the demo notice on the log-in screen", |h| {
            has_text(h, &done)
        });
        // The user name is pre-filled with the supervisor; the password is the wizard's default.
        type_into(&mut h, &tr("login.password"), "demo1234");
        click_button(&mut h, &tr("login.sign_in"));
        let terminals = tr("nav.terminals");
        wait_for(&mut h, "the main window", |h| has_button(h, &terminals));
        click_button(&mut h, &terminals);
        let download = tr("download.button");
        wait_for(&mut h, "the Download button", |h| has_button(h, &download));
        h
    }

    /// The refusal box: the rule's name, the exact next allowed time, the rule's details.
    fn refused_with(h: &mut H, rule_key: &str, next: &str, details: &str) {
        let refused = tr("download.refused").replace("%{rule}", &tr(rule_key));
        wait_for(h, "the refusal", |h| has_text(h, &refused));
        let next = tr("download.next_allowed").replace("%{time}", next);
        assert!(has(h, &next), "no '{next}'");
        assert!(has(h, details), "no '{details}'");
    }

    /// Override with a reason; the download runs and says it overrode the rule.
    fn override_and_download(h: &mut H) {
        click_button(h, &tr("download.override"));
        let ok = tr("download.override_ok");
        wait_for(h, "the override dialog", |h| has_button(h, &ok));
        type_into(h, &tr("download.override_reason"), "演示：查看越权流程");
        click_button(h, &ok);
        let finished = prefix("download.done");
        wait_for(h, "the overridden download's result", |h| {
            has_text(h, &finished) && has_text(h, &prefix("download.overridden"))
        });
    }

    #[test]
    fn try_it_at_two_pm_download_then_spacing_refusal_and_override() {
        let env = gui_common::env();
        let mut h = demo_terminals_page(&env, at(14, 0));
        click_button(&mut h, &tr("download.button"));
        let finished = prefix("download.done");
        wait_for(&mut h, "the first download's result", |h| {
            has_text(h, &finished)
        });
        assert!(has_text(&h, &prefix("download.counts")));
        // At once again: the set clock still says 14:00, the download ended at 14:00.
        click_button(&mut h, &tr("download.button"));
        refused_with(
            &mut h,
            "download.rule_spacing",
            "2026-11-25 14:10:00",
            "at least 10 min between connections; the last one ended 2026-11-25 14:00",
        );
        override_and_download(&mut h);
    }

    #[test]
    fn try_it_at_twenty_past_eight_peak_refusal_and_override() {
        let env = gui_common::env();
        let mut h = demo_terminals_page(&env, at(8, 20));
        click_button(&mut h, &tr("download.button"));
        // The configured morning window 08:15–09:00 refuses; the demo shift's 08:30–09:15
        // (late after 09:15) overlaps it, so the first free minute is 09:15.
        refused_with(
            &mut h,
            "download.rule_peak_window",
            "2026-11-25 09:15:00",
            "peak window morning sign-in 08:15–09:00",
        );
        override_and_download(&mut h);
    }
}
