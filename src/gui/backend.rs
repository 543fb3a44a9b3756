//! The GUI's only door to the application: sign-in and first-run set-up through the application
//! services, and the lists the pages show, copied into [`model`](super::model) types.
//!
//! Every method blocks (SQLite, argon2) and is called from a worker thread, never from `ui()`.
//! Reads that have no service yet use the store's read functions here, in one place, so they can
//! be swapped for services without touching a page. Errors become locale keys here.

use std::path::Path;

use kaoqin_store::{Store, StoreError};

use crate::app::paths::Paths;
use crate::app::permissions::{Action, Role, allowed};

use super::model::{
    AuditRow, ChainCheck, DbStatus, DepartmentRow, EmployeeRow, Lists, SignedIn, TerminalRow,
    UiError, UserRow,
};

/// A signed-in user, as the services know it. Opaque to the pages.
pub struct UserSession {
    user: String,
    role: Role,
}

impl UserSession {
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn user(&self) -> &str {
        &self.user
    }
}

/// The adapter over the services for one database.
pub struct Backend {
    paths: Paths,
}

impl Backend {
    pub fn new(paths: Paths) -> Self {
        Backend { paths }
    }

    pub fn db_path(&self) -> &Path {
        &self.paths.db
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    /// Opens (creating and migrating if needed) the database and says whether set-up is due.
    pub fn status(&self) -> Result<DbStatus, UiError> {
        if let Some(dir) = self.paths.db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| UiError::new("error.db_dir", format!("{}: {e}", dir.display())))?;
        }
        let store = Store::open(&self.paths.db).map_err(store_error)?;
        let organisation = kaoqin_store::org::get_name(store.conn()).map_err(store_error)?;
        let users = kaoqin_store::users::count(store.conn()).map_err(store_error)?;
        Ok(DbStatus {
            needs_setup: users == 0,
            organisation,
        })
    }

    /// First run: the organisation and the first administrator.
    ///
    /// ADAPTER until `app` has the init service that `kaoqin init` uses: same effect (organisation,
    /// admin with an argon2 hash, an audit entry in the same transaction).
    pub fn init(&self, organisation: &str, admin: &str, password: &str) -> Result<(), UiError> {
        let now = chrono::Local::now().naive_local();
        let mut store = Store::open(&self.paths.db).map_err(store_error)?;
        if kaoqin_store::users::count(store.conn()).map_err(store_error)? > 0 {
            return Err(UiError::new("error.already_initialised", ""));
        }
        let hash = kaoqin_store::users::hash_password(password).map_err(store_error)?;
        let tx = store.transaction().map_err(store_error)?;
        kaoqin_store::org::set_name(&tx, organisation).map_err(store_error)?;
        kaoqin_store::users::add(&tx, admin, kaoqin_store::Role::Admin, &hash, now)
            .map_err(store_error)?;
        kaoqin_store::audit::append(
            &tx,
            kaoqin_store::audit::NewEntry {
                at: now,
                actor: admin.to_owned(),
                role: Some(kaoqin_store::Role::Admin),
                action: "init".to_owned(),
                target: organisation.to_owned(),
                details: serde_json::json!({ "via": "gui" }),
            },
        )
        .map_err(store_error)?;
        tx.commit().map_err(|e| store_error(e.into()))?;
        Ok(())
    }

    /// Checks the password.
    ///
    /// ADAPTER until `app` has the log-in service: verifies the argon2 hash, records failures and
    /// audits both outcomes in the same transaction.
    pub fn login(&self, user: &str, password: &str) -> Result<(UserSession, SignedIn), UiError> {
        let now = chrono::Local::now().naive_local();
        let mut store = Store::open(&self.paths.db).map_err(store_error)?;
        let found = kaoqin_store::users::find_by_name(store.conn(), user).map_err(store_error)?;
        let ok = found
            .as_ref()
            .is_some_and(|u| kaoqin_store::users::verify_password(&u.password_hash, password));
        let tx = store.transaction().map_err(store_error)?;
        let role = found.as_ref().map(|u| u.role);
        kaoqin_store::audit::append(
            &tx,
            kaoqin_store::audit::NewEntry {
                at: now,
                actor: user.to_owned(),
                role,
                action: if ok { "login.ok" } else { "login.failed" }.to_owned(),
                target: String::new(),
                details: serde_json::json!({ "via": "gui" }),
            },
        )
        .map_err(store_error)?;
        if ok {
            kaoqin_store::users::reset_failed_logins(&tx, user).map_err(store_error)?;
        } else if found.is_some() {
            kaoqin_store::users::record_failed_login(&tx, user, now).map_err(store_error)?;
        }
        tx.commit().map_err(|e| store_error(e.into()))?;
        let Some(u) = found.filter(|_| ok) else {
            return Err(UiError::new("error.bad_credentials", ""));
        };
        if u.disabled {
            return Err(UiError::new("error.user_disabled", ""));
        }
        let role: Role =
            u.role
                .as_str()
                .parse()
                .map_err(|e: crate::app::permissions::UnknownRole| {
                    UiError::new("error.generic", e.to_string())
                })?;
        let who = SignedIn {
            user: u.name.clone(),
            role,
        };
        Ok((UserSession { user: u.name, role }, who))
    }

    /// Everything the pages list, filtered by what the role may see.
    pub fn lists(&self, session: &UserSession) -> Result<Lists, UiError> {
        let store = if allowed(session.role, Action::TakeSnapshot)
            && !allowed(session.role, Action::ManageEmployees)
        {
            Store::open_read_only_for_auditor(&self.paths.db)
        } else {
            Store::open(&self.paths.db)
        }
        .map_err(store_error)?;
        let conn = store.conn();
        let organisation = kaoqin_store::org::get_name(conn)
            .map_err(store_error)?
            .unwrap_or_default();

        let depts = kaoqin_store::departments::list(conn).map_err(store_error)?;
        let name_of = |id: Option<i64>| {
            id.and_then(|id| depts.iter().find(|d| d.id == id))
                .map(|d| d.name.clone())
        };
        let departments = depts
            .iter()
            .map(|d| DepartmentRow {
                name: d.name.clone(),
                parent: name_of(d.parent_id),
            })
            .collect();

        let employees = kaoqin_store::employees::list(conn, &Default::default())
            .map_err(store_error)?
            .into_iter()
            .map(|e| EmployeeRow {
                no: e.enrollment_no,
                name: e.name,
                department: e.department.unwrap_or_default(),
                position: e.position.unwrap_or_default(),
                hired: e.hire_date.map(|d| d.to_string()).unwrap_or_default(),
                active: e.active,
            })
            .collect();

        let terminals = kaoqin_store::terminals::list(conn)
            .map_err(store_error)?
            .into_iter()
            .map(|t| TerminalRow {
                address: match (t.port, t.baud) {
                    (Some(port), _) => format!("{}:{port}", t.address),
                    (None, Some(baud)) => format!("{} @ {baud}", t.address),
                    _ => t.address.clone(),
                },
                kind: t.kind.as_str().to_owned(),
                name: t.name,
                location: t.location.unwrap_or_default(),
                serial: t.serial_no.unwrap_or_default(),
                last_contact: t.last_contact_at.map(fmt_time).unwrap_or_default(),
                last_error: t.last_error.unwrap_or_default(),
            })
            .collect();

        let users = if allowed(session.role, Action::ManageUsers) {
            kaoqin_store::users::list(conn)
                .map_err(store_error)?
                .into_iter()
                .filter_map(|u| {
                    let role = u.role.as_str().parse::<Role>().ok()?;
                    Some(UserRow {
                        name: u.name,
                        role,
                        disabled: u.disabled,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };

        let audit = if allowed(session.role, Action::ViewAudit) {
            kaoqin_store::audit::list(conn, &Default::default())
                .map_err(store_error)?
                .into_iter()
                .map(|a| AuditRow {
                    seq: a.seq,
                    time: fmt_time(a.at),
                    actor: a.actor,
                    role: a.role,
                    action: a.action,
                    target: a.target,
                    details: if a.details.is_null() {
                        String::new()
                    } else {
                        a.details.to_string()
                    },
                })
                .collect()
        } else {
            Vec::new()
        };

        let chain = if allowed(session.role, Action::VerifyAudit) {
            let report = kaoqin_store::audit::verify(conn).map_err(store_error)?;
            Some(match report.first_break {
                None => ChainCheck::Intact {
                    entries: report.entries_checked,
                },
                Some(b) => ChainCheck::Broken {
                    seq: b.seq,
                    reason: b.to_string(),
                },
            })
        } else {
            None
        };

        let last_download = kaoqin_store::sessions::list(conn, &Default::default())
            .map_err(store_error)?
            .into_iter()
            .filter(|s| {
                s.kind == kaoqin_store::sessions::SessionKind::Download
                    && s.result == kaoqin_store::sessions::SessionResult::Ok
            })
            .filter_map(|s| s.ended_at)
            .max()
            .map(fmt_time);

        Ok(Lists {
            organisation,
            departments,
            employees,
            terminals,
            users,
            audit,
            chain,
            last_download,
        })
    }
}

fn fmt_time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

/// Maps a store error to what the user should read; the store's message stays as detail.
fn store_error(e: StoreError) -> UiError {
    let key = match &e {
        StoreError::SchemaTooNew { .. } => "error.db_too_new",
        StoreError::NotKaoqinDatabase { .. } => "error.db_not_ours",
        StoreError::Corrupt { .. } => "error.db_corrupt",
        StoreError::Io { .. } => "error.db_io",
        StoreError::Invalid { .. } => "error.invalid",
        StoreError::Duplicate { .. } => "error.duplicate",
        _ => "error.generic",
    };
    UiError::new(key, e.to_string())
}
