//! Evidence behind every punch: a USB-only terminal learns its serial from `--serial` on its first
//! `attlog.dat` import (audited, same commit), a later download reporting another serial is refused,
//! our CSV with a serial no registered terminal has is refused line by line with nothing stored
//! (or stored with a finding when a supervisor allows it), and every stored punch shows its origin.

mod common;

use std::path::PathBuf;

use chrono::NaiveDate;
use common::*;
use kaoqin_domain::PunchOrigin;
use kaoqin_store::sessions::{self, SessionFilter};
use kaoqin_store::{audit, findings, punches, terminals};
use kaoqin_sync::checks::CheckSettings;
use kaoqin_sync::session::SessionIo;
use kaoqin_sync::{
    ImportOptions, SyncError, download, import_punches_file, import_punches_file_with,
};

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/attlog.dat")
}

fn now() -> chrono::NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 4)
        .and_then(|d| d.and_hms_opt(9, 30, 0))
        .unwrap_or_default()
}

fn with_serial(serial: &str) -> ImportOptions {
    ImportOptions {
        serial: Some(serial.into()),
        allow_unregistered: false,
        dry_run: false,
    }
}

fn origins(db: &Db) -> Vec<Option<PunchOrigin>> {
    punches::list(db.store.conn(), &Default::default())
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|p| p.origin)
        .collect()
}

/// A hand-made CSV: serial, enrollment, time, verify (15 = face), state, session.
fn write_csv(db: &Db, name: &str, rows: &[(&str, &str, &str)]) -> PathBuf {
    let mut text = String::from(
        "terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session\n",
    );
    for (serial, no, ts) in rows {
        text.push_str(&format!("{serial},{no},{ts},15,0,1\n"));
    }
    let path = db.dir.path().join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn usb_only_terminal_learns_its_serial_from_the_first_attlog_import() {
    let mut db = db_with_terminal("192.168.1.201:4370");
    let terminal = db.terminal_now();
    assert_eq!(terminal.serial_no, None);

    // Without a serial the import is refused with what to do, and nothing is stored.
    let r = import_punches_file(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    );
    assert!(
        matches!(&r, Err(SyncError::Invalid(m)) if m.contains("--serial SN")
            && m.contains("'front-door' has no serial number yet")),
        "got {r:?}"
    );
    assert_eq!(db.ledger_count(), 0);

    // With --serial: stored on the terminal in the same commit, audited, punches are "usb import".
    let report = import_punches_file_with(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &with_serial(" CKUSB0001 "),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.total().new, 7);
    assert_eq!(report.terminals[0].terminal_serial, "CKUSB0001");
    assert_eq!(
        report.terminals[0].terminal_name.as_deref(),
        Some("front-door")
    );
    assert_eq!(db.terminal_now().serial_no.as_deref(), Some("CKUSB0001"));
    assert_eq!(origins(&db), vec![Some(PunchOrigin::UsbImport); 7]);
    let entries = audit::list(db.store.conn(), &Default::default()).unwrap_or_default();
    let learned = entries
        .iter()
        .find(|e| e.action == "terminal.serial")
        .unwrap_or_else(|| panic!("no terminal.serial audit entry in {entries:?}"));
    assert_eq!(learned.target, "front-door");
    assert_eq!(learned.details["serial_no"], "CKUSB0001");
    assert_eq!(learned.actor, "wang");

    // The next file needs no --serial; a contradicting --serial is refused.
    let terminal = db.terminal_now();
    let again = import_punches_file(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.total().new, 0);
    let r = import_punches_file_with(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &with_serial("OTHER1"),
        &CheckSettings::default(),
        now(),
    );
    assert!(
        matches!(&r, Err(SyncError::Invalid(m)) if m.contains("registered with serial number CKUSB0001, not OTHER1")),
        "got {r:?}"
    );
}

#[test]
fn a_serial_of_another_terminal_is_refused() {
    let mut db = db_with_terminal("192.168.1.201:4370");
    let tx = db.store.transaction().unwrap_or_else(|e| panic!("{e}"));
    let other = terminals::add(
        &tx,
        &terminals::NewTerminal {
            name: "back-door".into(),
            kind: kaoqin_store::TerminalKind::ZkTcp,
            address: "192.168.1.202".into(),
            port: Some(4370),
            baud: None,
            machine_no: 1,
            encoding: kaoqin_store::TextEncoding::Gbk,
            comm_secret: None,
            location: None,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    terminals::set_serial_no(&tx, other.id, "TAKEN1").unwrap_or_else(|e| panic!("{e}"));
    tx.commit().unwrap_or_else(|e| panic!("{e}"));
    let terminal = db.terminal_now();
    let r = import_punches_file_with(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &with_serial("TAKEN1"),
        &CheckSettings::default(),
        now(),
    );
    assert!(
        matches!(&r, Err(SyncError::Invalid(m)) if m.contains("already registered to terminal 'back-door'")),
        "got {r:?}"
    );
    assert_eq!(db.ledger_count(), 0);
    assert_eq!(db.terminal_now().serial_no, None);
}

#[test]
fn invented_serial_csv_is_refused_per_line_unless_allowed_then_stored_with_a_finding() {
    let mut db = db_with_terminal("192.168.1.201:4370");
    let tx = db.store.transaction().unwrap_or_else(|e| panic!("{e}"));
    terminals::set_serial_no(&tx, db.terminal.id, "KQSIM0000001").unwrap_or_else(|e| panic!("{e}"));
    tx.commit().unwrap_or_else(|e| panic!("{e}"));
    let path = write_csv(
        &db,
        "made-up.csv",
        &[
            ("KQSIM0000001", "1001", "2026-03-02 08:40:00"),
            ("FAKE0001", "1002", "2026-03-02 08:41:00"),
            ("FAKE0001", "1002", "2026-03-02 17:41:00"),
        ],
    );
    let r = import_punches_file(
        &mut db.store,
        &clerk(),
        &path,
        None,
        &CheckSettings::default(),
        now(),
    );
    match &r {
        Err(e @ SyncError::Unregistered { serials, lines, .. }) => {
            assert_eq!(serials, &vec!["FAKE0001".to_string()]);
            let numbered: Vec<usize> = lines.iter().map(|l| l.line).collect();
            assert_eq!(numbered, vec![3, 4]);
            let m = e.to_string();
            assert!(
                m.contains("line 3: terminal serial FAKE0001 is not a registered terminal"),
                "{m}"
            );
            assert!(m.contains("--allow-unregistered"), "{m}");
            assert!(m.contains("nothing was imported"), "{m}");
        }
        other => panic!("expected the unregistered refusal, got {other:?}"),
    }
    // Nothing at all: not even the registered terminal's line, no session.
    assert_eq!(db.ledger_count(), 0);
    assert!(
        sessions::list(db.store.conn(), &SessionFilter::default())
            .unwrap_or_default()
            .is_empty()
    );

    // Allowed (the app layer checks it is a supervisor): stored, each part with its origin, and
    // the unregistered part with a finding naming every punch.
    let report = import_punches_file_with(
        &mut db.store,
        &supervisor(),
        &path,
        None,
        &ImportOptions {
            serial: None,
            allow_unregistered: true,
            dry_run: false,
        },
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.total().new, 3);
    assert_eq!(origins(&db), vec![Some(PunchOrigin::CsvImport); 3]);
    let fake = report
        .terminals
        .iter()
        .find(|t| t.terminal_serial == "FAKE0001")
        .unwrap_or_else(|| panic!("no FAKE0001 part"));
    assert_eq!(fake.terminal_name, None);
    assert_eq!(fake.findings[0].kind.as_str(), "unregistered-terminal");
    assert_eq!(fake.findings[0].record_count, 2);
    let stored = findings::list(db.store.conn(), &Default::default()).unwrap_or_default();
    let f = stored
        .iter()
        .find(|f| f.kind == "unregistered-terminal")
        .unwrap_or_else(|| panic!("no stored finding in {stored:?}"));
    assert_eq!(f.session_id, Some(fake.session_id));
    assert_eq!(f.details["record_count"], 2);
    let registered = report
        .terminals
        .iter()
        .find(|t| t.terminal_serial == "KQSIM0000001")
        .unwrap_or_else(|| panic!("no registered part"));
    assert!(
        registered
            .findings
            .iter()
            .all(|f| f.kind.as_str() != "unregistered-terminal")
    );
}

#[test]
fn csv_for_a_terminal_without_serial_takes_the_files_single_serial() {
    let mut db = db_with_terminal("192.168.1.201:4370");
    let path = write_csv(
        &db,
        "from-usb.csv",
        &[
            ("CKCSV0009", "1001", "2026-03-02 08:40:00"),
            ("CKCSV0009", "1001", "2026-03-02 17:40:00"),
        ],
    );
    let terminal = db.terminal_now();
    let report = import_punches_file(
        &mut db.store,
        &clerk(),
        &path,
        Some(&terminal),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.total().new, 2);
    assert_eq!(db.terminal_now().serial_no.as_deref(), Some("CKCSV0009"));
    assert_eq!(origins(&db), vec![Some(PunchOrigin::CsvImport); 2]);
}

#[tokio::test]
async fn a_download_reporting_another_serial_than_the_usb_registered_one_is_refused() {
    let sim = Sim::start(&["--employees", "3", "--days", "2", "--seed", "3"]);
    let mut db = db_with_terminal(&sim.tcp);
    let terminal = db.terminal_now();
    import_punches_file_with(
        &mut db.store,
        &clerk(),
        &sample(),
        Some(&terminal),
        &with_serial("CKUSB0001"),
        &CheckSettings::default(),
        now(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let before = db.ledger_count();
    let terminal = db.terminal_now();
    let r = download(
        &mut db.store,
        &sim.connector(),
        &clerk(),
        &terminal,
        &open_settings(180),
        None,
        system_clock(),
        SessionIo::default(),
    )
    .await;
    let msg = r.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("reports serial number KQSIM0000001")
            && msg.contains("registered with CKUSB0001"),
        "got {msg:?}"
    );
    assert_eq!(db.ledger_count(), before, "nothing of the batch is stored");
    assert_eq!(db.terminal_now().serial_no.as_deref(), Some("CKUSB0001"));
}
