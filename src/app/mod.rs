//! Application services: sessions (log-in), the permission table, and one module per kind of
//! work. Services never print or prompt; they take time from a [`clock::Clock`] and return typed
//! errors ([`error::AppError`]) for the CLI and the GUI to present.
//!
//! Entry points: [`session::init`], [`Session::login`], then methods on [`Session`]
//! (users, departments, employees, terminals, audit, backup/restore). Other layers (sync, reports)
//! write through [`Session::act`] so the permission check and the audit entry are never forgotten.

pub mod audit_log;
pub mod backup;
pub mod calendar;
pub mod clock;
pub mod dashboard;
pub mod demo;
pub mod device;
pub mod employees;
pub mod error;
pub mod evidence;
pub mod grants;
pub mod gui_launch;
pub mod imports;
pub mod logging;
pub mod month;
pub mod org;
pub mod paths;
pub mod permissions;
pub mod report_symbols;
pub mod reports;
pub mod requests;
pub mod schedules;
pub mod session;
pub mod snapshots;
pub mod terminal_sync;
pub mod terminals;
pub mod users;
pub mod validate;

pub use clock::{
    AdvancingSleeper, Clock, FixedClock, RecordingSleeper, Sleeper, SystemClock, ThreadSleeper,
};
pub use error::{AppError, AppResult, AuthError};
pub use paths::Paths;
pub use permissions::{Action, Role, allowed};
pub use session::{Session, SessionUser};

#[cfg(test)]
mod test_install;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_device;
#[cfg(test)]
mod tests_requests;
#[cfg(test)]
mod tests_security;
