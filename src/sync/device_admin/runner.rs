//! Running one device-admin act: recover a session a killed process left `running` (and enable its
//! terminal), open a `device-admin` session under the connection rules, run the act's work, then
//! store the session row and its audit entries in one transaction.
//!
//! Must not put a password in any audit details: the acts' `details` never carry one.

use std::sync::Arc;

use kaoqin_store::Store;
use kaoqin_store::sessions::SessionKind;
use kaoqin_store::terminals::Terminal;
use serde_json::{Value, json};

use crate::error::SyncError;
use crate::grant::{AdministerDevice, Grant, RulesOverride};
use crate::policy::ConnectionRules;
use crate::session::{
    Clock, GuardedLink, RecordCounts, SessionIo, SessionSpec, SupervisedSession, Work,
};
use crate::zk::{ZkAdminConnector, ZkAdminLink};

/// Everything a device-admin session needs besides its work.
pub struct AdminCtx<'a> {
    pub store: &'a mut Store,
    /// The application's permission for this act; its actor runs the session.
    pub grant: &'a dyn Grant<AdministerDevice>,
    pub terminal: &'a Terminal,
    pub connector: &'a ZkAdminConnector,
    pub rules: &'a ConnectionRules,
    pub rules_override: Option<RulesOverride>,
    pub clock: Arc<dyn Clock>,
}

/// Runs `work` in one device-admin session and stores the session row and its audit entry with
/// `details(&value)` (which must never contain a password).
pub(super) async fn run_admin<T, F>(
    ctx: AdminCtx<'_>,
    what: &str,
    work: F,
    details: impl FnOnce(&T) -> Value,
) -> Result<T, SyncError>
where
    T: Send,
    F: for<'a> FnOnce(&'a mut GuardedLink<ZkAdminLink>) -> Work<'a, T> + Send,
{
    run_admin_audited(ctx, what, work, details, |_| Vec::new()).await
}

/// [`run_admin`] plus one audit entry per `(action, details)` of `entries(&value)`, in the same
/// transaction as the session's own entry (for example each change `policy apply` made).
pub(super) async fn run_admin_audited<T, F>(
    ctx: AdminCtx<'_>,
    what: &str,
    work: F,
    details: impl FnOnce(&T) -> Value,
    entries: impl FnOnce(&T) -> Vec<(&'static str, Value)>,
) -> Result<T, SyncError>
where
    T: Send,
    F: for<'a> FnOnce(&'a mut GuardedLink<ZkAdminLink>) -> Work<'a, T> + Send,
{
    let actor = ctx.grant.actor();
    let spec = SessionSpec {
        kind: SessionKind::DeviceAdmin,
        actor: actor.clone(),
        terminal: ctx.terminal.clone(),
        rules: ctx.rules.clone(),
        rules_override: ctx.rules_override,
    };
    // A session left `running` by a killed process is closed and the terminal enabled first.
    crate::session::recover_interrupted(
        ctx.store,
        ctx.connector,
        actor,
        ctx.terminal,
        ctx.rules,
        ctx.clock.as_ref(),
    )
    .await?;
    let session = SupervisedSession::open(
        ctx.store,
        spec,
        ctx.clock,
        SessionIo::default(),
        crate::link::Connector::peer(ctx.connector),
    )?;
    let done = session.run(ctx.store, ctx.connector, work).await?;
    let mut extra = details(&done.value);
    if let Value::Object(m) = &mut extra {
        m.insert("act".into(), json!(what));
    }
    let each = entries(&done.value);
    let stored = (|| {
        let tx = ctx.store.transaction()?;
        for (action, details) in each {
            kaoqin_store::audit::append(
                &tx,
                kaoqin_store::audit::NewEntry {
                    at: done.ended_at,
                    actor: actor.name.clone(),
                    role: Some(actor.role),
                    action: action.to_string(),
                    target: ctx.terminal.name.clone(),
                    details,
                },
            )?;
        }
        session.finish_ok(&tx, &done, RecordCounts::default(), extra)?;
        tx.commit().map_err(SyncError::from)
    })();
    if let Err(e) = stored {
        // The session still gets its end and audit entry, so the spacing rule is not stuck.
        session.finish_failed_after_run(ctx.store, &done, &e.to_string())?;
        return Err(e);
    }
    Ok(done.value)
}
