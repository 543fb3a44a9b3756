//! Dispatch: turns a parsed command line into service calls and prints the outcome. The only place
//! that prints, prompts and chooses exit codes. Errors get context naming what was being done.

use super::out::{errln, out_raw, outln};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use clap::Parser;

use super::args::*;
use super::input;
use super::table;
use crate::app::audit_log::AuditQuery;
use crate::app::employees::{EmployeeChanges, EmployeeInput, EmployeeQuery};
use crate::app::terminals::{TerminalChanges, TerminalInput};
use crate::app::{
    AppError, AuthError, Paths, Session, SystemClock, ThreadSleeper, logging, permissions, session,
};
use kaoqin_domain::timefmt;
use kaoqin_store::{StoreError, TerminalKind, TextEncoding};

/// Process exit codes (also in `--help`).
pub mod exit {
    pub const OK: u8 = 0;
    pub const ERROR: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const DENIED: u8 = 3;
    pub const AUTH: u8 = 4;
}

/// The whole program behind `main`.
pub fn main_entry() -> ExitCode {
    crate::gui::mark_process_start();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let paths = match Paths::resolve(cli.global.db.clone()) {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    let (_log_guard, log_problem) = logging::init(&paths.log_dir(), cli.global.verbose);
    if let Some(p) = log_problem {
        errln!("warning: {p}; continuing without a log file");
    }
    match run(cli, paths) {
        Ok(()) => ExitCode::from(exit::OK),
        // `kaoqin punches list | head` closes our stdout early: that is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(exit::OK),
        Err(e) => {
            tracing::error!("{e:#}");
            errln!("error: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// Exit code for an error: permission and authentication failures have their own.
pub fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if let Some(app) = cause.downcast_ref::<AppError>() {
            if app.is_permission_denied() {
                return exit::DENIED;
            }
            if app.is_auth_failure() {
                return exit::AUTH;
            }
        }
        if let Some(StoreError::AuditorReadOnly) = cause.downcast_ref::<StoreError>() {
            return exit::DENIED;
        }
        if cause.downcast_ref::<AuthError>().is_some() {
            return exit::AUTH;
        }
    }
    exit::ERROR
}

fn run(cli: Cli, paths: Paths) -> Result<()> {
    let Some(command) = cli.command else {
        return crate::app::gui_launch::run_gui(paths, cli.global.lang.as_deref());
    };
    match command {
        Command::Init(a) => init(&paths, &a),
        Command::Permissions => {
            out_raw!("{}", permissions::markdown_table());
            Ok(())
        }
        other => {
            let session = login(&paths, cli.global.user.as_deref())?;
            dispatch(session, other)
        }
    }
}

fn init(paths: &Paths, a: &InitArgs) -> Result<()> {
    // Refuse before asking for a password.
    if session::is_initialised(paths)
        .with_context(|| format!("cannot create the database {}", paths.db.display()))?
    {
        return Err(AppError::AlreadyInitialised {
            path: paths.db.clone(),
        }
        .into());
    }
    let password = input::new_password(input::ENV_PASSWORD, &a.admin)?;
    session::init(paths, &a.org, &a.admin, &password, &SystemClock)
        .with_context(|| format!("cannot create the database {}", paths.db.display()))?;
    outln!(
        "Created {} for {}; administrator: {}.",
        paths.db.display(),
        a.org.trim(),
        a.admin.trim()
    );
    Ok(())
}

fn login(paths: &Paths, user: Option<&str>) -> Result<Session> {
    let user = user
        .filter(|u| !u.trim().is_empty())
        .ok_or(AppError::Auth(AuthError::NoUser))?;
    // Before asking for a password: a missing or empty (0-byte) file is named, never made a database.
    session::check_db_file(&paths.db)?;
    let password = input::password(user)?;
    Ok(Session::login(
        paths,
        user,
        &password,
        Arc::new(SystemClock),
        &ThreadSleeper,
    )?)
}

fn print_rows(format: Format, headers: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
    out_raw!(
        "{}",
        table::render(format, headers, &rows).context("cannot format the listing")?
    );
    Ok(())
}

fn opt_str<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn kind(k: TerminalKindArg) -> TerminalKind {
    match k {
        TerminalKindArg::ZkTcp => TerminalKind::ZkTcp,
        TerminalKindArg::ZkUdp => TerminalKind::ZkUdp,
        TerminalKindArg::ZkSerial => TerminalKind::ZkSerial,
        TerminalKindArg::Isapi => TerminalKind::Isapi,
    }
}

fn encoding(e: EncodingArg) -> TextEncoding {
    match e {
        EncodingArg::Gbk => TextEncoding::Gbk,
        EncodingArg::Utf8 => TextEncoding::Utf8,
    }
}

fn dispatch(mut s: Session, command: Command) -> Result<()> {
    match command {
        Command::Init(_) | Command::Permissions => Err(anyhow!("internal: handled before log-in")),
        Command::User(c) => user(&mut s, c),
        Command::Department(c) => department(&mut s, c),
        Command::Employee(c) => employee(&mut s, c),
        Command::Terminal(c) => terminal(&mut s, c),
        Command::Audit(AuditCmd::Sessions(a)) => super::cmd_sync::sessions(&s, a),
        Command::Audit(c) => audit(&s, c),
        Command::Download(a) => super::cmd_sync::download(&mut s, a),
        Command::Punches(c) => super::cmd_sync::punches(&s, c),
        Command::Import(c) => super::cmd_sync::import(&mut s, c),
        Command::Findings(a) => super::cmd_sync::findings(&mut s, a),
        Command::Rules(c) => super::cmd_sync::rules(&mut s, c),
        Command::Snapshot(c) => super::cmd_snapshot::snapshot(&mut s, c),
        Command::Device(c) => super::cmd_device::device(&mut s, c),
        Command::Schedule(c) => super::cmd_attendance::schedule(&mut s, c),
        Command::Calendar(c) => super::cmd_attendance::calendar(&mut s, c),
        Command::Request(c) => super::cmd_attendance::request(&mut s, c),
        Command::Month(c) => super::cmd_attendance::month(&mut s, c),
        Command::Report(c) => super::cmd_reports::report(&mut s, c),
        Command::Template(a) => super::cmd_reports::template(&s, a),
        Command::Backup { file } => super::cmd_evidence::backup(&mut s, &file),
        Command::Restore(a) => super::cmd_evidence::restore(s, a),
    }
}

fn user(s: &mut Session, c: UserCmd) -> Result<()> {
    match c {
        UserCmd::Add { name, role } => {
            s.require(crate::app::Action::ManageUsers, &name)?;
            let pw = input::new_password(input::ENV_NEW_PASSWORD, &name)?;
            let u = s
                .add_user(&name, role, &pw)
                .with_context(|| format!("cannot add user '{name}'"))?;
            outln!("Added user {} ({}).", u.name, u.role);
        }
        UserCmd::List(f) => {
            let rows = s
                .list_users()?
                .into_iter()
                .map(|u| {
                    vec![
                        u.name,
                        u.role.to_string(),
                        if u.disabled { "disabled" } else { "active" }.to_string(),
                        u.failed_logins.to_string(),
                        timefmt::fmt_datetime(u.created_at),
                    ]
                })
                .collect();
            print_rows(
                f.format,
                &["name", "role", "status", "failed_logins", "created"],
                rows,
            )?;
        }
        UserCmd::Disable { name } => {
            s.disable_user(&name)
                .with_context(|| format!("cannot disable user '{name}'"))?;
            outln!("User {name} is disabled.");
        }
        UserCmd::Enable { name } => {
            s.enable_user(&name)
                .with_context(|| format!("cannot enable user '{name}'"))?;
            outln!("User {name} is enabled.");
        }
        UserCmd::Role { name, role } => {
            s.set_user_role(&name, role)
                .with_context(|| format!("cannot change the role of '{name}'"))?;
            outln!("User {name} now has the role {role}.");
        }
        UserCmd::Passwd { name } => {
            let own = name.trim() == s.user().name;
            let action = if own {
                crate::app::Action::ChangeOwnPassword
            } else {
                crate::app::Action::ManageUsers
            };
            s.require(action, &name)?;
            let pw = input::new_password(input::ENV_NEW_PASSWORD, &name)?;
            s.set_password(&name, &pw)
                .with_context(|| format!("cannot change the password of '{name}'"))?;
            outln!("Password of {name} changed.");
        }
        UserCmd::Locks(f) => {
            let rows = s
                .login_locks()?
                .into_iter()
                .map(|l| {
                    vec![
                        l.name,
                        if l.known_user { "user" } else { "unknown name" }.to_string(),
                        l.failures.to_string(),
                        timefmt::fmt_datetime_secs(l.last_attempt_at),
                        timefmt::fmt_datetime_secs(l.next_attempt_at),
                    ]
                })
                .collect();
            print_rows(
                f.format,
                &["name", "kind", "failures", "last_attempt", "next_attempt"],
                rows,
            )?;
        }
        UserCmd::Unlock { name } => {
            let l = s
                .unlock_login(&name)
                .with_context(|| format!("cannot clear the failed log-ins of '{name}'"))?;
            outln!(
                "Cleared {} failed log-in(s) of {}; the next attempt is checked at once.",
                l.failures,
                l.name
            );
        }
    }
    Ok(())
}

fn department(s: &mut Session, c: DepartmentCmd) -> Result<()> {
    match c {
        DepartmentCmd::Add { name, parent } => {
            let d = s
                .add_department(&name, parent.as_deref())
                .with_context(|| format!("cannot add department '{name}'"))?;
            match d.parent {
                Some(p) => outln!("Added department {} under {p}.", d.name),
                None => outln!("Added department {}.", d.name),
            }
        }
        DepartmentCmd::List(f) => {
            let rows = s
                .list_departments()?
                .into_iter()
                .map(|d| {
                    let name = match f.format {
                        Format::Table => format!("{}{}", "  ".repeat(d.depth), d.name),
                        Format::Csv => d.name,
                    };
                    vec![name, d.parent.unwrap_or_default()]
                })
                .collect();
            print_rows(f.format, &["department", "parent"], rows)?;
        }
    }
    Ok(())
}

fn employee(s: &mut Session, c: EmployeeCmd) -> Result<()> {
    match c {
        EmployeeCmd::Add(a) => {
            let input = EmployeeInput {
                no: a.no.clone(),
                name: a.name,
                department: a.department,
                hired: a.hired,
                position: a.position,
                card: a.card,
            };
            let e = s
                .add_employee(&input)
                .with_context(|| format!("cannot add employee 工号 {}", a.no))?;
            outln!(
                "Added employee {} {} ({}).",
                e.enrollment_no,
                e.name,
                e.department.unwrap_or_default()
            );
        }
        EmployeeCmd::List {
            department,
            all,
            format,
        } => {
            let q = EmployeeQuery {
                department,
                include_inactive: all,
            };
            let rows = s
                .list_employees(&q)?
                .into_iter()
                .map(|e| {
                    vec![
                        e.enrollment_no,
                        e.name,
                        e.department.unwrap_or_default(),
                        e.position.unwrap_or_default(),
                        opt_str(&e.hire_date),
                        opt_str(&e.leave_date),
                        e.card_no.unwrap_or_default(),
                        if e.active { "active" } else { "left" }.to_string(),
                    ]
                })
                .collect();
            print_rows(
                format.format,
                &[
                    "no",
                    "name",
                    "department",
                    "position",
                    "hired",
                    "left",
                    "card",
                    "status",
                ],
                rows,
            )?;
        }
        EmployeeCmd::Update(a) => {
            let changes = EmployeeChanges {
                name: a.name,
                department: a.department,
                position: a.position,
                card: a.card,
                hired: a.hired,
                left: a.left,
            };
            if changes == EmployeeChanges::default() {
                return Err(anyhow!(
                    "nothing to change: give at least one of --name, --department, --position, --card, --hired, --left"
                ));
            }
            let e = s
                .update_employee(&a.no, &changes)
                .with_context(|| format!("cannot update employee 工号 {}", a.no))?;
            outln!("Updated employee {} {}.", e.enrollment_no, e.name);
        }
        EmployeeCmd::Deactivate { no, left } => {
            let e = s
                .deactivate_employee(&no, left)
                .with_context(|| format!("cannot deactivate employee 工号 {no}"))?;
            outln!(
                "Employee {} {} left on {}.",
                e.enrollment_no,
                e.name,
                opt_str(&e.leave_date)
            );
        }
    }
    Ok(())
}

fn terminal(s: &mut Session, c: TerminalCmd) -> Result<()> {
    match c {
        TerminalCmd::Add(a) => {
            s.require(crate::app::Action::ManageTerminals, &a.name)?;
            let secret = input::terminal_secret(&a.name)?;
            let t = TerminalInput {
                name: a.name.clone(),
                kind: kind(a.kind),
                address: a.address,
                baud: a.baud,
                machine: a.machine,
                encoding: encoding(a.encoding),
                location: a.location,
                serial: a.serial,
            };
            let info = s
                .add_terminal(&t, &secret)
                .with_context(|| format!("cannot add terminal '{}'", a.name))?;
            outln!(
                "Added terminal {} ({} at {}{}{}).",
                info.name,
                info.kind,
                info.address,
                if info.has_secret {
                    ", comm key set"
                } else {
                    ", no comm key"
                },
                info.serial_no
                    .as_deref()
                    .map(|sn| format!(", serial {sn}"))
                    .unwrap_or_default()
            );
        }
        TerminalCmd::List(f) => {
            let rows = s
                .list_terminals()?
                .into_iter()
                .map(|t| {
                    vec![
                        t.name,
                        t.kind.to_string(),
                        t.address,
                        opt_str(&t.baud),
                        t.machine.to_string(),
                        t.encoding.to_string(),
                        t.location.unwrap_or_default(),
                        t.serial_no.unwrap_or_default(),
                        if t.has_secret { "yes" } else { "no" }.to_string(),
                        t.last_contact_at
                            .map(timefmt::fmt_datetime)
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            print_rows(
                f.format,
                &[
                    "name",
                    "kind",
                    "address",
                    "baud",
                    "machine",
                    "encoding",
                    "location",
                    "serial",
                    "comm_key",
                    "last_contact",
                ],
                rows,
            )?;
        }
        TerminalCmd::Update(a) => {
            s.require(crate::app::Action::ManageTerminals, &a.name)?;
            let secret = if a.secret {
                Some(input::terminal_secret(&a.name)?)
            } else {
                None
            };
            let changes = TerminalChanges {
                rename: a.rename,
                kind: a.kind.map(kind),
                address: a.address,
                baud: a.baud,
                machine: a.machine,
                encoding: a.encoding.map(encoding),
                location: a.location,
                secret,
                serial: a.serial,
            };
            if changes == TerminalChanges::default() {
                return Err(anyhow!(
                    "nothing to change: give at least one of --rename, --kind, --address, --baud, --machine, --encoding, --location, --secret, --serial"
                ));
            }
            let t = s
                .update_terminal(&a.name, &changes)
                .with_context(|| format!("cannot update terminal '{}'", a.name))?;
            outln!("Updated terminal {} ({} at {}).", t.name, t.kind, t.address);
        }
        TerminalCmd::Remove { name } => {
            s.remove_terminal(&name)
                .with_context(|| format!("cannot remove terminal '{name}'"))?;
            outln!("Removed terminal {name} (its punches stay in the ledger).");
        }
    }
    Ok(())
}

fn audit(s: &Session, c: AuditCmd) -> Result<()> {
    match c {
        AuditCmd::Log {
            since,
            actor,
            action,
            format,
        } => {
            let q = AuditQuery {
                since,
                actor,
                action,
            };
            let rows = s
                .audit_log(&q)?
                .into_iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        timefmt::fmt_datetime_secs(e.at),
                        e.actor,
                        e.role,
                        e.action,
                        e.target,
                        e.details.to_string(),
                    ]
                })
                .collect();
            print_rows(
                format.format,
                &[
                    "seq", "time", "actor", "role", "action", "target", "details",
                ],
                rows,
            )?;
            Ok(())
        }
        AuditCmd::Sessions(a) => super::cmd_sync::sessions(s, a),
        AuditCmd::Verify(a) => super::cmd_evidence::verify(s, a),
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
