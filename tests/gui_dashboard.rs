//! Dashboard on the demo database at set times: each terminal's health and exactly when the
//! connection rules next allow a connection and which rule blocks it (allowed now, a peak window,
//! the spacing after a download), today's overview and the month-to-date chart heading.

mod gui_common;
use gui_common::*;

use chrono::NaiveDateTime;
use kaoqin::app::demo::{DEMO_CLERK, DEMO_SUPERVISOR, DEMO_TERMINAL};
use kaoqin::i18n::Lang;

const LANG: Lang = Lang::English;

/// Signs the supervisor in at `now` on a demo database (downloaded first at `downloaded_at`, if
/// given) and waits for the terminal's row with `next` in its "next connection" column.
fn dashboard_shows(now: NaiveDateTime, downloaded_at: Option<NaiveDateTime>, next: &str) -> H {
    let (env, _sim) = env_demo_at(downloaded_at.unwrap_or(now));
    if let Some(t) = downloaded_at {
        let mut clerk = kaoqin::app::session::Session::login(
            &env.paths,
            DEMO_CLERK,
            DEMO_PASSWORD,
            clock_at(t),
            &kaoqin::app::clock::RecordingSleeper::default(),
        )
        .expect("clerk");
        clerk
            .download(DEMO_TERMINAL, None, kaoqin_sync::SessionIo::default())
            .expect("download");
    }
    let mut h = harness_with_clock(&env, LANG, [1280.0, 800.0], clock_at(now));
    sign_in(&mut h, LANG, DEMO_SUPERVISOR, DEMO_PASSWORD);
    let next_col = tr(LANG, "dashboard.col_next");
    wait_for(&mut h, "the terminals on the dashboard", |h| {
        has(h, &next_col) && has(h, DEMO_TERMINAL)
    });
    assert!(
        has(&h, next),
        "no '{next}' in the next-connection column at {now}"
    );
    assert!(has(&h, &tr(LANG, "dashboard.col_last_contact")));
    assert!(has(&h, &tr(LANG, "dashboard.col_findings")));
    assert!(has(&h, &tr(LANG, "dashboard.today")));
    assert!(has(&h, &tr(LANG, "dashboard.rate_heading")));
    h
}

#[test]
fn off_peak_and_never_connected_the_terminal_may_be_connected_now() {
    let h = dashboard_shows(at(14, 0), None, "allowed now");
    assert!(has(&h, &tr(LANG, "dashboard.never")));
}

/// 08:20 is inside the configured morning sign-in window (08:15–09:00, docs/domain.md §2); the demo
/// office's shift (late after 09:15) adds 08:30–09:15, so the first free minute is 09:15.
#[test]
fn in_the_morning_peak_the_next_connection_is_after_the_last_overlapping_window() {
    let h = dashboard_shows(
        at(8, 20),
        None,
        "from 2026-11-25 09:15 (peak window morning sign-in 08:15–09:00)",
    );
    assert!(has(&h, &tr(LANG, "dashboard.never")));
}

/// A download ended at 14:00 (the set clock does not move during it): at 14:05 the spacing rule
/// (10 minutes) allows the next connection from 14:10.
#[test]
fn after_a_download_the_next_connection_waits_for_the_spacing() {
    let h = dashboard_shows(
        at(14, 5),
        Some(at(14, 0)),
        "from 2026-11-25 14:10 (at least 10 min between connections; the last one ended \
         2026-11-25 14:00)",
    );
    // The download was a contact.
    assert!(has(&h, "2026-11-25 14:00"));
}
