//! The connection rules enforced in the session layer, with an injected clock: a refusal never
//! connects, is recorded and audited; a supervisor's override connects and is audited; the
//! spacing rule counts from the end of the previous connection.

mod common;

use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime};
use common::*;
use kaoqin_store::audit;
use kaoqin_store::sessions::{self, SessionFilter, SessionResult};
use kaoqin_sync::policy::{ConnectionRules, PolicyError};
use kaoqin_sync::session::{Clock, SessionIo};
use kaoqin_sync::settings::SyncSettings;
use kaoqin_sync::{SyncError, download};

fn at(h: u32, m: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 2)
        .and_then(|d| d.and_hms_opt(h, m, 0))
        .unwrap_or_default()
}

fn default_rules() -> SyncSettings {
    SyncSettings::default()
}

fn audit_actions(db: &Db) -> Vec<(String, serde_json::Value)> {
    audit::list(db.store.conn(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|e| (e.action, e.details))
        .collect()
}

#[tokio::test]
async fn peak_window_refuses_without_connecting_and_is_audited() {
    // Nothing listens here: a connection attempt would fail differently.
    let sim = Sim::start(&["--employees", "3", "--days", "2"]);
    let mut db = db_with_terminal(&sim.tcp);
    let unreachable = kaoqin_sync::ZkConnector::tcp("127.0.0.1:9", Default::default());
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(at(8, 30)));
    let r = download(
        &mut db.store,
        &unreachable,
        &clerk(),
        &db.terminal.clone(),
        &default_rules(),
        None,
        clock.clone(),
        SessionIo::default(),
    )
    .await;
    match r {
        Err(SyncError::Policy(PolicyError::Refused(refusal))) => {
            assert_eq!(refusal.rule.name(), "peak_window");
            assert_eq!(refusal.earliest_allowed_at, at(9, 0));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // An override granted to someone else is no override for this session: nothing is recorded.
    let r = download(
        &mut db.store,
        &unreachable,
        &clerk(),
        &db.terminal.clone(),
        &default_rules(),
        overridden_by(&supervisor(), "payroll is due"),
        clock.clone(),
        SessionIo::default(),
    )
    .await;
    assert!(
        matches!(&r, Err(SyncError::Invalid(m)) if m.contains("granted to 'li', not to 'wang'")),
        "got {r:?}"
    );
    // An override without a reason is refused, and says why.
    let r = download(
        &mut db.store,
        &unreachable,
        &supervisor(),
        &db.terminal.clone(),
        &default_rules(),
        overridden_by(&supervisor(), "  "),
        clock.clone(),
        SessionIo::default(),
    )
    .await;
    assert!(
        matches!(
            r,
            Err(SyncError::Policy(PolicyError::OverrideWithoutReason(_)))
        ),
        "got {r:?}"
    );
    let list = sessions::list(db.store.conn(), &SessionFilter::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(list.len(), 2);
    assert!(
        list.iter()
            .all(|s| s.result == SessionResult::Refused && s.records_read == 0)
    );
    assert!(
        list.iter().all(|s| s.commands == serde_json::json!({})),
        "no command was sent"
    );
    let actions = audit_actions(&db);
    assert_eq!(actions.len(), 2);
    assert!(actions.iter().all(|(a, _)| a == "download.refused"));
    assert_eq!(actions[0].1["rule"], "peak_window");
    assert_eq!(actions[0].1["earliest_allowed_at"], "2026-03-02 09:00:00");

    // The supervisor overrides with a reason: it connects, and the override is on record.
    let report = download(
        &mut db.store,
        &sim.connector(),
        &supervisor(),
        &db.terminal.clone(),
        &default_rules(),
        overridden_by(&supervisor(), "terminal to be replaced today"),
        clock.clone(),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("override: {e}"));
    assert!(report.counts.new > 0);
    assert!(
        report
            .overridden
            .as_deref()
            .unwrap_or("")
            .contains("peak window")
    );
    let s = sessions::get(db.store.conn(), report.session_id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.result, SessionResult::Ok);
    assert_eq!(
        s.override_reason.as_deref(),
        Some("terminal to be replaced today")
    );
    let start = audit_actions(&db)
        .into_iter()
        .find(|(a, _)| a == "download.start")
        .unwrap_or_else(|| panic!("no start entry"));
    assert_eq!(start.1["override"]["rule"], "peak_window");
    assert_eq!(
        start.1["override"]["reason"],
        "terminal to be replaced today"
    );
}

#[tokio::test]
async fn spacing_counts_from_the_previous_connection_end() {
    let sim = Sim::start(&["--employees", "3", "--days", "2"]);
    let mut db = db_with_terminal(&sim.tcp);
    let settings = SyncSettings {
        rules: ConnectionRules {
            sessions: Vec::new(),
            ..ConnectionRules::default()
        },
        ..SyncSettings::default()
    };
    let t0 = at(10, 0);
    download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &settings,
        None,
        Arc::new(FixedClock(t0)),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("first: {e}"));
    // 9 minutes later: refused, earliest = end of the first + 10 min (its end is t0: fixed clock).
    let r = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &settings,
        None,
        Arc::new(FixedClock(at(10, 9))),
        SessionIo::default(),
    )
    .await;
    match r {
        Err(SyncError::Policy(PolicyError::Refused(refusal))) => {
            assert_eq!(refusal.rule.name(), "spacing");
            assert_eq!(refusal.earliest_allowed_at, at(10, 10));
        }
        other => panic!("expected a spacing refusal, got {other:?}"),
    }
    // A refused attempt is no connection: at 10:10 it is allowed.
    let ok = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &settings,
        None,
        Arc::new(FixedClock(at(10, 10))),
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("at 10:10: {e}"));
    assert_eq!(ok.counts.new, 0);
}

#[tokio::test]
async fn rule_changes_are_audited_with_the_granted_actor() {
    let sim = Sim::start(&["--employees", "1", "--days", "1"]);
    let mut db = db_with_terminal(&sim.tcp);
    let rules = ConnectionRules {
        spacing_min: 15,
        ..ConnectionRules::default()
    };
    kaoqin_sync::settings::set_rules(&mut db.store, &TestGrant(supervisor()), &rules, at(10, 0))
        .unwrap_or_else(|e| panic!("{e}"));
    let loaded = kaoqin_sync::settings::load(db.store.conn()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.rules.spacing_min, 15);
    let actions = audit_actions(&db);
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].0, "settings.change");
    assert_eq!(actions[0].1["new"]["spacing_min"], 15);
    assert!(
        audit::verify(db.store.conn())
            .map(|r| r.is_intact())
            .unwrap_or(false)
    );
}

#[tokio::test]
async fn a_shift_in_use_protects_its_own_sign_in_time() {
    let sim = Sim::start(&["--employees", "3", "--days", "2"]);
    let mut db = db_with_terminal(&sim.tcp);
    // Everyone works preset D from March: sign-in due 07:30, before the configured 08:15 window.
    kaoqin_store::schedules::add_assignment(
        db.store.conn(),
        &kaoqin_store::schedules::AssignmentRow {
            id: 0,
            target_kind: "organisation".into(),
            target: String::new(),
            plan_kind: "shift".into(),
            plan: "D".into(),
            from: NaiveDate::from_ymd_opt(2026, 3, 1),
            to: None,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let settings = kaoqin_sync::settings::load(db.store.conn()).unwrap_or_else(|e| panic!("{e}"));
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(at(7, 0)));
    let r = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &settings,
        None,
        clock.clone(),
        SessionIo::default(),
    )
    .await;
    match r {
        Err(SyncError::Policy(PolicyError::Refused(refusal))) => {
            assert_eq!(refusal.earliest_allowed_at, at(7, 30));
            assert!(
                refusal.to_string().contains("shift D 上午 sign-in"),
                "{refusal}"
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // The supervisor turns the option off: 07:00 is allowed again.
    let rules = ConnectionRules {
        follow_schedules: false,
        ..settings.rules.clone()
    };
    kaoqin_sync::settings::set_rules(&mut db.store, &TestGrant(supervisor()), &rules, at(7, 0))
        .unwrap_or_else(|e| panic!("{e}"));
    let settings = kaoqin_sync::settings::load(db.store.conn()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!settings.rules.follow_schedules && settings.rules.schedule.is_none());
    let report = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &db.terminal.clone(),
        &settings,
        None,
        clock,
        SessionIo::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("download at 07:00: {e}"));
    assert!(report.counts.new > 0);
}
