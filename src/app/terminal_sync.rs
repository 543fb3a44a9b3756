//! Application services over `kaoqin-sync` (supervised sessions): download, punches and sessions listings,
//! USB import, findings, connection-rule settings. Each checks the permission table first (a denial
//! is audited by [`Session::require`]); the sync layer then writes its rows and audit entry in one
//! transaction. Must not print or prompt: progress goes over the [`SessionIo`] channel.

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDateTime;
use kaoqin_store::findings::{self, FindingFilter};
use kaoqin_store::punches::PunchFilter;
use kaoqin_store::sessions::{self, SessionFilter};
use kaoqin_store::terminals;
use kaoqin_sync::grant::{ChangeRules, ExplainFinding, OverrideRules, RulesOverride};
use kaoqin_sync::{
    Actor, ConnectionRules, DownloadReport, ImportOptions, ImportReport, SessionIo, SyncError,
    SyncSettings,
};

use super::clock::Clock;
use super::error::AppError;
use super::permissions::Action;
use super::session::Session;

/// An error of a sync service: either the app's (permission, store) or the sync layer's.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl From<kaoqin_store::StoreError> for OpsError {
    fn from(e: kaoqin_store::StoreError) -> Self {
        OpsError::App(AppError::Store(e))
    }
}

pub type OpsResult<T> = Result<T, OpsError>;

/// The app's injected clock, seen by the sync layer.
struct SyncClock(Arc<dyn Clock>);

impl kaoqin_sync::Clock for SyncClock {
    fn now(&self) -> NaiveDateTime {
        self.0.now()
    }
}

/// What to list with `punches list`.
#[derive(Debug, Clone, Default)]
pub struct PunchQuery {
    pub terminal: Option<String>,
    pub employee: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// The auditor's snapshots as session rows (kind `snapshot`): the auditor's connection may not
/// write session rows, so each is rebuilt from the snapshot row and its `snapshot.take` audit
/// entry (peer, records, duration). The id is the snapshot's number.
fn snapshot_sessions(
    conn: &kaoqin_store::rusqlite::Connection,
    f: &SessionFilter,
) -> OpsResult<Vec<sessions::Session>> {
    let taken = kaoqin_store::audit::list(
        conn,
        &kaoqin_store::audit::AuditFilter {
            since: f.from,
            actor: None,
            action: Some("snapshot.take".into()),
        },
    )?;
    let details = |id: i64| {
        taken
            .iter()
            .find(|e| e.details["snapshot"].as_i64() == Some(id))
            .map(|e| e.details.clone())
            .unwrap_or_default()
    };
    Ok(
        kaoqin_store::snapshots::list(conn, f.terminal_name.as_deref())?
            .into_iter()
            .filter(|s| {
                f.from.is_none_or(|t| s.taken_at >= t) && f.to.is_none_or(|t| s.taken_at < t)
            })
            .map(|s| {
                let d = details(s.id);
                let ms = d["duration_ms"].as_i64();
                sessions::Session {
                    id: s.id,
                    kind: sessions::SessionKind::Snapshot,
                    terminal_id: s.terminal_id,
                    terminal_name: s.terminal_name,
                    actor: s.taken_by,
                    role: "auditor".into(),
                    peer_addr: d["peer"].as_str().map(str::to_string),
                    started_at: s.taken_at,
                    ended_at: ms.map(|ms| s.taken_at + chrono::Duration::milliseconds(ms)),
                    commands: serde_json::json!({}),
                    records_read: d["records"].as_u64().unwrap_or(0),
                    records_new: 0,
                    records_dup: 0,
                    result: sessions::SessionResult::Ok,
                    error: None,
                    override_reason: None,
                    cut: false,
                    clock_skew_secs: d["clock_skew_secs"].as_i64(),
                }
            })
            .collect(),
    )
}

impl Session {
    /// The sync layer's view of who is acting.
    pub fn actor(&self) -> Actor {
        Actor {
            name: self.user().name.clone(),
            role: self.role(),
        }
    }

    /// The app clock as the sync layer's clock.
    pub fn sync_clock(&self) -> Arc<dyn kaoqin_sync::Clock> {
        Arc::new(SyncClock(self.clock()))
    }

    /// A tokio runtime for one terminal session (the services are called from a plain thread: the
    /// CLI's main thread or the GUI's worker).
    pub(crate) fn runtime() -> OpsResult<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| {
                OpsError::Sync(SyncError::Io {
                    path: "tokio runtime".into(),
                    source: e,
                })
            })
    }

    /// Names of all terminals (for `download --all`).
    pub fn terminal_names(&self) -> OpsResult<Vec<String>> {
        self.require(Action::ViewOrganisation, "terminals")?;
        Ok(terminals::list(self.conn())?
            .into_iter()
            .map(|t| t.name)
            .collect())
    }

    /// Downloads one terminal under the connection rules (`kaoqin download --terminal NAME`).
    /// An override needs the supervisor role (checked and audited here before connecting).
    pub fn download(
        &mut self,
        terminal: &str,
        override_reason: Option<String>,
        io: SessionIo,
    ) -> OpsResult<DownloadReport> {
        self.require(Action::Download, terminal)?;
        let rules_override = match override_reason {
            Some(reason) => Some(RulesOverride::new(
                &self.authorize::<OverrideRules>(terminal)?,
                reason,
            )),
            None => None,
        };
        let secret = self.terminal_secret(terminal)?;
        let actor = self.actor();
        let clock = self.sync_clock();
        let rt = Self::runtime()?;
        let store = self.store_mut();
        let done = rt.block_on(kaoqin_sync::download_terminal(
            store,
            &actor,
            terminal,
            secret.as_deref(),
            rules_override,
            clock,
            io,
        ));
        self.anchor("download");
        Ok(done?)
    }

    /// Writes the punches matching `q` as CSV (the format `import punches` reads back).
    pub fn punches_csv<W: std::io::Write>(&self, q: &PunchQuery, out: W) -> OpsResult<u64> {
        self.require(Action::ViewPunches, "punches")?;
        let filter = self.punch_filter(q)?;
        Ok(kaoqin_sync::listing::write_punches_csv(
            self.conn(),
            &filter,
            out,
        )?)
    }

    /// The punches matching `q`, for a table.
    pub fn punches(&self, q: &PunchQuery) -> OpsResult<Vec<kaoqin_store::punches::Punch>> {
        self.require(Action::ViewPunches, "punches")?;
        let filter = self.punch_filter(q)?;
        let mut rows = Vec::new();
        kaoqin_store::punches::for_each(self.conn(), &filter, |p| rows.push(p))?;
        Ok(rows)
    }

    fn punch_filter(&self, q: &PunchQuery) -> OpsResult<PunchFilter> {
        let terminal_serial = match &q.terminal {
            None => None,
            Some(name) => {
                let t = terminals::get_by_name(self.conn(), name)?;
                // A terminal never downloaded has no serial and therefore no punches.
                Some(
                    t.serial_no
                        .unwrap_or_else(|| format!("<no serial: {name}>")),
                )
            }
        };
        Ok(PunchFilter {
            terminal_serial,
            enrollment_no: q.employee.clone(),
            from: q.from,
            to: q.to,
        })
    }

    /// Imports a USB-stick file (`attlog.dat` or our CSV); same dedup, checks and audit.
    /// `opts.serial` registers the serial of a terminal that has none yet (audited with the import);
    /// `opts.allow_unregistered` needs the supervisor's `import_unregistered` permission (a refusal
    /// is audited and nothing is read).
    pub fn import_punches(
        &mut self,
        path: &Path,
        terminal: Option<&str>,
        opts: &ImportOptions,
    ) -> OpsResult<ImportReport> {
        let target = path.display().to_string();
        self.require(Action::Download, &target)?;
        if opts.allow_unregistered {
            self.require(Action::ImportUnregistered, &target)?;
        }
        let t = terminal
            .map(|n| terminals::get_by_name(self.conn(), n))
            .transpose()?;
        let settings = kaoqin_sync::settings::load(self.conn())?;
        let actor = self.actor();
        let now = self.now();
        let done = kaoqin_sync::import_punches_file_with(
            self.store_mut(),
            &actor,
            path,
            t.as_ref(),
            opts,
            &settings.checks,
            now,
        );
        self.anchor("import");
        Ok(done?)
    }

    /// Download sessions (`kaoqin audit sessions`).
    pub fn download_sessions(&self, f: &SessionFilter) -> OpsResult<Vec<sessions::Session>> {
        self.require(Action::ViewPunches, "sessions")?;
        let mut out = sessions::list(self.conn(), f)?;
        out.extend(snapshot_sessions(self.conn(), f)?);
        out.sort_by_key(|s| s.started_at);
        Ok(out)
    }

    /// Findings, optionally of one terminal and only the open ones.
    pub fn findings(
        &self,
        terminal: Option<&str>,
        open_only: bool,
    ) -> OpsResult<Vec<findings::Finding>> {
        self.require(Action::ViewPunches, "findings")?;
        let terminal_id = terminal
            .map(|n| terminals::get_by_name(self.conn(), n).map(|t| t.id))
            .transpose()?;
        Ok(findings::list(
            self.conn(),
            &FindingFilter {
                terminal_id,
                open_only,
            },
        )?)
    }

    /// A supervisor marks a finding as explained (audited with the note).
    pub fn explain_finding(&mut self, id: i64, note: &str) -> OpsResult<findings::Finding> {
        let grant = self.authorize::<ExplainFinding>(&format!("finding #{id}"))?;
        if note.trim().is_empty() {
            return Err(AppError::Invalid {
                field: "note",
                reason: "say why the finding is not a problem".into(),
            }
            .into());
        }
        let now = self.now();
        Ok(kaoqin_sync::findings::explain_finding(
            self.store_mut(),
            &grant,
            id,
            note.trim(),
            now,
        )?)
    }

    /// The stored connection rules and check thresholds.
    pub fn sync_settings(&self) -> OpsResult<SyncSettings> {
        self.require(Action::ViewPunches, "settings")?;
        Ok(kaoqin_sync::settings::load(self.conn())?)
    }

    /// Sets the connection rules (supervisor only, audited by the sync layer).
    pub fn set_connection_rules(&mut self, rules: &ConnectionRules) -> OpsResult<()> {
        let grant = self.authorize::<ChangeRules>("connection rules")?;
        super::validate::connection_rules(rules)?;
        let now = self.now();
        Ok(kaoqin_sync::settings::set_rules(
            self.store_mut(),
            &grant,
            rules,
            now,
        )?)
    }
}
