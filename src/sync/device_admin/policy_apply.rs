//! `device policy check|apply` on the terminal: read the users with their fingerprint fingers,
//! report the violations and the plan, and (apply) make each change, stopping at the first the
//! terminal refuses, then re-read to confirm. Each change made gets its own audit entry.
//!
//! Must not decide the policy (that is `policy_plan.rs`) nor keep fingerprint template bytes.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::json;

use super::policy_plan::{PolicyChange, plan_policy, policy_violations};
use super::runner::{AdminCtx, run_admin_audited};
use super::users::{DeviceUser, users};
use crate::error::SyncError;
use crate::link::LinkError;
use crate::session::GuardedLink;
use crate::zk::ZkAdminLink;

/// Users with the fingers that have a template (templates read only when the terminal reports
/// fingerprints; their bytes are dropped here).
async fn users_with_fingers(
    g: &mut GuardedLink<ZkAdminLink>,
) -> Result<Vec<DeviceUser>, LinkError> {
    let mut out: Vec<DeviceUser> = users(g).await?.iter().map(DeviceUser::from).collect();
    g.note_command("read_templates");
    let templates = g
        .link_mut()
        .client_mut()
        .read_templates()
        .await
        .map_err(LinkError::from)?;
    let mut by_uid: BTreeMap<u16, Vec<u8>> = BTreeMap::new();
    for t in templates {
        by_uid.entry(t.uid).or_default().push(t.finger);
    }
    for u in &mut out {
        if let Some(mut f) = by_uid.remove(&u.uid) {
            f.sort_unstable();
            f.dedup();
            u.fingers = f;
        }
    }
    Ok(out)
}

/// `device policy check|apply`: the users and violations before, the planned changes, the changes
/// made and the violations left after re-reading (apply only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyReport {
    /// Whether fingerprint templates count as violations (the credential policy allows only face).
    pub face_only: bool,
    pub users: Vec<DeviceUser>,
    pub violations: Vec<String>,
    /// What `apply` does (or did) to fix them.
    pub planned: Vec<PolicyChange>,
    pub applied: Vec<PolicyChange>,
    /// The terminal refused a change: nothing after it was tried (the re-read still ran).
    pub apply_error: Option<String>,
    /// Users as re-read after applying.
    pub users_after: Option<Vec<DeviceUser>>,
    pub violations_after: Option<Vec<String>>,
}

pub async fn policy(
    ctx: AdminCtx<'_>,
    apply: bool,
    face_only: bool,
) -> Result<PolicyReport, SyncError> {
    let what = if apply {
        "apply the device policy"
    } else {
        "check the device policy"
    };
    run_admin_audited(
        ctx,
        what,
        move |g| {
            Box::pin(async move {
                let before = users_with_fingers(g).await?;
                let violations = policy_violations(&before, face_only);
                let planned = plan_policy(&before, face_only);
                let mut report = PolicyReport {
                    face_only,
                    users: before,
                    violations,
                    planned,
                    applied: vec![],
                    apply_error: None,
                    users_after: None,
                    violations_after: None,
                };
                if !apply {
                    return Ok(report);
                }
                apply_planned(g, &mut report).await;
                let after = users_with_fingers(g).await?;
                report.violations_after = Some(policy_violations(&after, face_only));
                report.users_after = Some(after);
                Ok(report)
            })
        },
        |r| {
            json!({
                "face_only": r.face_only,
                "violations": r.violations,
                "applied": r.applied,
                "apply_error": r.apply_error,
                "violations_after": r.violations_after,
            })
        },
        |r| {
            r.applied
                .iter()
                .map(|c| ("device.policy.change", json!(c)))
                .collect()
        },
    )
    .await
}

/// Makes each planned change in order, recording it in `report.applied`; the first the terminal
/// refuses goes to `report.apply_error` and nothing after it is tried.
async fn apply_planned(g: &mut GuardedLink<ZkAdminLink>, report: &mut PolicyReport) {
    for c in report.planned.clone() {
        let client = g.link_mut().client_mut();
        let (done, command) = match &c {
            PolicyChange::Demote { uid, .. } => {
                (client.remove_admin(*uid).await.map(drop), "set_user")
            }
            PolicyChange::RemovePassword { uid, .. } => {
                (client.remove_password(*uid).await.map(drop), "set_user")
            }
            PolicyChange::DeleteFingerprint { uid, finger, .. } => (
                client.delete_template(*uid, *finger).await,
                "delete_template",
            ),
        };
        g.note_command(command);
        match done {
            Ok(()) => report.applied.push(c),
            Err(e) => {
                report.apply_error = Some(format!("{c}: {e}"));
                break;
            }
        }
    }
}
