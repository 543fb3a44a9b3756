//! The auditor's read-only session type (docs/domain.md §1) against the real simulator: it reads everything
//! a snapshot needs, refuses to disable the terminal, and a write command through a read-only
//! driver fails before anything is sent (the terminal's clock, users and log are unchanged and the
//! same connection still answers reads — a sent-but-unanswered write would have desynchronised it).

mod common;

use common::*;
use kaoqin_sync::Connector;
use kaoqin_sync::link::{CancellationToken, LinkErrorKind, TerminalLink};
use kaoqin_sync::readonly::AuditorConnector;
use kaoqin_zk::client::{ClientOptions, Endpoint, ZkClient, ZkError};

#[tokio::test]
async fn auditor_link_reads_and_refuses_to_disable() {
    let sim = Sim::start(&["--employees", "6", "--days", "3", "--seed", "5"]);
    // Passing read_only: false does not matter: the auditor connector forces it.
    let c = AuditorConnector::tcp(sim.tcp.clone(), ClientOptions::default());
    let mut link = c.connect().await.unwrap_or_else(|e| panic!("{e}"));
    let id = link
        .device_identity()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(id.serial_number.is_some());
    let cancel = CancellationToken::new();
    let users = link
        .read_users(&mut |_| {}, &cancel)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(users.len().to_string(), sim.status("users"));
    let log = link
        .read_attendance(&mut |_| {}, &cancel)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(log.len(), sim.dump().len());
    let err = link
        .disable(std::time::Duration::from_secs(60))
        .await
        .expect_err("an auditor link must not disable");
    assert_eq!(err.kind, LinkErrorKind::ReadOnly);
    assert_eq!(sim.status("enabled"), "1");
    link.disconnect().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn writes_through_a_read_only_driver_fail_before_anything_is_sent() {
    let sim = Sim::start(&["--employees", "6", "--days", "3", "--seed", "5"]);
    let addr = sim.tcp.parse().unwrap_or_else(|e| panic!("{e}"));
    let mut client = ZkClient::connect(
        Endpoint::Tcp(addr),
        ClientOptions {
            read_only: true,
            ..ClientOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let log_before = sim.dump();
    let users_before = sim.control("list-users").0;

    let far = chrono::NaiveDate::from_ymd_opt(2020, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    assert!(matches!(
        client.set_time(far).await,
        Err(ZkError::ReadOnly { .. })
    ));
    assert!(matches!(
        client.delete_user(1).await,
        Err(ZkError::ReadOnly { .. })
    ));
    assert!(matches!(
        client.clear_attendance().await,
        Err(ZkError::ReadOnly { .. })
    ));
    // Deleting a fingerprint template (DELETE_USERTEMP, the policy's face-only fix) is a write too.
    sim.ok("add-fingerprint 1 0");
    let templates_before = sim.control("list-templates").0;
    assert!(matches!(
        client.delete_template(1, 0).await,
        Err(ZkError::ReadOnly { .. })
    ));
    assert!(matches!(
        client.disable(std::time::Duration::from_secs(30)).await,
        Err(ZkError::ReadOnly { .. })
    ));

    // Nothing reached the terminal, and the connection is still in step.
    let t = client.get_time().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(t > far);
    assert_eq!(sim.dump(), log_before);
    assert_eq!(sim.control("list-users").0, users_before);
    assert_eq!(sim.control("list-templates").0, templates_before);
    // Reading templates is allowed (a read), and sees the same ones.
    let read = client
        .read_templates()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.len(), templates_before.len());
    assert!(read.iter().any(|t| t.uid == 1 && t.finger == 0));
    assert_eq!(sim.status("enabled"), "1");
    // The clock offset is unchanged (SET_TIME never arrived).
    assert_eq!(sim.status("offset"), "0");
    client.disconnect().await.unwrap_or_else(|e| panic!("{e}"));
}
