//! CLI for supervisor device administration (docs/domain.md §2.1): `device clock|password|handover|policy|
//! enrollment|status`; after each, a reminder when the terminal's enrollment window has expired.
//! Parsing, prompting and printing only; the services are in `app::device`. Every command
//! connects under the connection rules and takes `--override "reason"` like `download`.

use super::out::{errln, outln};
use anyhow::{Context, Result, anyhow};
use clap::{Args, Subcommand};
use kaoqin_domain::DevicePassword;
use kaoqin_domain::timefmt;

use super::cmd_sync::lift;
use super::input;
use crate::app::{Action, AppError, Session};

#[derive(Debug, Args)]
pub struct Target {
    #[arg(long, value_name = "NAME")]
    pub terminal: String,
    /// Connect despite the connection rules (supervisor; the reason is audited).
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// Show the terminal's clock skew; --sync sets it from this PC (audited).
    Clock {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        sync: bool,
    },
    /// Set the super admin's password (KAOQIN_NEW_PASSWORD or asked twice; 4–8 digits).
    Password {
        #[command(flatten)]
        target: Target,
    },
    /// The one-super-admin policy: list users and violations, or apply the fixes.
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// Open an enrollment window: the hand-over password (KAOQIN_NEW_PASSWORD or asked twice)
    /// on the super admin for N days; then set your own again with `device password`.
    Handover {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_name = "N")]
        days: u32,
    },
    /// Terminal users against employees.
    Enrollment {
        #[command(flatten)]
        target: Target,
    },
    /// Enrollment windows: open until when, or expired (then set your password again).
    Status,
}

impl DeviceCmd {
    /// The terminal the command connects to, if any.
    fn terminal(&self) -> Option<&str> {
        match self {
            DeviceCmd::Clock { target, .. }
            | DeviceCmd::Password { target }
            | DeviceCmd::Handover { target, .. }
            | DeviceCmd::Enrollment { target }
            | DeviceCmd::Policy(PolicyCmd::Check { target })
            | DeviceCmd::Policy(PolicyCmd::Apply { target, .. }) => Some(&target.terminal),
            DeviceCmd::Status => None,
        }
    }
}

/// After any `device` command on a terminal whose enrollment window has expired: tell the
/// supervisor (stderr, so tables on stdout stay clean). Silent for roles that may not see it.
fn remind_expired(s: &Session, terminal: &str) {
    if !s.may(Action::DeviceAdmin) {
        return;
    }
    if let Ok(Some(w)) = s.handover_window(terminal)
        && w.expired
    {
        errln!("reminder: {}", w.reminder());
    }
}

pub fn device(s: &mut Session, c: DeviceCmd) -> Result<()> {
    let terminal = c.terminal().map(str::to_string);
    let result = run(s, c);
    if let Some(t) = terminal {
        remind_expired(s, &t);
    }
    result
}

#[derive(Debug, Subcommand)]
pub enum PolicyCmd {
    Check {
        #[command(flatten)]
        target: Target,
    },
    /// Demote extra admins, remove passwords and (face-only) fingerprint templates, then re-read
    /// to confirm (needs --yes).
    Apply {
        #[command(flatten)]
        target: Target,
        /// Confirm the changes (without it, only the plan is shown).
        #[arg(long)]
        yes: bool,
    },
}

fn print_users(users: &[kaoqin_sync::device_admin::DeviceUser]) -> Result<()> {
    for u in users {
        outln!(
            "uid {:>4}  {:<10} {:<12} privilege {:>2}  password {}  card {}  fingerprints {}",
            u.uid,
            u.enrollment_no,
            u.name,
            u.privilege,
            if u.has_password { "yes" } else { "no" },
            u.card,
            u.fingers.len()
        );
    }
    Ok(())
}

fn run(s: &mut Session, c: DeviceCmd) -> Result<()> {
    match c {
        DeviceCmd::Status => {
            let windows = s.handover_windows().map_err(lift)?;
            if windows.is_empty() {
                outln!("no enrollment window is open or expired");
            }
            for w in &windows {
                outln!(
                    "{}  {}  {}",
                    w.terminal,
                    timefmt::fmt_datetime(w.until),
                    if w.expired { "EXPIRED" } else { "open" }
                );
                if w.expired {
                    errln!("reminder: {}", w.reminder());
                }
            }
            Ok(())
        }
        DeviceCmd::Clock { target, sync } => {
            let r = s
                .device_clock(&target.terminal, sync, target.override_reason)
                .map_err(lift)
                .with_context(|| format!("terminal '{}'", target.terminal))?;
            outln!(
                "{}: terminal clock {} s from this PC",
                target.terminal,
                r.skew_before_secs
            );
            if let Some(a) = r.skew_after_secs {
                outln!("set from this PC; now {a} s");
            }
            Ok(())
        }
        DeviceCmd::Password { target } => {
            let pw: DevicePassword =
                input::new_password(input::ENV_NEW_PASSWORD, "the terminal's super admin")?
                    .parse()
                    .map_err(AppError::from)?;
            let su = s
                .device_password(&target.terminal, &pw, target.override_reason)
                .map_err(lift)
                .with_context(|| format!("terminal '{}'", target.terminal))?;
            outln!(
                "{}: password of super admin {} ({}) set, read back and stored sealed.",
                target.terminal,
                su.enrollment_no,
                su.name
            );
            Ok(())
        }
        DeviceCmd::Handover { target, days } => {
            let pw: DevicePassword =
                input::new_password(input::ENV_NEW_PASSWORD, "the hand-over password")?
                    .parse()
                    .map_err(AppError::from)?;
            let (su, until) = s
                .device_handover(&target.terminal, &pw, days, target.override_reason)
                .map_err(lift)
                .with_context(|| format!("terminal '{}'", target.terminal))?;
            outln!(
                "{}: hand-over password set on super admin {}; the enrollment window is open until {}. \
                 Afterwards run `kaoqin device password --terminal {}`.",
                target.terminal,
                su.enrollment_no,
                timefmt::fmt_datetime(until),
                target.terminal
            );
            Ok(())
        }
        DeviceCmd::Policy(PolicyCmd::Check { target }) => {
            let r = s
                .device_policy(&target.terminal, false, target.override_reason)
                .map_err(lift)
                .with_context(|| format!("terminal '{}'", target.terminal))?;
            print_users(&r.users)?;
            if r.violations.is_empty() {
                outln!("policy: OK");
                Ok(())
            } else {
                for v in &r.violations {
                    outln!("violation: {v}");
                }
                Err(anyhow!(
                    "{} policy violation(s); fix them with `kaoqin device policy apply --terminal {} --yes`",
                    r.violations.len(),
                    target.terminal
                ))
            }
        }
        DeviceCmd::Policy(PolicyCmd::Apply { target, yes }) => {
            if !yes {
                let r = s
                    .device_policy(&target.terminal, false, target.override_reason)
                    .map_err(lift)?;
                for c in &r.planned {
                    outln!("would: {c}");
                }
                outln!(
                    "{} change(s); run again with --yes to apply them.",
                    r.planned.len()
                );
                return Ok(());
            }
            let r = s
                .device_policy(&target.terminal, true, target.override_reason)
                .map_err(lift)
                .with_context(|| format!("terminal '{}'", target.terminal))?;
            for c in &r.applied {
                outln!("applied: {c}");
            }
            if let Some(e) = &r.apply_error {
                outln!("refused by the terminal: {e}");
            }
            if let Some(after) = &r.users_after {
                print_users(after)?;
            }
            let left = r.violations_after.unwrap_or_default();
            if let Some(e) = r.apply_error {
                Err(anyhow!(
                    "the terminal refused a change ({e}); still violated after re-reading: {}",
                    left.join("; ")
                ))
            } else if left.is_empty() {
                outln!("re-read: policy OK");
                Ok(())
            } else {
                Err(anyhow!(
                    "still violated after re-reading: {}",
                    left.join("; ")
                ))
            }
        }
        DeviceCmd::Enrollment { target } => {
            let r = s
                .device_enrollment(&target.terminal, target.override_reason)
                .map_err(lift)
                .with_context(|| format!("terminal '{}'", target.terminal))?;
            for (no, name) in &r.not_enrolled {
                outln!("employee not enrolled: {no} {name}");
            }
            for (no, name) in &r.not_employees {
                outln!("enrolled, not an employee: {no} {name}");
            }
            for (no, k, t) in &r.name_mismatches {
                outln!("name differs: {no} Kaoqin {k} / terminal {t}");
            }
            outln!(
                "{} not enrolled, {} not employees, {} name mismatches",
                r.not_enrolled.len(),
                r.not_employees.len(),
                r.name_mismatches.len()
            );
            Ok(())
        }
    }
}
