//! A log-in session: the opened store plus the authenticated user, and the two gates every service
//! goes through — [`Session::require`] (the permission table; denials are audited) and
//! [`Session::act`] (permission + effect + audit entry in ONE transaction). Also `init` (creating a
//! database) and `login` (argon2 check, audited, throttled). No printing, no prompting.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use kaoqin_store::audit::{self, NewEntry};
use kaoqin_store::login_throttle::LoginThrottle;
use kaoqin_store::rusqlite::{Connection, Transaction};
use kaoqin_store::{SecretBox, Store, org, users};
use serde_json::{Value, json};

use super::clock::{Clock, Sleeper};
use super::error::{AppError, AppResult, AuthError};
use super::paths::Paths;
use super::permissions::{Action, Role, allowed};

/// Who is logged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// An opened database and the authenticated user. Auditor sessions hold the store's read-only
/// auditor connection.
pub struct Session {
    store: Store,
    user: SessionUser,
    clock: Arc<dyn Clock>,
    paths: Paths,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user)
            .field("db", &self.paths.db)
            .finish()
    }
}

/// How much later than the previous attempt for the same name the next one is checked, given the
/// failures in a row so far: 0, 1, 2, 4, 8, 8, … s. Parallel attempts add up (see [`Session::login`]).
pub fn login_delay(previous_failures: u32) -> Duration {
    match previous_failures {
        0 => Duration::ZERO,
        n => Duration::from_secs(1u64 << (n - 1).min(3)),
    }
}

/// A PHC hash of no one's password, checked against for an unknown user so that the answer takes
/// as long as for a known one.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| users::hash_password("kaoqin: no such user").unwrap_or_default())
}

fn is_empty_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
}

/// The database file a command other than `init` works on must exist and must not be empty: an
/// empty file (a mistyped --db, a failed copy) is never silently made into a new database.
pub fn check_db_file(db: &Path) -> AppResult<()> {
    if !db.is_file() {
        return Err(AppError::NoDatabase {
            path: db.to_path_buf(),
        });
    }
    if is_empty_file(db) {
        return Err(AppError::EmptyDatabaseFile {
            path: db.to_path_buf(),
        });
    }
    Ok(())
}

/// Minimum length of an app user's password.
pub const MIN_PASSWORD_CHARS: usize = 6;

pub(crate) fn check_new_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::Invalid {
            field: "password",
            reason: format!("it must have at least {MIN_PASSWORD_CHARS} characters"),
        });
    }
    Ok(())
}

fn name_field(field: &'static str, value: &str) -> AppResult<String> {
    super::validate::name(field, value)
}

/// Creates a new database at `paths.db` with the organisation and its first administrator, and the
/// secrets key file if missing. Refuses if the file already holds users or is not ours.
pub fn init(
    paths: &Paths,
    organisation: &str,
    admin: &str,
    password: &str,
    clock: &dyn Clock,
) -> AppResult<()> {
    let organisation = name_field("organisation name", organisation)?;
    let admin = name_field("administrator name", admin)?;
    check_new_password(password)?;
    // An existing file is fine only if it is an empty Kaoqin database (e.g. the GUI opened it
    // before its first-run wizard); anything else is refused and left untouched.
    let existed = paths.db.exists();
    if is_initialised(paths)? {
        return Err(AppError::AlreadyInitialised {
            path: paths.db.clone(),
        });
    }
    if let Some(dir) = paths.db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| kaoqin_store::StoreError::Io {
            path: dir.to_path_buf(),
            source: e,
        })?;
    }
    SecretBox::load_or_create(paths.key_file())?;
    let hash = users::hash_password(password)?;
    let now = clock.now();
    let result = (|| -> AppResult<()> {
        let mut store = Store::open(&paths.db)?;
        if users::count(store.conn())? > 0 {
            return Err(AppError::AlreadyInitialised {
                path: paths.db.clone(),
            });
        }
        let tx = store.transaction()?;
        org::set_name(&tx, &organisation)?;
        users::add(&tx, &admin, Role::Admin, &hash, now)?;
        audit::append(
            &tx,
            NewEntry {
                at: now,
                actor: admin.clone(),
                role: Some(Role::Admin),
                action: "init".into(),
                target: organisation.clone(),
                details: json!({ "organisation": organisation, "admin": admin }),
            },
        )?;
        tx.commit()?;
        Ok(())
    })();
    if result.is_err() && !existed {
        // Leave no half-made database behind: the next `init` must start clean.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = paths.db.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
    }
    result
}

/// True if `paths.db` exists and has at least one app user (the GUI's first-run check). An empty
/// (0-byte) file is left as it is and answers false: only `init` makes a database of it.
pub fn is_initialised(paths: &Paths) -> AppResult<bool> {
    if !paths.db.is_file() || is_empty_file(&paths.db) {
        return Ok(false);
    }
    let store = Store::open(&paths.db)?;
    Ok(users::count(store.conn())? > 0)
}

impl Session {
    /// Authenticates `name` with `password`. Success and failure are audited.
    ///
    /// Throttling works per name, known or not, across processes: before the password is checked
    /// the attempt takes its turn in the throttle file beside the database
    /// ([`kaoqin_store::login_throttle`]), counting it and pushing the name's next turn on by
    /// [`login_delay`] of the failures so far; the attempt then waits (through `sleeper`, so tests
    /// do not wait) until its turn by `clock`. Parallel guesses thus queue one after the other. A
    /// success clears the name's count. Unknown user, wrong password and disabled account give the
    /// same error text ([`AuthError`]); only the audit entry says which. Auditors get the
    /// read-only connection.
    pub fn login(
        paths: &Paths,
        name: &str,
        password: &str,
        clock: Arc<dyn Clock>,
        sleeper: &dyn Sleeper,
    ) -> AppResult<Session> {
        let name = name.trim();
        if name.is_empty() {
            return Err(AuthError::NoUser.into());
        }
        check_db_file(&paths.db)?;
        let mut store = Store::open(&paths.db)?;
        let mut throttle = LoginThrottle::open(&paths.db)?;
        let arrived = clock.now();
        let turn = throttle.reserve(name, arrived, |n| {
            chrono::Duration::from_std(login_delay(n)).unwrap_or(chrono::Duration::MAX)
        })?;
        let failures = turn.failures_before.saturating_add(1);
        sleeper.sleep((turn.at - arrived).to_std().unwrap_or(Duration::ZERO));
        let failed = |store: &mut Store, role: Option<Role>, reason: &str, known: bool| {
            let now = clock.now();
            let tx = store.transaction()?;
            if known {
                users::record_failed_login(&tx, name, now)?;
            }
            audit::append(
                &tx,
                NewEntry {
                    at: now,
                    actor: name.to_string(),
                    role,
                    action: "login.failed".into(),
                    target: name.to_string(),
                    details: json!({ "reason": reason, "failures": failures }),
                },
            )?;
            tx.commit()?;
            tracing::warn!(user = name, failures, reason, "log-in failed");
            AppResult::Ok(())
        };
        let Some(user) = users::find_by_name(store.conn(), name)? else {
            // Spend the time a password check takes, so the answer's timing does not tell.
            let _ = users::verify_password(dummy_hash(), password);
            failed(&mut store, None, "unknown user", false)?;
            return Err(AuthError::UnknownUser {
                name: name.to_string(),
                failures,
            }
            .into());
        };
        if !users::verify_password(&user.password_hash, password) {
            failed(&mut store, Some(user.role), "wrong password", true)?;
            return Err(AuthError::WrongPassword {
                name: name.to_string(),
                failures,
            }
            .into());
        }
        if user.disabled {
            failed(&mut store, Some(user.role), "disabled", true)?;
            return Err(AuthError::Disabled {
                name: name.to_string(),
                failures,
            }
            .into());
        }
        let now = clock.now();
        let tx = store.transaction()?;
        users::reset_failed_logins(&tx, name)?;
        audit::append(
            &tx,
            NewEntry {
                at: now,
                actor: user.name.clone(),
                role: Some(user.role),
                action: "login.ok".into(),
                target: user.name.clone(),
                details: json!({}),
            },
        )?;
        tx.commit()?;
        throttle.clear(name)?;
        tracing::info!(user = name, role = %user.role, "logged in");
        if user.role == Role::Auditor {
            drop(store);
            store = Store::open_read_only_for_auditor(&paths.db)?;
        }
        Ok(Session {
            store,
            user: SessionUser {
                id: user.id,
                name: user.name,
                role: user.role,
            },
            clock,
            paths: paths.clone(),
        })
    }

    pub fn user(&self) -> &SessionUser {
        &self.user
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn db_path(&self) -> &Path {
        self.store.path()
    }

    /// The session's idea of "now" (the injected clock).
    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// Read access for services in other modules (sync, reports). Writes go through [`Session::act`].
    pub fn conn(&self) -> &Connection {
        self.store.conn()
    }

    /// The key that seals terminal secrets (created on first use).
    pub fn secret_box(&self) -> AppResult<SecretBox> {
        Ok(SecretBox::load_or_create(self.paths.key_file())?)
    }

    /// Whether this session's role may do `action` (no audit; for greying out buttons).
    pub fn may(&self, action: Action) -> bool {
        allowed(self.user.role, action)
    }

    /// The permission gate. A denial appends a `permission.denied` entry and returns
    /// [`AppError::PermissionDenied`].
    pub fn require(&self, action: Action, target: &str) -> AppResult<()> {
        if allowed(self.user.role, action) {
            return Ok(());
        }
        self.audit_refusal(target, json!({ "action": action.as_str() }));
        tracing::warn!(user = %self.user.name, role = %self.user.role, action = %action, "permission denied");
        Err(AppError::denied(self.user.role, action))
    }

    /// Appends a `permission.denied` entry (`details` say what was refused and why). The refusal
    /// stands even if it cannot be recorded; the log says why.
    pub(crate) fn audit_refusal(&self, target: &str, details: Value) {
        let entry = self.entry("permission.denied", target, details);
        if let Err(e) = audit::append(self.store.conn(), entry) {
            tracing::error!(error = %e, "could not audit a denied action");
        }
    }

    /// Builds an audit entry for this session's user at the clock's time.
    pub fn entry(&self, action: &str, target: &str, details: Value) -> NewEntry {
        NewEntry {
            at: self.clock.now(),
            actor: self.user.name.clone(),
            role: Some(self.user.role),
            action: action.to_string(),
            target: target.to_string(),
            details,
        }
    }

    /// A privileged act: checks `action`, runs `effect` in an IMMEDIATE transaction, appends the audit
    /// entry (`audit_action`, `target`, and the details `effect` returns) in the same transaction and
    /// commits. Any error rolls everything back.
    pub fn act<T>(
        &mut self,
        action: Action,
        audit_action: &str,
        target: &str,
        effect: impl FnOnce(&Transaction<'_>) -> AppResult<(T, Value)>,
    ) -> AppResult<T> {
        self.require(action, target)?;
        let now = self.clock.now();
        let (actor, role) = (self.user.name.clone(), self.user.role);
        let tx = self.store.transaction()?;
        let (out, details) = effect(&tx)?;
        audit::append(
            &tx,
            NewEntry {
                at: now,
                actor,
                role: Some(role),
                action: audit_action.to_string(),
                target: target.to_string(),
                details,
            },
        )?;
        tx.commit()?;
        // The new head goes into the anchor file beside the database (see evidence.rs).
        self.anchor(audit_action);
        tracing::info!(user = %self.user.name, action = audit_action, target, "done");
        Ok(out)
    }

    /// Mutable store for services in other crates (kaoqin-sync) that check permissions themselves
    /// after [`Session::require`] and audit in their own transactions.
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// Closes the database (restore needs it closed).
    pub(crate) fn into_parts(self) -> (Store, SessionUser, Arc<dyn Clock>, Paths) {
        (self.store, self.user, self.clock, self.paths)
    }

    /// Opens the database at this session's path again (after [`Session::take_out`]).
    pub(crate) fn reopen(&mut self) -> AppResult<()> {
        self.store = Store::open(&self.paths.db)?;
        Ok(())
    }

    /// Moves this session's database out, leaving an empty in-memory stand-in: for a restore that
    /// must close every handle on the file while the caller keeps a `Session` in place. The
    /// stand-in answers nothing useful; the user signs in again afterwards.
    pub(crate) fn take_out(&mut self) -> AppResult<Session> {
        let store = std::mem::replace(&mut self.store, Store::open_in_memory()?);
        Ok(Session {
            store,
            user: self.user.clone(),
            clock: Arc::clone(&self.clock),
            paths: self.paths.clone(),
        })
    }
}
