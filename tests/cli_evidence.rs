//! End-to-end: the evidence chain through the binary against someone with the database file —
//! `audit verify` after each attack (exit code and message), exported workbooks vouching for the
//! entries they anchor (`--reports-dir`, damaged and foreign workbooks noted, not fatal), and
//! `restore` refusing a backup that does not verify unless the administrator forces it with a reason.

mod cli_common;
use cli_common::*;

fn shell(db: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).unwrap()
}

#[test]
fn verify_vouches_through_the_newest_anchor_and_catches_a_cut_tail() {
    let env = Env::populated();
    let r = env.admin(&["audit", "verify"]);
    ok(&r);
    assert!(r.stdout.starts_with("Audit log intact:"), "{r:?}");
    assert!(r.stdout.contains("Intact through entry"), "{r:?}");
    assert!(r.stdout.contains("The newest anchor (entry"), "{r:?}");
    assert!(r.stdout.contains("kaoqin.db.anchors"), "{r:?}");
    let anchors = std::fs::read_to_string(env.path("kaoqin.db.anchors")).unwrap();
    assert!(anchors.lines().count() >= 5, "{anchors}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = std::fs::metadata(env.path("kaoqin.db.anchors"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(m & 0o777, 0o600);
    }

    // The attack: triggers dropped, the newest 4 entries deleted.
    let c = shell(&env.db());
    let n: i64 = c
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    c.execute_batch("DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    c.execute("DELETE FROM audit_log WHERE seq > ?1", [n - 4])
        .unwrap();
    drop(c);
    let r = env.admin(&["audit", "verify"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.starts_with("Audit log intact:"), "{r:?}");
    assert!(r.stdout.contains("SHORTER than the anchor"), "{r:?}");
    assert!(r.stderr.contains("are missing"), "{r:?}");
}

#[test]
fn replace_through_sqlite_is_refused_and_an_altered_punch_is_caught_by_its_batch_hash() {
    let env = Env::populated();
    let csv = env.path("punches.csv");
    std::fs::write(
        &csv,
        "terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session\n\
         SN-X,1001,2026-11-02 08:51:07,15,0,\n\
         SN-X,1001,2026-11-02 17:40:00,15,1,\n",
    )
    .unwrap();
    let r = env.run_as(
        "sup",
        USER_PW,
        &[
            "import",
            "punches",
            csv.to_str().unwrap(),
            "--allow-unregistered",
        ],
        &[],
    );
    ok(&r);
    let r = env.admin(&["audit", "verify"]);
    ok(&r);
    assert!(
        r.stdout
            .contains("Punches: 1 batch(es) with 2 punch(es) checked"),
        "{r:?}"
    );

    let c = shell(&env.db());
    let e = c
        .execute_batch(
            "REPLACE INTO raw_punches (terminal_serial, ts, enrollment_no, verify_mode, in_out_state, \
             work_code, session_id, stored_at) SELECT terminal_serial, ts, enrollment_no, 1, in_out_state, \
             work_code, session_id, stored_at FROM raw_punches LIMIT 1",
        )
        .unwrap_err();
    assert!(e.to_string().contains("immutable"), "{e}");
    ok(&env.admin(&["audit", "verify"]));

    // With the triggers dropped the punch can be changed, and the batch hash shows it.
    c.execute_batch(
        "DROP TRIGGER raw_punches_no_update; UPDATE raw_punches SET verify_mode = 1 WHERE ts LIKE '%08:51:07';",
    )
    .unwrap();
    drop(c);
    let r = env.admin(&["audit", "verify"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("no longer match audit entry"), "{r:?}");
    assert!(r.stderr.contains("batch(es) of punches"), "{r:?}");
}

#[test]
fn backup_writes_a_manifest_and_restore_refuses_a_tampered_backup_unless_forced() {
    let env = Env::populated();
    let dir = env.path("backups");
    std::fs::create_dir_all(&dir).unwrap();
    let b = dir.join("b1.db");
    let bs = b.to_str().unwrap();
    let r = env.admin(&["backup", bs]);
    ok(&r);
    assert!(r.stdout.contains("Manifest:"), "{r:?}");
    assert!(dir.join("b1.db.manifest.json").is_file());
    assert!(
        dir.join("kaoqin.db.anchors").is_file(),
        "anchor file copied"
    );

    // The backup's triggers are dropped (the attacker prepares a backup to restore later).
    let c = shell(&b);
    c.execute_batch("DROP TRIGGER raw_punches_no_delete; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    drop(c);
    let r = env.admin(&["restore", bs]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("was not restored"), "{r:?}");
    assert!(
        r.stderr.contains("trigger audit_log_no_delete is missing"),
        "{r:?}"
    );
    assert!(r.stderr.contains("--force-unverified"), "{r:?}");
    // Nothing changed; the refusal is in the log.
    ok(&env.admin(&["audit", "verify"]));
    let r = env.admin(&[
        "audit",
        "log",
        "--action",
        "restore.refused",
        "--format",
        "csv",
    ]);
    assert_eq!(r.stdout.lines().count(), 2, "{r:?}");

    // --force-unverified needs a reason; with one the admin restores it, and the triggers are back.
    let r = env.admin(&["restore", bs, "--force-unverified"]);
    assert_eq!(r.code, 2, "{r:?}");
    let r = env.admin(&[
        "restore",
        bs,
        "--force-unverified",
        "--reason",
        "the only copy after the disk failure",
    ]);
    ok(&r);
    assert!(r.stdout.contains("did NOT verify"), "{r:?}");
    assert!(r.stdout.contains("Protection put back"), "{r:?}");
    assert!(r.stdout.contains("The replaced database had"), "{r:?}");
    let c = shell(&env.db());
    assert!(c.execute("DELETE FROM audit_log", []).is_err());
    let details: String = c
        .query_row(
            "SELECT details FROM audit_log WHERE action = 'restore' ORDER BY seq DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(c);
    assert!(
        details.contains("the only copy after the disk failure"),
        "{details}"
    );
    assert!(details.contains("replaced_audit_head"), "{details}");
    // The anchors of the replaced database are shown as such, not as tampering.
    let r = env.admin(&["audit", "verify"]);
    ok(&r);
    assert!(r.stdout.contains("replaced by the restore"), "{r:?}");
}

#[test]
fn restore_refuses_a_backup_with_a_cut_chain_or_no_administrator() {
    let env = Env::populated();
    for (name, attack, expected) in [
        (
            "cut.db",
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log); \
             CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
             BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE rejected'); END;",
            "SHORTER than its manifest",
        ),
        (
            "noadmin.db",
            "UPDATE app_users SET role = 'hr_clerk' WHERE role = 'admin'",
            "no enabled administrator",
        ),
    ] {
        let b = env.path(name);
        ok(&env.admin(&["backup", b.to_str().unwrap()]));
        shell(&b).execute_batch(attack).unwrap();
        let r = env.admin(&["restore", b.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(r.stderr.contains(expected), "{r:?}");
    }
    ok(&env.admin(&["audit", "verify"]));
}

/// The audit head an exported workbook carries ("entry N of …" in its properties).
fn workbook_anchor(path: &std::path::Path) -> kaoqin_store::evidence::Anchor {
    let text = kaoqin_excel::read_audit_head(path)
        .unwrap()
        .expect("the export carries its audit head");
    kaoqin_store::evidence::Anchor::parse_workbook_text(&text).expect("a head Kaoqin writes")
}

#[test]
fn a_workbook_sent_out_vouches_for_its_entry_when_every_other_anchor_is_gone() {
    let env = Env::populated();
    let reports = env.path("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let wb = reports.join("2026-03.xlsx");
    let dir = reports.to_str().unwrap();
    ok(&env.run_as(
        "clerk",
        USER_PW,
        &["report", "month", "2026-03", "--xlsx", wb.to_str().unwrap()],
        &[],
    ));
    let vouches = format!("The workbook {} vouches for entry", wb.display());
    // Untouched: it passes and names the workbook as an anchor, found through the export's audit
    // entry as well as through --reports-dir (read once).
    for args in [
        &["audit", "verify"][..],
        &["audit", "verify", "--reports-dir", dir],
    ] {
        let r = env.admin(args);
        ok(&r);
        assert_eq!(r.stdout.matches(&vouches).count(), 1, "{r:?}");
    }

    // A damaged workbook and a foreign one beside it: noted, and the exit code is still 0.
    std::fs::write(reports.join("damaged.xlsx"), b"PK\x03\x04 cut short").unwrap();
    let mut foreign = rust_xlsxwriter::Workbook::new();
    foreign.add_worksheet().write_string(0, 0, "名单").unwrap();
    foreign.save(reports.join("foreign.xlsx")).unwrap();
    let r = env.admin(&["audit", "verify", "--reports-dir", dir]);
    ok(&r);
    assert!(r.stdout.contains("damaged.xlsx is unreadable"), "{r:?}");
    assert!(
        r.stdout
            .contains(&format!("1 workbook(s) in {dir} carry no audit head"))
            && r.stdout.contains("no anchors: foreign.xlsx"),
        "{r:?}"
    );
    assert!(r.stdout.contains(&vouches), "{r:?}");

    // The attack: triggers dropped, the log cut below the entry the workbook vouches for (the
    // export's own entry went too, so the log no longer says where reports went), the anchor file
    // deleted; there are no backups or snapshots.
    let anchored = workbook_anchor(&wb);
    let c = shell(&env.db());
    c.execute_batch("DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    c.execute(
        "DELETE FROM audit_log WHERE seq > ?1",
        [i64::try_from(anchored.entries).unwrap() - 3],
    )
    .unwrap();
    drop(c);
    std::fs::remove_file(env.path("kaoqin.db.anchors")).unwrap();
    let r = env.admin(&["audit", "verify", "--reports-dir", dir]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("SHORTER than the anchor"), "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("in workbook {}: entries", wb.display())),
        "{r:?}"
    );
    // Without the directory named nothing points to the workbook any more.
    ok(&env.admin(&["audit", "verify"]));
}

#[test]
fn an_export_to_a_relative_path_is_found_from_any_directory() {
    let env = Env::populated();
    let reports = env.path("reports");
    std::fs::create_dir_all(&reports).unwrap();
    let mut c = env.cmd();
    c.current_dir(&reports)
        .env("KAOQIN_USER", "clerk")
        .env("KAOQIN_PASSWORD", USER_PW)
        .args(["report", "month", "2026-03", "--xlsx", "2026-03.xlsx"]);
    let out = c.output().unwrap();
    assert!(out.status.success(), "{out:?}");
    // The audit entry records where the workbook went, absolute.
    let r = env.admin(&["audit", "verify"]);
    ok(&r);
    let wb = reports.join("2026-03.xlsx");
    assert!(
        r.stdout
            .contains(&format!("The workbook {} vouches for entry", wb.display())),
        "{r:?}"
    );
}
