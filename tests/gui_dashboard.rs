//! Dashboard on the demo database: each terminal's health and when the connection rules next
//! allow a connection, today's overview and the month-to-date chart heading.

mod gui_common;
use gui_common::*;

use kaoqin::app::demo::{DEMO_SUPERVISOR, DEMO_TERMINAL};
use kaoqin::i18n::Lang;

#[test]
fn dashboard_shows_terminal_health_and_next_allowed_connection() {
    let (env, _sim) = env_demo();
    let lang = Lang::English;
    let mut h = harness(&env, lang);
    sign_in(&mut h, lang, DEMO_SUPERVISOR, DEMO_PASSWORD);
    let next_col = tr(lang, "dashboard.col_next");
    wait_for(&mut h, "the terminals on the dashboard", |h| {
        has(h, &next_col) && has(h, DEMO_TERMINAL)
    });
    assert!(has(&h, &tr(lang, "dashboard.col_last_contact")));
    assert!(has(&h, &tr(lang, "dashboard.col_findings")));
    // Never downloaded yet: no contact.
    assert!(has(&h, &tr(lang, "dashboard.never")));
    // Either allowed now or the next allowed time with the rule (depends on the time of day).
    let allowed_now = tr(lang, "dashboard.allowed_now");
    let allowed_at = prefix(lang, "dashboard.allowed_at");
    assert!(
        has(&h, &allowed_now) || has_text(&h, &allowed_at),
        "neither '{allowed_now}' nor '{allowed_at}…' on the dashboard"
    );
    assert!(has(&h, &tr(lang, "dashboard.today")));
    assert!(has(&h, &tr(lang, "dashboard.rate_heading")));
}
