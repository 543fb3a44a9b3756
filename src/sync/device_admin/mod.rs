//! Supervisor device administration, each act one supervised session of kind `device-admin`
//! (same rules, time limit, override and session audit as a download) over the
//! [`ZkAdminConnector`]: the clock (show, set from the PC), the super admin's password (written,
//! read back to confirm; never in the audit details), the one-super-admin policy (check, apply,
//! re-read to confirm; fingerprint templates are violations when the terminal is face-only) and
//! enrollment against employees.
//!
//! Pure parts ([`policy_violations`], [`plan_policy`], [`enrollment_report`]) take values only.
//! Must not keep or log a password; sealing it for storage is the caller's (app) job.
//!
//! # Layout
//! - `runner.rs`: one act = recover, open, run, store the session row and audit entries.
//! - `users.rs`: the terminal's users as the policy sees them, and enrollment against employees.
//! - `policy_plan.rs`: the one-super-admin policy, pure: violations and the changes that fix them.
//! - `policy_apply.rs`: `device policy check|apply` on the terminal.
//! - `clock.rs`, `password.rs`: `device clock`, `device password`.
//!
//! [`ZkAdminConnector`]: crate::zk::ZkAdminConnector

mod clock;
mod password;
mod policy_apply;
mod policy_plan;
mod runner;
mod users;

pub use clock::{ClockReport, clock};
pub use password::set_admin_password;
pub use policy_apply::{PolicyReport, policy};
pub use policy_plan::{
    PolicyChange, Violation, plan_policy, policy_violation_list, policy_violations,
};
pub use runner::AdminCtx;
pub use users::{DeviceUser, EnrollmentReport, enrollment_report, read_users};

#[cfg(test)]
mod tests;
