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

/// 14:00 today: outside the default peak windows, so the rules allow a download.
fn afternoon() -> NaiveDateTime {
    chrono::Local::now()
        .date_naive()
        .and_hms_opt(14, 0, 0)
        .expect("valid time")
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

/// The window, headless (egui_kittest): the wizard's "try it" button makes the demo, the
/// supervisor downloads from the Terminals page until the result shows; a second download at once
/// is refused by the spacing rule, showing the rule and the next allowed time; the override dialog
/// with a reason downloads anyway.
mod window {
    use egui::accesskit::Role as A11yRole;
    use egui_kittest::kittest::Queryable;
    use kaoqin::i18n::Lang;

    use crate::gui_common::{self, click_button, harness_sized, has_text, type_into, wait_for};

    const LANG: Lang = Lang::English;

    fn tr(key: &str) -> String {
        gui_common::tr(LANG, key)
    }

    fn prefix(key: &str) -> String {
        gui_common::prefix(LANG, key)
    }

    #[test]
    fn try_it_then_download_refusal_and_override() {
        let env = gui_common::env();
        let mut h = harness_sized(&env, LANG, [1280.0, 900.0]);

        let try_it = tr("wizard.demo_button");
        wait_for(&mut h, "the wizard", |h| {
            h.query_all_by_role_and_label(A11yRole::Button, &try_it)
                .next()
                .is_some()
        });
        click_button(&mut h, &try_it);
        let done = tr("wizard.demo_done");
        wait_for(&mut h, "the demo notice on the log-in screen", |h| {
            has_text(h, &done)
        });

        // The user name is pre-filled with the supervisor; the password is the wizard's default.
        type_into(&mut h, &tr("login.password"), "demo1234");
        click_button(&mut h, &tr("login.sign_in"));
        let terminals = tr("nav.terminals");
        wait_for(&mut h, "the main window", |h| {
            h.query_all_by_role_and_label(A11yRole::Button, &terminals)
                .next()
                .is_some()
        });
        click_button(&mut h, &terminals);
        let download = tr("download.button");
        wait_for(&mut h, "the Download button", |h| {
            h.query_all_by_role_and_label(A11yRole::Button, &download)
                .next()
                .is_some()
        });

        let finished = prefix("download.done");
        let refused = prefix("download.refused");
        click_button(&mut h, &download);
        wait_for(&mut h, "the first download's result", |h| {
            has_text(h, &finished) || has_text(h, &refused)
        });
        if has_text(&h, &refused) {
            // Run inside a sign-in peak window: the next block overrides it the same way.
            assert!(has_text(&h, &prefix("download.next_allowed")));
            assert!(has_text(&h, &prefix("dashboard.rule_peak")));
        } else {
            assert!(has_text(&h, &prefix("download.counts")));
            // At once again: the spacing rule refuses, naming the rule and the next allowed time.
            click_button(&mut h, &download);
            wait_for(&mut h, "the refusal", |h| has_text(h, &refused));
            assert!(has_text(&h, &tr("download.rule_spacing")));
            assert!(has_text(&h, &prefix("download.next_allowed")));
            // The rule's details in the user's language too ("两次连接至少间隔 10 分钟…").
            assert!(has_text(&h, &prefix("dashboard.rule_spacing")));
        }

        click_button(&mut h, &tr("download.override"));
        let ok = tr("download.override_ok");
        wait_for(&mut h, "the override dialog", |h| {
            h.query_all_by_role_and_label(A11yRole::Button, &ok)
                .next()
                .is_some()
        });
        type_into(
            &mut h,
            &tr("download.override_reason"),
            "演示：查看越权流程",
        );
        click_button(&mut h, &ok);
        wait_for(&mut h, "the overridden download's result", |h| {
            has_text(h, &finished) && has_text(h, &prefix("download.overridden"))
        });
    }
}
