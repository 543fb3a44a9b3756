//! The one-super-admin policy (docs/domain.md §2), pure: which users break it ([`Violation`]) and the
//! changes that bring a terminal's users to it ([`PolicyChange`]), from values only.
//!
//! Must not talk to a terminal or the database; applying the plan is `policy_apply.rs`.

use kaoqin_zk::codec::Privilege;
use serde::Serialize;

use super::users::{DeviceUser, is_super};

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

/// The policy (docs/domain.md §2): exactly one super admin (the lowest uid is kept), no other admins,
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
