//! The terminal's users as the policy sees them ([`DeviceUser`]: privilege, password or not,
//! fingers with a template), reading them inside a device-admin session, and `device enrollment`:
//! terminal users against employees ([`enrollment_report`], pure).
//!
//! Must not keep a user's password or fingerprint template bytes: only whether there is one.

use std::collections::BTreeMap;

use kaoqin_store::employees::Employee;
use kaoqin_zk::codec::{Privilege, UserRecord};
use serde::Serialize;
use serde_json::json;

use super::runner::{AdminCtx, run_admin};
use crate::error::SyncError;
use crate::link::LinkError;
use crate::session::GuardedLink;
use crate::zk::ZkAdminLink;

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

pub(super) fn is_super(p: u8) -> bool {
    Privilege(p).level() == Privilege::SUPER_ADMIN.0
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

pub(super) async fn users(g: &mut GuardedLink<ZkAdminLink>) -> Result<Vec<UserRecord>, LinkError> {
    g.note_command("read_users");
    Ok(g.link_mut()
        .client_mut()
        .read_users()
        .await
        .map_err(LinkError::from)?
        .users)
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
