//! The supervised session reused by other session kinds, against the real simulator:
//! an auditor's read-only snapshot session (the driver refuses DISABLE), and a supervisor's device
//! administration session that writes through the admin link (setting the clock).

mod common;

use common::*;
use kaoqin_store::sessions::{self, SessionKind, SessionResult};
use kaoqin_store::{Role, terminals};
use kaoqin_sync::link::LinkError;
use kaoqin_sync::session::{Actor, RecordCounts, SessionIo, SessionSpec, SupervisedSession};
use kaoqin_sync::{SyncError, ZkConnector};
use kaoqin_zk::client::ClientOptions;

fn spec(db: &Db, kind: SessionKind, actor: Actor) -> SessionSpec {
    SessionSpec {
        kind,
        actor,
        terminal: db.terminal.clone(),
        rules: open_settings(60).rules,
        rules_override: None,
    }
}

fn read_only(sim: &Sim) -> ZkConnector {
    ZkConnector::tcp(
        sim.tcp.clone(),
        ClientOptions {
            read_only: true,
            ..ClientOptions::default()
        },
    )
}

#[tokio::test]
async fn auditor_snapshot_session_reads_and_cannot_disable() {
    let sim = Sim::start(&["--employees", "5", "--days", "3"]);
    let mut db = db_with_terminal(&sim.tcp);
    let auditor = Actor {
        name: "zhao".into(),
        role: Role::Auditor,
    };
    let sp = spec(&db, SessionKind::Snapshot, auditor.clone());
    let session = SupervisedSession::open(
        &mut db.store,
        sp,
        system_clock(),
        SessionIo::default(),
        sim.tcp.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let done = session
        .run(&mut db.store, &read_only(&sim), |g| {
            Box::pin(async move {
                g.device_identity().await?;
                g.read_clock().await?;
                let users = g.read_users().await?;
                let log = g.read_attendance().await?;
                Ok::<_, LinkError>((users.len(), log.len()))
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(done.value.0, 5);
    assert_eq!(done.value.1, sim.dump().len());
    let tx = db.store.transaction().unwrap_or_else(|e| panic!("{e}"));
    session
        .finish_ok(
            &tx,
            &done,
            RecordCounts {
                read: done.value.1 as u64,
                ..RecordCounts::default()
            },
            serde_json::json!({}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    tx.commit().unwrap_or_else(|e| panic!("{e}"));
    let s = sessions::get(db.store.conn(), session.id()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (s.kind, s.result, s.role.as_str()),
        (SessionKind::Snapshot, SessionResult::Ok, "auditor")
    );
    assert!(s.commands.get("disable_device").is_none());

    // DISABLE is not on the read whitelist: refused by the driver before anything is sent.
    let sp = spec(&db, SessionKind::Snapshot, auditor);
    let session = SupervisedSession::open(
        &mut db.store,
        sp,
        system_clock(),
        SessionIo::default(),
        sim.tcp.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = session
        .run(&mut db.store, &read_only(&sim), |g| {
            Box::pin(async move { g.disable().await })
        })
        .await;
    assert!(
        matches!(&r, Err(SyncError::Terminal { message, .. }) if message.contains("not allowed on a read-only connection")),
        "got {r:?}"
    );
    assert_eq!(sim.status("enabled"), "1");
    // And a read-only connector cannot become an admin one.
    assert!(read_only(&sim).into_admin().is_err());
}

#[tokio::test]
async fn device_admin_session_writes_through_the_admin_link() {
    let sim = Sim::start(&["--employees", "2", "--days", "1", "--clock-offset", "-3600"]);
    let mut db = db_with_terminal(&sim.tcp);
    let sp = spec(&db, SessionKind::DeviceAdmin, supervisor());
    let session = SupervisedSession::open(
        &mut db.store,
        sp,
        system_clock(),
        SessionIo::default(),
        sim.tcp.clone(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let admin = sim
        .connector()
        .into_admin()
        .unwrap_or_else(|e| panic!("{e}"));
    let done = session
        .run(&mut db.store, &admin, |g| {
            Box::pin(async move {
                let before = g.read_clock().await?;
                g.note_command("set_time");
                g.link_mut()
                    .client_mut()
                    .set_time(before.pc_time)
                    .await
                    .map_err(LinkError::from)?;
                Ok::<_, LinkError>(before.skew_secs())
            })
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        (-3700..=-3500).contains(&done.value),
        "skew before {}",
        done.value
    );
    let line = sim.ok("clock");
    let offset: i64 = line
        .split_whitespace()
        .last()
        .and_then(|o| o.parse().ok())
        .unwrap_or(i64::MIN);
    assert!(offset.abs() <= 2, "terminal clock set from the PC: {line}");
    let tx = db.store.transaction().unwrap_or_else(|e| panic!("{e}"));
    session
        .finish_ok(
            &tx,
            &done,
            RecordCounts::default(),
            serde_json::json!({"clock_set": true}),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    tx.commit().unwrap_or_else(|e| panic!("{e}"));
    let s = sessions::get(db.store.conn(), session.id()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.commands.get("set_time").and_then(|v| v.as_u64()), Some(1));
    assert_eq!(s.kind, SessionKind::DeviceAdmin);
    let t = terminals::get(db.store.conn(), db.terminal.id).unwrap_or_else(|e| panic!("{e}"));
    assert!(t.last_contact_at.is_some());
}
