//! Shared test helpers: a fresh database in a temp dir, fixed times, sample punches. Real SQLite only.
#![allow(dead_code)]

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_store::punches::NewPunch;
use kaoqin_store::sessions::{self, NewSession, SessionKind};
use kaoqin_store::{Role, Store, audit};

pub fn t(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

pub fn fresh() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kaoqin.db");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

pub fn session(conn: &rusqlite::Connection, terminal: &str) -> i64 {
    sessions::start(
        conn,
        &NewSession {
            kind: SessionKind::Download,
            terminal_id: None,
            terminal_name: terminal.into(),
            actor: "clerk".into(),
            role: Role::HrClerk,
            peer_addr: Some("127.0.0.1:4370".into()),
            started_at: t("2026-11-25 10:00:00"),
            override_reason: None,
        },
    )
    .unwrap()
}

pub fn punch(no: &str, ts: &str) -> NewPunch {
    NewPunch {
        enrollment_no: no.into(),
        ts: t(ts),
        verify_mode: 15,
        in_out_state: 0,
        work_code: 0,
    }
}

pub fn entry(i: usize) -> audit::NewEntry {
    audit::NewEntry {
        at: t("2026-11-25 09:00:00") + chrono::Duration::seconds(i as i64),
        actor: if i.is_multiple_of(2) {
            "admin".into()
        } else {
            "clerk".into()
        },
        role: Some(if i.is_multiple_of(2) {
            Role::Admin
        } else {
            Role::HrClerk
        }),
        action: format!("act.{}", i % 3),
        target: format!("target-{i}"),
        details: serde_json::json!({ "i": i, "名字": "张三" }),
    }
}
