//! Supervisor device administration (issue 8), each act one supervised session of kind
//! `device-admin` (same rules, time limit, override and session audit as a download) over the
//! [`ZkAdminConnector`]: the clock (show, set from the PC), the super admin's password (written,
//! read back to confirm; never in the audit details), the one-super-admin policy (check, apply,
//! re-read to confirm; fingerprint templates are violations when the terminal is face-only) and
//! enrollment against employees.
//!
//! Pure parts ([`policy_violations`], [`plan_policy`], [`enrollment_report`]) take values only.
//! Must not keep or log a password; sealing it for storage is the caller's (app) job.

use std::collections::BTreeMap;
use std::sync::Arc;

use kaoqin_store::Store;
use kaoqin_store::employees::Employee;
use kaoqin_store::sessions::SessionKind;
use kaoqin_store::terminals::Terminal;
use kaoqin_zk::codec::{Privilege, UserRecord};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::SyncError;
use crate::grant::{AdministerDevice, Grant, RulesOverride};
use crate::link::LinkError;
use crate::policy::ConnectionRules;
use crate::session::{
    Clock, GuardedLink, RecordCounts, SessionIo, SessionSpec, SupervisedSession, Work,
};
use crate::zk::{ZkAdminConnector, ZkAdminLink};

/// A user as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceUser {
    pub uid: u16,
    pub enrollment_no: String,
    pub name: String,
    pub privilege: u8,
    pub has_password: bool,
    pub card: u32,
    /// Fingers (0–9) with a fingerprint template on the terminal (the templates themselves are
    /// never kept).
    #[serde(default)]
    pub fingers: Vec<u8>,
}

impl From<&UserRecord> for DeviceUser {
    fn from(u: &UserRecord) -> Self {
        DeviceUser {
            uid: u.uid,
            enrollment_no: u.user_id.clone(),
            name: u.name.clone(),
            privilege: u.privilege.0,
            has_password: u.has_password(),
            card: u.card,
            fingers: Vec::new(),
        }
    }
}

fn is_super(p: u8) -> bool {
    Privilege(p).level() == Privilege::SUPER_ADMIN.0
}

/// One change `policy apply` makes. Tagged as `{"change": "remove_password", …}` in audit details
/// (the audit refuses keys that look like secrets, and this one names a change, not a value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PolicyChange {
    Demote {
        uid: u16,
        enrollment_no: String,
    },
    RemovePassword {
        uid: u16,
        enrollment_no: String,
    },
    /// Delete one fingerprint template (face-only terminals).
    DeleteFingerprint {
        uid: u16,
        enrollment_no: String,
        finger: u8,
    },
}

impl std::fmt::Display for PolicyChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyChange::Demote { uid, enrollment_no } => {
                write!(f, "demote {enrollment_no} (uid {uid}) to a plain user")
            }
            PolicyChange::RemovePassword { uid, enrollment_no } => {
                write!(f, "remove the password of {enrollment_no} (uid {uid})")
            }
            PolicyChange::DeleteFingerprint {
                uid,
                enrollment_no,
                finger,
            } => write!(
                f,
                "delete the fingerprint template of finger {finger} of {enrollment_no} (uid {uid})"
            ),
        }
    }
}

/// One way a terminal's users break the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "violation", rename_all = "snake_case")]
pub enum Violation {
    NoSuperAdmin,
    /// More than one super admin (their enrollment numbers).
    SuperAdmins {
        enrollment_nos: Vec<String>,
    },
    /// An admin besides the super admin.
    ExtraAdmin {
        enrollment_no: String,
    },
    /// Someone who can sign in by password.
    PasswordUser {
        enrollment_no: String,
    },
    /// Fingerprint templates on a face-only terminal.
    Fingerprints {
        enrollment_no: String,
        fingers: Vec<u8>,
    },
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Violation::NoSuperAdmin => write!(f, "there is no super admin"),
            Violation::SuperAdmins { enrollment_nos } => write!(
                f,
                "{} super admins ({}); exactly one is allowed",
                enrollment_nos.len(),
                enrollment_nos.join(", ")
            ),
            Violation::ExtraAdmin { enrollment_no } => {
                write!(f, "{enrollment_no} is an admin besides the super admin")
            }
            Violation::PasswordUser { enrollment_no } => {
                write!(f, "{enrollment_no} can sign in by password")
            }
            Violation::Fingerprints {
                enrollment_no,
                fingers,
            } => write!(
                f,
                "{enrollment_no} has {} fingerprint template(s) (finger {}); the terminal is face-only",
                fingers.len(),
                fingers
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The policy (DOMAIN.md §2): exactly one super admin (the lowest uid is kept), no other admins,
/// no password users besides the super admin, and — when the terminal is `face_only` — no
/// fingerprint templates at all.
pub fn policy_violation_list(users: &[DeviceUser], face_only: bool) -> Vec<Violation> {
    let mut v = Vec::new();
    let supers: Vec<_> = users.iter().filter(|u| is_super(u.privilege)).collect();
    match supers.len() {
        0 => v.push(Violation::NoSuperAdmin),
        1 => {}
        _ => v.push(Violation::SuperAdmins {
            enrollment_nos: supers.iter().map(|u| u.enrollment_no.clone()).collect(),
        }),
    }
    for c in plan_policy(users, false) {
        match c {
            PolicyChange::Demote { enrollment_no, .. } => {
                v.push(Violation::ExtraAdmin { enrollment_no })
            }
            PolicyChange::RemovePassword { enrollment_no, .. } => {
                v.push(Violation::PasswordUser { enrollment_no })
            }
            PolicyChange::DeleteFingerprint { .. } => {}
        }
    }
    if face_only {
        for u in users.iter().filter(|u| !u.fingers.is_empty()) {
            v.push(Violation::Fingerprints {
                enrollment_no: u.enrollment_no.clone(),
                fingers: u.fingers.clone(),
            });
        }
    }
    v
}

/// [`policy_violation_list`] in words (the CLI, the audit log).
pub fn policy_violations(users: &[DeviceUser], face_only: bool) -> Vec<String> {
    policy_violation_list(users, face_only)
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// The changes that bring `users` to the policy (fingerprint deletions only when `face_only`).
pub fn plan_policy(users: &[DeviceUser], face_only: bool) -> Vec<PolicyChange> {
    let keep = users
        .iter()
        .filter(|u| is_super(u.privilege))
        .map(|u| u.uid)
        .min();
    let mut out = Vec::new();
    for u in users {
        if face_only {
            for &finger in &u.fingers {
                out.push(PolicyChange::DeleteFingerprint {
                    uid: u.uid,
                    enrollment_no: u.enrollment_no.clone(),
                    finger,
                });
            }
        }
        if Some(u.uid) == keep {
            continue;
        }
        if Privilege(u.privilege).is_admin() {
            out.push(PolicyChange::Demote {
                uid: u.uid,
                enrollment_no: u.enrollment_no.clone(),
            });
        }
        if u.has_password {
            out.push(PolicyChange::RemovePassword {
                uid: u.uid,
                enrollment_no: u.enrollment_no.clone(),
            });
        }
    }
    out
}

/// Terminal users against employees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EnrollmentReport {
    pub not_enrolled: Vec<(String, String)>,
    pub not_employees: Vec<(String, String)>,
    /// (工号, name in Kaoqin, name on the terminal)
    pub name_mismatches: Vec<(String, String, String)>,
}

/// Compares (names decoded from GBK by the driver, compared after trimming).
pub fn enrollment_report(users: &[DeviceUser], employees: &[Employee]) -> EnrollmentReport {
    let on_terminal: BTreeMap<&str, &DeviceUser> = users
        .iter()
        .map(|u| (u.enrollment_no.as_str(), u))
        .collect();
    let active: BTreeMap<&str, &Employee> = employees
        .iter()
        .filter(|e| e.active)
        .map(|e| (e.enrollment_no.as_str(), e))
        .collect();
    let mut r = EnrollmentReport::default();
    for (no, e) in &active {
        match on_terminal.get(no) {
            None => r.not_enrolled.push((no.to_string(), e.name.clone())),
            Some(u) if u.name.trim() != e.name.trim() => {
                r.name_mismatches
                    .push((no.to_string(), e.name.clone(), u.name.clone()))
            }
            Some(_) => {}
        }
    }
    for (no, u) in &on_terminal {
        if !active.contains_key(no) && !is_super(u.privilege) {
            r.not_employees.push((no.to_string(), u.name.clone()));
        }
    }
    r
}

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
async fn run_admin<T, F>(
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
async fn run_admin_audited<T, F>(
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

/// `device clock [--sync]`: skew before, and after setting the terminal from the PC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ClockReport {
    pub skew_before_secs: i64,
    pub skew_after_secs: Option<i64>,
}

pub async fn clock(ctx: AdminCtx<'_>, sync: bool) -> Result<ClockReport, SyncError> {
    let what = if sync {
        "set the terminal clock"
    } else {
        "read the terminal clock"
    };
    run_admin(
        ctx,
        what,
        move |g| {
            Box::pin(async move {
                let before = g.read_clock().await?;
                if !sync {
                    return Ok(ClockReport {
                        skew_before_secs: before.skew_secs(),
                        skew_after_secs: None,
                    });
                }
                g.note_command("set_time");
                // The injected clock: the PC's in the program, a set time in tests.
                let now = g.now();
                g.link_mut()
                    .client_mut()
                    .set_time(now)
                    .await
                    .map_err(LinkError::from)?;
                let after = g.read_clock().await?;
                Ok(ClockReport {
                    skew_before_secs: before.skew_secs(),
                    skew_after_secs: Some(after.skew_secs()),
                })
            })
        },
        |r| json!({ "skew_before_secs": r.skew_before_secs, "skew_after_secs": r.skew_after_secs }),
    )
    .await
}

async fn users(g: &mut GuardedLink<ZkAdminLink>) -> Result<Vec<UserRecord>, LinkError> {
    g.note_command("read_users");
    Ok(g.link_mut()
        .client_mut()
        .read_users()
        .await
        .map_err(LinkError::from)?
        .users)
}

/// `device password`: sets the super admin's password, reads it back. Returns the super admin.
pub async fn set_admin_password(
    ctx: AdminCtx<'_>,
    password: String,
) -> Result<DeviceUser, SyncError> {
    if password.len() < 4 || password.len() > 8 || !password.chars().all(|c| c.is_ascii_digit()) {
        return Err(SyncError::Invalid(
            "a terminal password is 4 to 8 digits (the T9 keypad has digits only)".into(),
        ));
    }
    run_admin(
        ctx,
        "set the super admin's password",
        move |g| {
            Box::pin(async move {
                let all = users(g).await?;
                let mut su = all
                    .iter()
                    .filter(|u| is_super(u.privilege.0))
                    .min_by_key(|u| u.uid)
                    .cloned()
                    .ok_or_else(|| {
                        crate::session::work_error(
                            "the terminal has no super admin; run `kaoqin device policy check`",
                        )
                    })?;
                su.password = password.clone();
                g.note_command("set_user");
                g.link_mut()
                    .client_mut()
                    .set_user(&su)
                    .await
                    .map_err(LinkError::from)?;
                let again = users(g).await?;
                let confirmed = again
                    .iter()
                    .any(|u| u.uid == su.uid && u.password == password);
                if !confirmed {
                    return Err(crate::session::work_error(
                        "the terminal did not keep the new password (read back differs)",
                    ));
                }
                Ok(DeviceUser::from(&su))
            })
        },
        |u| json!({ "super_admin": u.enrollment_no, "uid": u.uid, "confirmed": true }),
    )
    .await
}

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

/// `device enrollment`: reads the terminal users (the comparison is [`enrollment_report`]).
pub async fn read_users(ctx: AdminCtx<'_>) -> Result<Vec<DeviceUser>, SyncError> {
    run_admin(
        ctx,
        "compare enrollment",
        |g| Box::pin(async move { Ok(users(g).await?.iter().map(DeviceUser::from).collect()) }),
        |u: &Vec<DeviceUser>| json!({ "users": u.len() }),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(uid: u16, privilege: u8, pw: bool) -> DeviceUser {
        DeviceUser {
            uid,
            enrollment_no: format!("{}", 1000 + uid),
            name: format!("u{uid}"),
            privilege,
            has_password: pw,
            card: 0,
            fingers: vec![],
        }
    }

    #[test]
    fn policy_plans_are_table_driven() {
        // (users, expected changes, expected violation count)
        let cases: Vec<(Vec<DeviceUser>, Vec<PolicyChange>, usize)> = vec![
            (vec![u(1, 14, true), u(2, 0, false)], vec![], 0),
            (
                vec![u(1, 14, true), u(2, 14, false)],
                vec![PolicyChange::Demote {
                    uid: 2,
                    enrollment_no: "1002".into(),
                }],
                2,
            ),
            (
                vec![u(1, 14, true), u(2, 6, true), u(3, 0, true)],
                vec![
                    PolicyChange::Demote {
                        uid: 2,
                        enrollment_no: "1002".into(),
                    },
                    PolicyChange::RemovePassword {
                        uid: 2,
                        enrollment_no: "1002".into(),
                    },
                    PolicyChange::RemovePassword {
                        uid: 3,
                        enrollment_no: "1003".into(),
                    },
                ],
                3,
            ),
            // A disabled super admin (15) is still the kept super admin.
            (vec![u(1, 15, true), u(2, 1, false)], vec![], 0),
            (vec![u(1, 0, false)], vec![], 1),
        ];
        for (users, changes, violations) in cases {
            assert_eq!(plan_policy(&users, false), changes, "{users:?}");
            assert_eq!(
                policy_violations(&users, false).len(),
                violations,
                "{users:?}"
            );
            // Without fingerprints, face-only changes nothing.
            assert_eq!(plan_policy(&users, true), changes, "{users:?}");
        }
    }

    #[test]
    fn fingerprints_violate_only_a_face_only_policy() {
        let mut a = u(1, 14, true);
        a.fingers = vec![0];
        let mut b = u(2, 0, false);
        b.fingers = vec![3, 6];
        let users = vec![a, b, u(3, 0, false)];
        assert_eq!(plan_policy(&users, false), vec![]);
        assert_eq!(policy_violations(&users, false), Vec::<String>::new());
        let del = |uid: u16, finger: u8| PolicyChange::DeleteFingerprint {
            uid,
            enrollment_no: format!("{}", 1000 + uid),
            finger,
        };
        // The super admin's fingerprint goes too: face only means face only.
        assert_eq!(
            plan_policy(&users, true),
            vec![del(1, 0), del(2, 3), del(2, 6)]
        );
        assert_eq!(
            policy_violations(&users, true),
            vec![
                "1001 has 1 fingerprint template(s) (finger 0); the terminal is face-only",
                "1002 has 2 fingerprint template(s) (finger 3, 6); the terminal is face-only",
            ]
        );
        // Audit details name the change and never carry template bytes.
        assert_eq!(
            serde_json::to_value(del(2, 6)).unwrap_or_default(),
            json!({ "change": "delete_fingerprint", "uid": 2, "enrollment_no": "1002", "finger": 6 })
        );
    }

    #[test]
    fn enrollment_compares_numbers_and_names() {
        let emp = |no: &str, name: &str, active: bool| Employee {
            id: 0,
            enrollment_no: no.into(),
            name: name.into(),
            department_id: None,
            department: None,
            position: None,
            hire_date: None,
            leave_date: None,
            card_no: None,
            active,
        };
        let mut a = u(2, 0, false);
        a.name = "欧阳娜娜".into();
        let mut b = u(3, 0, false);
        b.name = "王芳".into();
        let users = vec![u(1, 14, true), a, b, u(4, 0, false)];
        let staff = vec![
            emp("1002", "欧阳娜娜", true),
            emp("1003", "王 芳", true),
            emp("1004", "离职", false),
            emp("1009", "新人", true),
        ];
        let r = enrollment_report(&users, &staff);
        assert_eq!(r.not_enrolled, vec![("1009".into(), "新人".into())]);
        assert_eq!(r.not_employees, vec![("1004".into(), "u4".into())]);
        assert_eq!(
            r.name_mismatches,
            vec![("1003".into(), "王 芳".into(), "王芳".into())]
        );
    }
}
