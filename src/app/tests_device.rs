//! Service tests for what the GUI calls about terminal administration and snapshots (docs/domain.md §2.1, §2.7):
//! the hand-over (enrollment) windows with their expiry, and the list of snapshots Kaoqin knows.
//! Real SQLite in a temp dir and the real simulator over a real TCP socket (the demo's in-process
//! `kaoqin-sim`); only the clock is injected. Must not mock the terminal or the store.

use std::sync::Arc;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use kaoqin_store::{TerminalKind, TextEncoding};
use kaoqin_sync::policy::ConnectionRules;

use super::demo::{DemoSimulator, DemoSpec};
use super::terminal_sync::OpsError;
use super::terminals::TerminalInput;
use super::*;

const PW: &str = "secret-pw-1";
const TERMINAL: &str = "侧门";

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .and_then(|d| d.and_hms_opt(10, 0, 0))
        .expect("valid time")
}

struct Fx {
    _dir: tempfile::TempDir,
    paths: Paths,
    clock: Arc<FixedClock>,
    _sim: DemoSimulator,
}

impl Fx {
    /// A database with sup/aud/clerk, the simulator as terminal 侧门 (no comm key) and rules that
    /// never refuse.
    fn new() -> Fx {
        let (dir, paths, clock) = super::test_install::fresh_install(t0(), PW);
        let sim = DemoSimulator::start(&DemoSpec {
            seed: 3,
            employees: 4,
            days: 2,
            start: NaiveDate::from_ymd_opt(2026, 2, 26).expect("date"),
            last_port: 0,
            follow_calendar: false,
        })
        .expect("simulator");
        let fx = Fx {
            _dir: dir,
            paths,
            clock,
            _sim: sim,
        };
        let mut root = fx.login("root");
        for (name, role) in [
            ("sup", Role::Supervisor),
            ("clerk", Role::HrClerk),
            ("aud", Role::Auditor),
        ] {
            root.add_user(name, role, PW).expect("user");
        }
        root.add_terminal(
            &TerminalInput {
                name: TERMINAL.into(),
                kind: TerminalKind::ZkTcp,
                address: fx._sim.addr().to_string(),
                baud: None,
                machine: None,
                encoding: TextEncoding::Gbk,
                location: None,
                serial: None,
            },
            "",
        )
        .expect("terminal");
        fx.login("sup")
            .set_connection_rules(&ConnectionRules {
                margin_before_sign_in_min: 0,
                margin_after_sign_out_min: 0,
                spacing_min: 1,
                ..ConnectionRules::default()
            })
            .expect("rules");
        fx
    }

    fn login(&self, name: &str) -> Session {
        let clock: Arc<dyn Clock> = self.clock.clone();
        Session::login(&self.paths, name, PW, clock, &ThreadSleeper).expect("log in")
    }
}

fn denied<T: std::fmt::Debug>(r: Result<T, OpsError>) -> bool {
    matches!(r, Err(OpsError::App(AppError::PermissionDenied { .. })))
}

/// A terminal password (4–8 digits) as the shells pass it.
fn pw(digits: &str) -> kaoqin_domain::DevicePassword {
    digits.parse().expect("a terminal password")
}

#[test]
fn handover_windows_open_expire_and_close_with_the_supervisor_password() {
    let fx = Fx::new();
    let mut sup = fx.login("sup");
    assert_eq!(sup.handover_windows().expect("windows"), vec![]);

    let (_, until) = sup
        .device_handover(TERMINAL, &pw("739164"), 2, None)
        .expect("handover");
    assert_eq!(until, t0() + Duration::days(2));
    let open = sup.handover_windows().expect("windows");
    assert_eq!(
        open,
        vec![device::HandoverWindow {
            terminal: TERMINAL.into(),
            until,
            expired: false,
        }]
    );
    assert!(
        open[0]
            .reminder()
            .contains("is open until 2026-03-04 10:00")
    );

    // Two days and a minute later the window has expired: the reminder says what to run.
    fx.clock.advance(Duration::days(2) + Duration::minutes(1));
    let w = sup
        .handover_window(TERMINAL)
        .expect("window")
        .expect("still recorded");
    assert!(w.expired);
    assert!(
        w.reminder()
            .contains(&format!("kaoqin device password --terminal {TERMINAL}")),
        "{}",
        w.reminder()
    );

    // Only the supervisor sees them (the refusal is the usual audited one).
    for who in ["aud", "clerk", "root"] {
        assert!(denied(fx.login(who).handover_windows()), "{who}");
    }

    // Setting the supervisor password again closes the window.
    sup.device_password(TERMINAL, &pw("864209"), None)
        .expect("password");
    assert_eq!(sup.handover_windows().expect("windows"), vec![]);
}

#[test]
fn snapshots_taken_are_listed_for_the_auditor() {
    let fx = Fx::new();
    let mut aud = fx.login("aud");
    assert_eq!(aud.list_snapshots(None).expect("list"), vec![]);
    let out = fx._dir.path().join("one.kqsnap");
    let r = aud.take_snapshot(TERMINAL, &out).expect("snapshot");
    fx.clock.advance(Duration::minutes(30));
    let out2 = fx._dir.path().join("two.kqsnap");
    let r2 = aud.take_snapshot(TERMINAL, &out2).expect("snapshot");

    let list = aud.list_snapshots(None).expect("list");
    assert_eq!(list.len(), 2, "{list:?}");
    let (a, b) = (&list[0], &list[1]);
    assert_eq!(
        (a.id, a.terminal_name.as_str(), a.taken_by.as_str()),
        (r.snapshot_id, TERMINAL, "aud")
    );
    assert_eq!(a.taken_at, t0());
    assert_eq!(a.sha256, r.whole_sha256);
    assert_eq!(std::path::Path::new(&a.file_path), r.path.as_path());
    assert_eq!(a.public_key, r.public_key);
    assert_eq!((b.id, &b.sha256), (r2.snapshot_id, &r2.whole_sha256));
    assert_eq!(b.taken_at, t0() + Duration::minutes(30));
    // The listed file is the one that verifies.
    let v = aud
        .verify_snapshot(std::path::Path::new(&a.file_path))
        .expect("verify");
    assert!(v.problems.is_empty(), "{:?}", v.problems);

    assert_eq!(
        aud.list_snapshots(Some("no such terminal"))
            .expect("list")
            .len(),
        0
    );
    assert_eq!(aud.list_snapshots(Some(TERMINAL)).expect("list").len(), 2);
    // The supervisor and the admin may read them too; the clerk may not.
    assert_eq!(fx.login("sup").list_snapshots(None).expect("list").len(), 2);
    assert!(denied(fx.login("clerk").list_snapshots(None)));
}
