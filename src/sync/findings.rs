//! Findings after they are stored: a supervisor (the application's grant) marks one as explained, with a note, audited in the
//! same transaction (`kaoqin findings explain`). Listing is the store's `findings::list`.
//! Must not create findings (the checks do, inside a download or import).

use chrono::NaiveDateTime;
use kaoqin_store::{Store, audit, findings};
use serde_json::json;

use crate::error::SyncError;
use crate::grant::{ExplainFinding, Grant};

/// Marks finding `id` as explained (as granted by the application); the note is audited with it.
pub fn explain_finding(
    store: &mut Store,
    grant: &dyn Grant<ExplainFinding>,
    id: i64,
    note: &str,
    at: NaiveDateTime,
) -> Result<findings::Finding, SyncError> {
    let actor = grant.actor();
    let tx = store.transaction()?;
    let before = findings::get(&tx, id)?;
    if before.explained_at.is_some() {
        return Err(SyncError::Invalid(format!(
            "finding #{id} was already explained by {} ({}); it cannot be explained twice",
            before.explained_by.unwrap_or_default(),
            before.explained_note.unwrap_or_default()
        )));
    }
    findings::explain(&tx, id, note, &actor.name, at)?;
    audit::append(
        &tx,
        audit::NewEntry {
            at,
            actor: actor.name.clone(),
            role: Some(actor.role),
            action: "finding.explain".into(),
            target: format!("finding #{id}"),
            details: json!({
                "finding": id,
                "kind": before.kind,
                "session": before.session_id,
                "note": note.trim(),
            }),
        },
    )?;
    let after = findings::get(&tx, id)?;
    tx.commit()?;
    Ok(after)
}
