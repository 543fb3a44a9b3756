//! App users and roles: add, list, disable, change password, change role. Each change is audited
//! in its transaction; password hashes never leave the store layer.

use chrono::NaiveDateTime;
use kaoqin_store::login_throttle::LoginThrottle;
use kaoqin_store::users;
use serde_json::json;

use super::error::{AppError, AppResult};
use super::permissions::{Action, Role};
use super::session::{Session, check_new_password};
use super::validate;

/// An app user as the UI shows it (no hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub failed_logins: u32,
    pub created_at: NaiveDateTime,
}

impl From<users::AppUser> for UserInfo {
    fn from(u: users::AppUser) -> Self {
        UserInfo {
            name: u.name,
            role: u.role,
            disabled: u.disabled,
            failed_logins: u.failed_logins,
            created_at: u.created_at,
        }
    }
}

/// A name whose recent log-ins failed (known user or not): its attempts wait in turn until a
/// successful log-in or an administrator clears them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginLock {
    pub name: String,
    /// True if an app user has this name (other names are guesses).
    pub known_user: bool,
    pub failures: u32,
    pub last_attempt_at: NaiveDateTime,
    /// When the next attempt for this name will be checked (at the earliest).
    pub next_attempt_at: NaiveDateTime,
}

impl Session {
    /// Every name with failed log-ins in a row (administrators only).
    pub fn login_locks(&self) -> AppResult<Vec<LoginLock>> {
        self.require(Action::ManageUsers, "login locks")?;
        let known: std::collections::BTreeSet<String> = users::list(self.conn())?
            .into_iter()
            .map(|u| u.name)
            .collect();
        Ok(LoginThrottle::open(&self.paths().db)?
            .list()?
            .into_iter()
            .map(|r| LoginLock {
                known_user: known.contains(&r.name),
                name: r.name,
                failures: r.failures,
                last_attempt_at: r.last_attempt_at,
                next_attempt_at: r.next_at,
            })
            .collect())
    }

    /// Clears the failed log-ins of `name` (a user or any other name that was tried), so its next
    /// attempt is checked at once. Audited as `user.unlock` with the count that was cleared.
    pub fn unlock_login(&mut self, name: &str) -> AppResult<LoginLock> {
        self.require(Action::ManageUsers, name)?;
        let name = name.trim().to_string();
        let lock = self
            .login_locks()?
            .into_iter()
            .find(|l| l.name == name)
            .ok_or_else(|| AppError::Invalid {
                field: "name",
                reason: format!(
                    "no failed log-ins are recorded for '{name}'; `kaoqin user locks` lists them"
                ),
            })?;
        let throttle = LoginThrottle::open(&self.paths().db)?;
        let known = lock.known_user;
        self.act(Action::ManageUsers, "user.unlock", &name, |tx| {
            if known {
                users::reset_failed_logins(tx, &name)?;
            }
            throttle.clear(&name)?;
            Ok((
                lock.clone(),
                json!({ "failures": lock.failures, "known_user": known }),
            ))
        })
    }

    /// Adds an app user with `role` and an initial password.
    pub fn add_user(&mut self, name: &str, role: Role, password: &str) -> AppResult<UserInfo> {
        self.require(Action::ManageUsers, name)?;
        let name = validate::name("user name", name)?;
        check_new_password(password)?;
        let hash = users::hash_password(password)?;
        let now = self.now();
        self.act(Action::ManageUsers, "user.add", &name, |tx| {
            let u = users::add(tx, &name, role, &hash, now)?;
            Ok((UserInfo::from(u), json!({ "role": role.as_str() })))
        })
    }

    /// Every app user (administrators see all; others need ManageUsers too, as the list shows roles).
    pub fn list_users(&self) -> AppResult<Vec<UserInfo>> {
        self.require(Action::ManageUsers, "users")?;
        Ok(users::list(self.conn())?
            .into_iter()
            .map(UserInfo::from)
            .collect())
    }

    /// Disables a user: they can no longer log in. One cannot disable oneself or the last enabled
    /// administrator (that would lock everyone out of user management).
    pub fn disable_user(&mut self, name: &str) -> AppResult<()> {
        self.require(Action::ManageUsers, name)?;
        let target = users::get_by_name(self.conn(), name)?;
        if target.name == self.user().name {
            return Err(AppError::Invalid {
                field: "user",
                reason: "you cannot disable yourself; log in as another administrator".into(),
            });
        }
        self.act(Action::ManageUsers, "user.disable", &target.name, |tx| {
            users::set_disabled(tx, &target.name, true)?;
            Ok(((), json!({ "role": target.role.as_str() })))
        })
    }

    /// Re-enables a disabled user.
    pub fn enable_user(&mut self, name: &str) -> AppResult<()> {
        let name = users::get_by_name(self.conn(), name)?.name;
        self.act(Action::ManageUsers, "user.enable", &name, |tx| {
            users::set_disabled(tx, &name, false)?;
            Ok(((), json!({})))
        })
    }

    /// Changes a user's role. The last enabled administrator keeps the admin role.
    pub fn set_user_role(&mut self, name: &str, role: Role) -> AppResult<()> {
        self.require(Action::ManageUsers, name)?;
        let target = users::get_by_name(self.conn(), name)?;
        if target.role == Role::Admin && role != Role::Admin {
            let admins = users::list(self.conn())?
                .into_iter()
                .filter(|u| u.role == Role::Admin && !u.disabled)
                .count();
            if admins <= 1 {
                return Err(AppError::Invalid {
                    field: "role",
                    reason: format!(
                        "'{}' is the last administrator; add another one first",
                        target.name
                    ),
                });
            }
        }
        self.act(Action::ManageUsers, "user.role", &target.name, |tx| {
            users::set_role(tx, &target.name, role)?;
            Ok((
                (),
                json!({ "from": target.role.as_str(), "to": role.as_str() }),
            ))
        })
    }

    /// Sets `name`'s password. One's own password needs ChangeOwnPassword; anyone else's ManageUsers.
    pub fn set_password(&mut self, name: &str, new_password: &str) -> AppResult<()> {
        let own = name.trim() == self.user().name;
        let action = if own {
            Action::ChangeOwnPassword
        } else {
            Action::ManageUsers
        };
        self.require(action, name)?;
        let target = users::get_by_name(self.conn(), name)?.name;
        check_new_password(new_password)?;
        let hash = users::hash_password(new_password)?;
        self.act(action, "user.passwd", &target, |tx| {
            users::set_password_hash(tx, &target, &hash)?;
            Ok(((), json!({ "own": own })))
        })
    }
}
