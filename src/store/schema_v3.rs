//! Schema step 3 (the evidence behind every punch): which file an import session read.
//!
//! A punch's origin is its session's: `kind = 'download'` is a terminal download, `kind = 'import'` a
//! file, and `file_format` says which file: the terminal's own `attlog.dat` (USB stick) or Kaoqin's
//! punches CSV. The ledger (`raw_punches`) and its triggers are untouched: the origin is read through
//! the session link every punch already has. Imports made before this step are filled in from their
//! audit entries (`details.format`), which recorded the format from the start.

pub(crate) const MIGRATION_3: &str = r#"
ALTER TABLE download_sessions ADD COLUMN file_format TEXT
    CHECK (file_format IS NULL OR file_format IN ('attlog', 'csv'));
UPDATE download_sessions SET file_format = (
    SELECT json_extract(a.details, '$.format') FROM audit_log a
    WHERE a.action = 'import'
      AND json_valid(a.details)
      AND json_extract(a.details, '$.session') = download_sessions.id
      AND json_extract(a.details, '$.format') IN ('attlog', 'csv')
    ORDER BY a.seq LIMIT 1
) WHERE kind = 'import';
"#;

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use kaoqin_domain::PunchOrigin;
    use rusqlite::Connection;
    use serde_json::json;

    use crate::punches::{self, NewPunch};
    use crate::sessions::{self, NewSession, SessionKind};
    use crate::{Role, audit};

    fn at(h: u32) -> chrono::NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap_or_default()
    }

    fn session(conn: &Connection, kind: SessionKind) -> i64 {
        sessions::start(
            conn,
            &NewSession {
                kind,
                terminal_id: None,
                terminal_name: "front-door".into(),
                actor: "wang".into(),
                role: Role::HrClerk,
                peer_addr: None,
                started_at: at(9),
                override_reason: None,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn punch(tx: &rusqlite::Transaction<'_>, session_id: i64, serial: &str, h: u32) {
        punches::insert_batch(
            tx,
            session_id,
            serial,
            at(10),
            &[NewPunch {
                enrollment_no: "1001".into(),
                ts: at(h),
                verify_mode: 15,
                in_out_state: 0,
                work_code: 0,
            }],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// A version-2 database with a download, an attlog import, a CSV import and an import without
    /// an audit entry: step 3 gives each punch its origin from the session link, and the ledger
    /// stays immutable.
    #[test]
    fn step_3_fills_in_the_origin_of_earlier_imports_from_their_audit_entries() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        for step in &crate::schema::MIGRATIONS[..2] {
            conn.execute_batch(step).unwrap_or_else(|e| panic!("{e}"));
        }
        let tx = conn.transaction().unwrap_or_else(|e| panic!("{e}"));
        let (dl, usb, csv, lost) = (
            session(&tx, SessionKind::Download),
            session(&tx, SessionKind::Import),
            session(&tx, SessionKind::Import),
            session(&tx, SessionKind::Import),
        );
        for (id, format) in [(usb, "attlog"), (csv, "csv")] {
            audit::append(
                &tx,
                audit::NewEntry {
                    at: at(10),
                    actor: "wang".into(),
                    role: Some(Role::HrClerk),
                    action: "import".into(),
                    target: "front-door".into(),
                    details: json!({ "session": id, "format": format }),
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        punch(&tx, dl, "SN1", 8);
        punch(&tx, usb, "SN1", 12);
        punch(&tx, csv, "SN2", 13);
        punch(&tx, lost, "SN3", 17);
        tx.commit().unwrap_or_else(|e| panic!("{e}"));

        conn.execute_batch(super::MIGRATION_3)
            .unwrap_or_else(|e| panic!("{e}"));
        let got: Vec<(String, Option<PunchOrigin>)> = punches::list(&conn, &Default::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|p| (p.terminal_serial, p.origin))
            .collect();
        assert_eq!(
            got,
            vec![
                ("SN1".into(), Some(PunchOrigin::Download)),
                ("SN1".into(), Some(PunchOrigin::UsbImport)),
                ("SN2".into(), Some(PunchOrigin::CsvImport)),
                ("SN3".into(), None),
            ]
        );
        let by_session = sessions::punch_origins(&conn).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(by_session.get(&usb), Some(&PunchOrigin::UsbImport));
        assert_eq!(by_session.get(&lost), None);

        // New imports record their file; the check refuses anything else.
        sessions::set_file_format(&conn, lost, "csv").unwrap_or_else(|e| panic!("{e}"));
        assert!(sessions::set_file_format(&conn, lost, "xlsx").is_err());
        assert!(sessions::set_file_format(&conn, dl, "csv").is_err());
        assert!(
            conn.execute(
                "UPDATE download_sessions SET file_format = 'x' WHERE id = ?1",
                [lost]
            )
            .is_err()
        );
        // The ledger's triggers are untouched.
        let e = conn
            .execute("UPDATE raw_punches SET session_id = ?1", [dl])
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(matches!(&e, Err(m) if m.contains("immutable")), "{e:?}");
        assert!(conn.execute("DELETE FROM raw_punches", []).is_err());
    }
}
