//! Supervisor device administration (issue 8), each act one supervised session of kind
//! `device-admin` (same rules, time limit, override and session audit as a download) over the
//! [`ZkAdminConnector`]: the clock (show, set from the PC), the super admin's password (written,
//! read back to confirm; never in the audit details), the one-super-admin policy (check, apply,
//! re-read to confirm) and enrollment against employees.
//!
//! Pure parts ([`policy_violations`], [`plan_policy`], [`enrollment_report`]) take values only.
//! Must not keep or log a password; sealing it for storage is the caller's (app) job.

use std::collections::BTreeMap;
use std::sync::Arc;

use kaoqin_store::employees::Employee;
use kaoqin_store::sessions::SessionKind;
use kaoqin_store::terminals::Terminal;
use kaoqin_store::{Role, Store};
use kaoqin_zk::codec::{Privilege, UserRecord};
use serde::Serialize;
use serde_json::{Value, json};

use crate::error::SyncError;
use crate::link::LinkError;
use crate::policy::ConnectionRules;
use crate::session::{
    Actor, Clock, GuardedLink, RecordCounts, SessionIo, SessionSpec, SupervisedSession, Work,
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
    Demote { uid: u16, enrollment_no: String },
    RemovePassword { uid: u16, enrollment_no: String },
}

/// The policy (DOMAIN.md §2): exactly one super admin (the lowest uid is kept), no other admins,
/// no password users besides the super admin. Returns the violations in words.
pub fn policy_violations(users: &[DeviceUser]) -> Vec<String> {
    let mut v = Vec::new();
    let supers: Vec<_> = users.iter().filter(|u| is_super(u.privilege)).collect();
    match supers.len() {
        0 => v.push("there is no super admin".to_string()),
        1 => {}
        n => v.push(format!(
            "{n} super admins ({}); exactly one is allowed",
            supers
                .iter()
                .map(|u| u.enrollment_no.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    for c in plan_policy(users) {
        match c {
            PolicyChange::Demote { enrollment_no, .. } => v.push(format!(
                "{enrollment_no} is an admin besides the super admin"
            )),
            PolicyChange::RemovePassword { enrollment_no, .. } => {
                v.push(format!("{enrollment_no} can sign in by password"))
            }
        }
    }
    v
}

/// The changes that bring `users` to the policy.
pub fn plan_policy(users: &[DeviceUser]) -> Vec<PolicyChange> {
    let keep = users
        .iter()
        .filter(|u| is_super(u.privilege))
        .map(|u| u.uid)
        .min();
    let mut out = Vec::new();
    for u in users {
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
    pub actor: &'a Actor,
    pub terminal: &'a Terminal,
    pub connector: &'a ZkAdminConnector,
    pub rules: &'a ConnectionRules,
    pub override_reason: Option<String>,
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
    if ctx.actor.role != Role::Supervisor {
        return Err(SyncError::NotPermitted(format!(
            "only a supervisor may {what} (you are '{}', role {})",
            ctx.actor.name, ctx.actor.role
        )));
    }
    let spec = SessionSpec {
        kind: SessionKind::DeviceAdmin,
        actor: ctx.actor.clone(),
        terminal: ctx.terminal.clone(),
        rules: ctx.rules.clone(),
        override_reason: ctx.override_reason,
    };
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
    let stored = (|| {
        let tx = ctx.store.transaction()?;
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
                let now = chrono::Local::now().naive_local();
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

/// `device policy check|apply`: the users and violations before, the changes made and the
/// violations left after re-reading (apply only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyReport {
    pub users: Vec<DeviceUser>,
    pub violations: Vec<String>,
    pub applied: Vec<PolicyChange>,
    pub violations_after: Option<Vec<String>>,
}

pub async fn policy(ctx: AdminCtx<'_>, apply: bool) -> Result<PolicyReport, SyncError> {
    let what = if apply {
        "apply the device policy"
    } else {
        "check the device policy"
    };
    run_admin(
        ctx,
        what,
        move |g| {
            Box::pin(async move {
                let before: Vec<DeviceUser> = users(g).await?.iter().map(DeviceUser::from).collect();
                let violations = policy_violations(&before);
                if !apply {
                    return Ok(PolicyReport {
                        users: before,
                        violations,
                        applied: vec![],
                        violations_after: None,
                    });
                }
                let plan = plan_policy(&before);
                for c in &plan {
                    let client = g.link_mut().client_mut();
                    match c {
                        PolicyChange::Demote { uid, .. } => {
                            client.remove_admin(*uid).await.map_err(LinkError::from)?;
                        }
                        PolicyChange::RemovePassword { uid, .. } => {
                            client.remove_password(*uid).await.map_err(LinkError::from)?;
                        }
                    }
                    g.note_command("set_user");
                }
                let after: Vec<DeviceUser> = users(g).await?.iter().map(DeviceUser::from).collect();
                let left = policy_violations(&after);
                Ok(PolicyReport {
                    users: after,
                    violations,
                    applied: plan,
                    violations_after: Some(left),
                })
            })
        },
        |r| json!({ "violations": r.violations, "applied": r.applied, "violations_after": r.violations_after }),
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
            assert_eq!(plan_policy(&users), changes, "{users:?}");
            assert_eq!(policy_violations(&users).len(), violations, "{users:?}");
        }
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
