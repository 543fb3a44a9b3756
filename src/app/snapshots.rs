//! Application services for the auditor's snapshots (docs/domain.md §2.7): take (auditor only; the terminal is
//! read through the read-only session type, the auditor's key is created on first use in the
//! config directory and registered), verify (against the key registered in Kaoqin), diff of two
//! files, and diff of a file against the ledger. Must not print or prompt.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use kaoqin_store::punches::{self, PunchFilter};
use kaoqin_store::{snapshots, terminals};
use kaoqin_sync::SyncError;
use kaoqin_sync::grant::TakeSnapshot as TakeSnapshotAct;
use kaoqin_sync::readonly::AuditorConnector;
use kaoqin_sync::snapshot::{
    self, Manifest, SnapshotData, SnapshotDiff, TakeReport, VerifyReport, file::PunchRow,
};

use super::permissions::Action;
use super::session::Session;
use super::terminal_sync::OpsResult;

/// Ledger against terminal, for `snapshot diff FILE --against-db`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerDiff {
    pub serial: String,
    /// In Kaoqin's ledger, no longer on the terminal (enrollment, time).
    pub missing_on_terminal: Vec<(String, NaiveDateTime)>,
    /// On the terminal, never downloaded.
    pub never_downloaded: Vec<PunchRow>,
}

impl Session {
    /// Where this auditor's signing key lives.
    pub fn auditor_key_path(&self) -> PathBuf {
        let safe: String = self
            .user()
            .name
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        self.paths()
            .config_dir
            .join(format!("auditor-{safe}.ed25519"))
    }

    /// `kaoqin snapshot take --terminal T --out FILE`.
    pub fn take_snapshot(&mut self, terminal: &str, out: &Path) -> OpsResult<TakeReport> {
        let grant = self.authorize::<TakeSnapshotAct>(terminal)?;
        let t = terminals::get_by_name(self.conn(), terminal)?;
        let secret = self.terminal_secret(terminal)?;
        let comm_key = secret
            .as_deref()
            .map(kaoqin_sync::zk::parse_comm_key)
            .transpose()
            .map_err(SyncError::from)?;
        let connector = AuditorConnector::for_terminal(&t, comm_key).map_err(SyncError::from)?;
        let rules = kaoqin_sync::settings::load(self.conn())?.rules;
        let key = snapshot::key::load_or_create(&self.auditor_key_path())?;
        let clock = self.sync_clock();
        // The database records where the file is, wherever the command was run from.
        let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
        let rt = Self::runtime()?;
        let store = self.store_mut();
        let done = rt.block_on(snapshot::take_snapshot(
            store, &grant, &t, &connector, &rules, clock, &key, &out,
        ));
        self.anchor("snapshot.take");
        Ok(done?)
    }

    /// The snapshots Kaoqin knows of (the `snapshots` table, one row per `snapshot.take`), oldest
    /// first; `terminal` narrows to one terminal. For the auditor's Audit page (`view_audit`).
    /// The files themselves are not opened here: [`Session::verify_snapshot`] does that.
    pub fn list_snapshots(&self, terminal: Option<&str>) -> OpsResult<Vec<snapshots::Snapshot>> {
        self.require(Action::ViewAudit, "snapshots")?;
        Ok(snapshots::list(self.conn(), terminal)?)
    }

    /// Verifies hashes and signature; the signer's key must be registered in Kaoqin.
    pub fn verify_snapshot(&self, path: &Path) -> OpsResult<VerifyReport> {
        self.require(Action::ViewAudit, &path.display().to_string())?;
        let mut report = snapshot::verify(path, None)?;
        if let Some(m) = &report.manifest {
            match snapshots::find_auditor_key(self.conn(), &m.public_key)? {
                None => report.problems.push(format!(
                    "the signing key {} is not registered in this Kaoqin database",
                    m.public_key
                )),
                Some(k) if k.user_name != m.taken_by => report.problems.push(format!(
                    "the manifest says it was taken by {}, but the key belongs to {}",
                    m.taken_by, k.user_name
                )),
                Some(_) => {}
            }
        }
        Ok(report)
    }

    /// The one door through which every command reads a snapshot's contents (diff of two files,
    /// diff against the ledger, the GUI's Audit page through the same services): the file is
    /// checked exactly as [`Session::verify_snapshot`] checks it (hashes, signature, and the
    /// signer's key registered in this database for the user the manifest names), and refused
    /// with [`not_verified`]'s message, the one `kaoqin snapshot verify` ends with, if anything
    /// is wrong. The data is then read and must carry the manifest that was verified (a file
    /// swapped in between is refused too).
    pub fn read_verified_snapshot(&self, path: &Path) -> OpsResult<(Manifest, SnapshotData)> {
        let report = self.verify_snapshot(path)?;
        let manifest = match report.manifest {
            Some(m) if report.problems.is_empty() => m,
            _ => return Err(not_verified(path, &report.problems).into()),
        };
        let (read_manifest, data) = snapshot::file::read(path)?;
        if read_manifest != manifest {
            return Err(not_verified(
                path,
                &["the file changed while it was being read".to_string()],
            )
            .into());
        }
        Ok((manifest, data))
    }

    /// Differences between two verified snapshots (each through
    /// [`Session::read_verified_snapshot`]).
    pub fn diff_snapshots(&self, a: &Path, b: &Path) -> OpsResult<SnapshotDiff> {
        self.require(Action::ViewAudit, &a.display().to_string())?;
        let (_, da) = self.read_verified_snapshot(a)?;
        let (_, db) = self.read_verified_snapshot(b)?;
        Ok(snapshot::diff(&da, &db))
    }

    /// A verified snapshot (through [`Session::read_verified_snapshot`]) against the ledger of
    /// the same terminal serial.
    pub fn diff_snapshot_against_db(&self, path: &Path) -> OpsResult<LedgerDiff> {
        self.require(Action::ViewAudit, &path.display().to_string())?;
        let (_, data) = self.read_verified_snapshot(path)?;
        let serial = data.device.serial_number.clone().ok_or_else(|| {
            SyncError::Invalid(
                "the snapshot has no terminal serial number, so it cannot be matched to the ledger"
                    .into(),
            )
        })?;
        let mut on_terminal: BTreeMap<(String, NaiveDateTime), usize> = BTreeMap::new();
        for p in &data.log {
            *on_terminal
                .entry((p.enrollment_no.clone(), p.timestamp))
                .or_default() += 1;
        }
        let mut ledger: BTreeMap<(String, NaiveDateTime), usize> = BTreeMap::new();
        let filter = PunchFilter {
            terminal_serial: Some(serial.clone()),
            ..PunchFilter::default()
        };
        punches::for_each(self.conn(), &filter, |p| {
            *ledger.entry((p.enrollment_no, p.ts)).or_default() += 1;
        })?;
        let missing_on_terminal = ledger
            .keys()
            .filter(|k| !on_terminal.contains_key(*k))
            .cloned()
            .collect();
        let never_downloaded = data
            .log
            .iter()
            .filter(|p| !ledger.contains_key(&(p.enrollment_no.clone(), p.timestamp)))
            .cloned()
            .collect();
        Ok(LedgerDiff {
            serial,
            missing_on_terminal,
            never_downloaded,
        })
    }
}

/// The refusal of a snapshot that does not verify, worded once for `snapshot verify`, `snapshot
/// diff` and the GUI: the file, how many problems, each problem.
pub fn not_verified(path: &Path, problems: &[String]) -> SyncError {
    SyncError::Invalid(format!(
        "{} does not verify ({} problem(s): {}); keep it as evidence",
        path.display(),
        problems.len(),
        problems.join("; ")
    ))
}

/// The xlsx report of a diff of two snapshots (the rows `kaoqin snapshot diff A B` prints).
pub fn snapshot_diff_report(d: &SnapshotDiff) -> kaoqin_excel::SnapshotDiffReport {
    use kaoqin_excel::{
        DiffClock, DiffPunch, DiffTimeChange, DiffUser, DiffUserKind, DiffUserState,
    };
    use kaoqin_sync::snapshot::diff::UserChange;
    let punch = |p: &PunchRow| DiffPunch {
        position: Some(p.position),
        enrollment_no: p.enrollment_no.clone(),
        timestamp: p.timestamp,
        verify: Some(p.verify),
        state: Some(p.state),
    };
    let user = |u: &kaoqin_sync::snapshot::file::UserRow| DiffUserState {
        name: u.name.clone(),
        privilege: u.privilege,
        has_password: u.has_password,
        card: u.card,
    };
    kaoqin_excel::SnapshotDiffReport::Snapshots {
        removed: d.removed.iter().map(punch).collect(),
        backdated: d.backdated.iter().map(punch).collect(),
        time_changed: d
            .time_changed
            .iter()
            .map(|c| DiffTimeChange {
                position: Some(c.after.position),
                enrollment_no: c.before.enrollment_no.clone(),
                before: c.before.timestamp,
                after: c.after.timestamp,
                verify: c.before.verify,
                state: c.before.state,
            })
            .collect(),
        users: d
            .users
            .iter()
            .map(|c| match c {
                UserChange::Added(u) => DiffUser {
                    kind: DiffUserKind::Added,
                    enrollment_no: u.enrollment_no.clone(),
                    before: None,
                    after: Some(user(u)),
                },
                UserChange::Removed(u) => DiffUser {
                    kind: DiffUserKind::Removed,
                    enrollment_no: u.enrollment_no.clone(),
                    before: Some(user(u)),
                    after: None,
                },
                UserChange::Changed { before, after } => DiffUser {
                    kind: DiffUserKind::Changed,
                    enrollment_no: before.enrollment_no.clone(),
                    before: Some(user(before)),
                    after: Some(user(after)),
                },
            })
            .collect(),
        clock: d.clock.as_ref().map(|c| DiffClock {
            skew_before_secs: c.skew_before_secs,
            skew_after_secs: c.skew_after_secs,
        }),
    }
}

/// The xlsx report of a snapshot against the ledger (`snapshot diff FILE --against-db`).
pub fn ledger_diff_report(d: &LedgerDiff) -> kaoqin_excel::SnapshotDiffReport {
    use kaoqin_excel::DiffPunch;
    kaoqin_excel::SnapshotDiffReport::Ledger {
        ledger_only: d
            .missing_on_terminal
            .iter()
            .map(|(no, t)| DiffPunch {
                position: None,
                enrollment_no: no.clone(),
                timestamp: *t,
                verify: None,
                state: None,
            })
            .collect(),
        terminal_only: d
            .never_downloaded
            .iter()
            .map(|p| DiffPunch {
                position: Some(p.position),
                enrollment_no: p.enrollment_no.clone(),
                timestamp: p.timestamp,
                verify: Some(p.verify),
                state: Some(p.state),
            })
            .collect(),
    }
}
