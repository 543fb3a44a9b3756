//! Log-in throttling across connections, the one refusal text, the administrator's view of locks,
//! the bounds on typed values, and the database file checks. Real SQLite in a temp dir; the clock
//! and the sleeper are injected, so nothing here waits for real.

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_store::login_throttle::LoginThrottle;
use kaoqin_store::{TerminalKind, TextEncoding};
use kaoqin_sync::policy::ConnectionRules;

use super::employees::EmployeeInput;
use super::terminals::TerminalInput;
use super::*;

const PW: &str = "secret-pw-1";

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 25)
        .and_then(|d| d.and_hms_opt(14, 0, 0))
        .unwrap()
}

struct Fx {
    dir: tempfile::TempDir,
    paths: Paths,
    clock: Arc<FixedClock>,
}

impl Fx {
    fn new() -> Fx {
        let (dir, paths, clock) = super::test_install::fresh_install(t0(), PW);
        let fx = Fx { dir, paths, clock };
        let mut s = fx.login("root");
        s.add_user("clerk", Role::HrClerk, PW).unwrap();
        s.add_user("sup", Role::Supervisor, PW).unwrap();
        s.add_department("办公室", None).unwrap();
        fx
    }

    fn try_login(&self, name: &str, pw: &str, sleeper: &dyn Sleeper) -> AppResult<Session> {
        Session::login(&self.paths, name, pw, self.clock.clone(), sleeper)
    }

    fn login(&self, name: &str) -> Session {
        self.try_login(name, PW, &RecordingSleeper::default())
            .unwrap()
    }

    fn failures(&self, name: &str) -> u32 {
        LoginThrottle::open(&self.paths.db)
            .unwrap()
            .get(name)
            .unwrap()
            .map_or(0, |r| r.failures)
    }
}

/// The waits of `n` attempts that all arrive at the same instant: each waits for the gaps of
/// the ones before it (1, 2, 4, 8, 8, … s).
fn queued_waits(n: u32) -> Vec<u64> {
    (0..n)
        .map(|k| (1..=k).map(|i| session::login_delay(i).as_secs()).sum())
        .collect()
}

/// Twenty wrong log-ins in parallel, each on its own connection (as twenty processes would be),
/// for a known user and for an unknown name: every one is counted and they queue one after the
/// other, so together they cost the sum of the delays, not one delay.
#[test]
fn parallel_wrong_logins_queue_and_all_count() {
    let fx = Fx::new();
    for name in ["clerk", "ghost"] {
        let sleeper = Arc::new(RecordingSleeper::default());
        let errors: Vec<String> = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..20)
                .map(|_| {
                    let sleeper = Arc::clone(&sleeper);
                    let fx = &fx;
                    sc.spawn(move || {
                        fx.try_login(name, "wrong-guess", sleeper.as_ref())
                            .map(drop)
                            .unwrap_err()
                            .to_string()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| "panicked".into()))
                .collect()
        });
        assert!(
            errors.iter().all(|e| e == error::LOGIN_FAILED),
            "{errors:?}"
        );
        assert_eq!(fx.failures(name), 20, "{name}");
        let mut waits: Vec<u64> = sleeper.waits().iter().map(Duration::as_secs).collect();
        waits.sort_unstable();
        assert_eq!(waits, queued_waits(20), "{name}");
        // The twentieth guess waited 1+2+4+8×16 = 135 s; one delay would have been 8 s.
        assert_eq!(waits.last().copied(), Some(135));
        // The next attempt, even with the right password, is checked only after the queue.
        let row = LoginThrottle::open(&fx.paths.db)
            .unwrap()
            .get(name)
            .unwrap()
            .unwrap();
        assert_eq!(row.next_at, t0() + chrono::Duration::seconds(135 + 8));
    }
}

#[test]
fn unknown_user_wrong_password_and_disabled_account_read_the_same() {
    let fx = Fx::new();
    let mut root = fx.login("root");
    root.disable_user("sup").unwrap();
    let s = RecordingSleeper::default();
    let unknown = fx.try_login("nobody", PW, &s).unwrap_err();
    let wrong = fx.try_login("clerk", "not-it", &s).unwrap_err();
    let disabled = fx.try_login("sup", PW, &s).unwrap_err();
    assert!(matches!(
        unknown,
        AppError::Auth(AuthError::UnknownUser { .. })
    ));
    assert!(matches!(
        wrong,
        AppError::Auth(AuthError::WrongPassword { .. })
    ));
    assert!(matches!(
        disabled,
        AppError::Auth(AuthError::Disabled { .. })
    ));
    let texts = [unknown, wrong, disabled].map(|e| e.to_string());
    assert!(texts.iter().all(|t| t == error::LOGIN_FAILED), "{texts:?}");
    assert!(!texts[0].contains("nobody"));
}

#[test]
fn an_administrator_sees_and_clears_locks_audited() {
    let fx = Fx::new();
    let sleeper = AdvancingSleeper::new(fx.clock.clone());
    for _ in 0..3 {
        fx.try_login("clerk", "x-wrong", &sleeper)
            .map(drop)
            .unwrap_err();
    }
    fx.try_login("ghost", "x-wrong", &sleeper)
        .map(drop)
        .unwrap_err();

    let mut clerk_session = fx.login("sup");
    let denied = clerk_session.login_locks().unwrap_err();
    assert!(denied.is_permission_denied(), "{denied}");
    assert!(
        clerk_session
            .unlock_login("clerk")
            .unwrap_err()
            .is_permission_denied()
    );

    let mut root = fx.login("root");
    let locks = root.login_locks().unwrap();
    let seen: Vec<(&str, bool, u32)> = locks
        .iter()
        .map(|l| (l.name.as_str(), l.known_user, l.failures))
        .collect();
    assert_eq!(seen, vec![("clerk", true, 3), ("ghost", false, 1)]);
    assert!(locks[0].next_attempt_at > fx.clock.now());

    let cleared = root.unlock_login("clerk").unwrap();
    assert_eq!(cleared.failures, 3);
    let store = kaoqin_store::Store::open(&fx.paths.db).unwrap();
    let last = kaoqin_store::audit::list(store.conn(), &Default::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.target.as_str()
        ),
        ("root", "user.unlock", "clerk")
    );
    assert_eq!(last.details["failures"], 3);
    let names: Vec<String> = root
        .login_locks()
        .unwrap()
        .into_iter()
        .map(|l| l.name)
        .collect();
    assert_eq!(names, vec!["ghost".to_string()]);
    assert!(
        root.unlock_login("clerk")
            .unwrap_err()
            .to_string()
            .contains("no failed log-ins")
    );
    // Cleared: the clerk's next attempt is checked at once.
    let before = sleeper.waits().len();
    fx.try_login("clerk", PW, &sleeper).unwrap();
    assert_eq!(sleeper.waits()[before], Duration::ZERO);
}

#[test]
fn names_with_line_breaks_or_direction_overrides_are_refused_everywhere() {
    let fx = Fx::new();
    let mut root = fx.login("root");
    let before = root.audit_log(&Default::default()).unwrap().len();
    for bad in ["张\n三", "abc\u{202E}fed", "\u{2067}x", "tab\there"] {
        let emp = EmployeeInput {
            no: "1001".into(),
            name: bad.into(),
            department: "办公室".into(),
            ..Default::default()
        };
        let e = root.add_employee(&emp).unwrap_err().to_string();
        assert!(e.starts_with("invalid name: it contains"), "{e}");
        let e = root.add_department(bad, None).unwrap_err().to_string();
        assert!(e.starts_with("invalid department name"), "{e}");
        let e = root
            .add_user(bad, Role::HrClerk, PW)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("invalid user name"), "{e}");
        let t = TerminalInput {
            name: bad.into(),
            kind: TerminalKind::ZkTcp,
            address: "127.0.0.1:4370".into(),
            baud: None,
            machine: None,
            encoding: TextEncoding::Gbk,
            location: None,
            serial: None,
        };
        let e = root.add_terminal(&t, "").unwrap_err().to_string();
        assert!(e.starts_with("invalid terminal name"), "{e}");
    }
    let long = "长".repeat(validate::MAX_NAME_CHARS + 1);
    let e = root.add_department(&long, None).unwrap_err().to_string();
    assert!(e.contains("at most 64"), "{e}");
    // Nothing was stored or audited (the refusals come before the act).
    assert_eq!(root.audit_log(&Default::default()).unwrap().len(), before);
}

#[test]
fn connection_rules_outside_their_bounds_are_refused() {
    let fx = Fx::new();
    let mut sup = fx.login("sup");
    let ok = ConnectionRules::default();
    for (rules, msg) in [
        (
            ConnectionRules {
                time_limit_secs: 5,
                ..ok.clone()
            },
            "invalid time limit: 5 s is outside the allowed 30–600 s",
        ),
        (
            ConnectionRules {
                spacing_min: 2000,
                ..ok.clone()
            },
            "invalid spacing",
        ),
        (
            ConnectionRules {
                margin_after_sign_out_min: 1000,
                ..ok.clone()
            },
            "invalid margin after sign-out",
        ),
    ] {
        let e = sup.set_connection_rules(&rules).unwrap_err().to_string();
        assert!(e.starts_with(msg), "{e}");
    }
    sup.set_connection_rules(&ConnectionRules {
        time_limit_secs: 30,
        ..ok
    })
    .unwrap();
}

#[test]
fn an_empty_database_file_is_refused_except_by_init() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("empty.db");
    std::fs::write(&db, b"").unwrap();
    let paths = Paths::resolve_with(
        Some(db.clone()),
        Some(dir.path().join("data")),
        Some(dir.path().join("config")),
    )
    .unwrap();
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(t0()));
    let e = Session::login(
        &paths,
        "root",
        PW,
        clock.clone(),
        &RecordingSleeper::default(),
    )
    .unwrap_err();
    assert!(matches!(e, AppError::EmptyDatabaseFile { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("empty.db") && text.contains("kaoqin init"),
        "{text}"
    );
    assert!(!session::is_initialised(&paths).unwrap());
    assert_eq!(std::fs::metadata(&db).unwrap().len(), 0, "left untouched");
    // `init` may make a database of it.
    session::init(&paths, "单位", "root", PW, clock.as_ref()).unwrap();
    Session::login(&paths, "root", PW, clock, &RecordingSleeper::default()).unwrap();
}

#[cfg(unix)]
#[test]
fn the_database_and_the_throttle_file_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fx::new();
    fx.try_login("ghost", "x", &RecordingSleeper::default())
        .map(drop)
        .unwrap_err();
    let throttle = LoginThrottle::path_for(&fx.paths.db);
    for p in [fx.paths.db.clone(), throttle] {
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    let _ = fx.dir.path();
}
