//! The command line, declared with clap derive. Only shapes and parsing of single values live
//! here; what a command does is in `cli::run` (which calls the app services).

use crate::app::permissions::Role;
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
/// Dates as a clerk types them (2026-03-01, 2026/3/1, 20260301), the same as in the window;
/// impossible dates (2026-02-30) are named as such.
use kaoqin_domain::timefmt::parse_date;
use std::path::PathBuf;

pub const AFTER_HELP: &str = "\
Passwords are never given as arguments:
  KAOQIN_PASSWORD          your password (otherwise you are asked)
  KAOQIN_NEW_PASSWORD      the password of a user being added or changed
  KAOQIN_TERMINAL_SECRET   a terminal's comm key or ISAPI password (empty = none)
Files: KAOQIN_DB (database), KAOQIN_DATA_DIR (logs), KAOQIN_CONFIG_DIR (secrets key).

Exit codes:
  0  success
  1  error (bad input, missing or damaged file, ...)
  2  usage error (unknown option, malformed value)
  3  permission denied (your role may not do this; the attempt is audited)
  4  authentication failed (wrong password, unknown or disabled user)";

/// Kaoqin (考勤): attendance management for face-recognition terminals.
///
/// Without a subcommand, opens the desktop window.
#[derive(Debug, Parser)]
#[command(name = "kaoqin", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalOpts {
    /// Database file (default: kaoqin.db in the platform data directory).
    #[arg(long, global = true, env = "KAOQIN_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// App user to log in as.
    #[arg(long, global = true, env = "KAOQIN_USER", value_name = "NAME")]
    pub user: Option<String>,
    /// Mirror the log on stderr.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Interface language: zh-CN (default), zh-TW, en.
    #[arg(long, global = true, env = "KAOQIN_LANG", value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new database with its organisation and first administrator.
    Init(InitArgs),
    /// App users and roles.
    #[command(subcommand)]
    User(UserCmd),
    /// Departments (处室).
    #[command(subcommand)]
    Department(DepartmentCmd),
    /// Employees (工号 = enrollment number on the terminals).
    #[command(subcommand)]
    Employee(EmployeeCmd),
    /// Attendance terminals.
    #[command(subcommand)]
    Terminal(TerminalCmd),
    /// The hash-chained audit log.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Copy the database to FILE (consistent while the app runs).
    Backup {
        /// Destination file; must not exist.
        file: PathBuf,
    },
    /// Replace the database with the backup FILE (admin only) after verifying it; the current one
    /// is kept aside.
    Restore(super::cmd_evidence::RestoreArgs),
    /// Print the role × action permission table (Markdown).
    Permissions,
    /// Download punches from terminals under the connection rules.
    Download(super::cmd_sync::DownloadArgs),
    /// Raw punches (the append-only ledger).
    #[command(subcommand)]
    Punches(super::cmd_sync::PunchesCmd),
    /// Import punches from a file (USB stick).
    #[command(subcommand)]
    Import(super::cmd_sync::ImportCmd),
    /// Findings of the download checks (clock, tampering, credentials).
    Findings(super::cmd_sync::FindingsArgs),
    /// Connection rules (peak windows, time limit, spacing).
    #[command(subcommand)]
    Rules(super::cmd_sync::RulesCmd),
    /// Auditor snapshots of a terminal: take, verify, diff.
    #[command(subcommand)]
    Snapshot(super::cmd_snapshot::SnapshotCmd),
    /// Supervisor terminal administration: clock, super-admin password, policy, enrollment.
    #[command(subcommand)]
    Device(super::cmd_device::DeviceCmd),
    /// Shifts (presets A–D), rotations and their assignment.
    #[command(subcommand)]
    Schedule(super::cmd_attendance::ScheduleCmd),
    /// The holiday calendar (bundled 2025/2026 Chinese calendar plus local days).
    #[command(subcommand)]
    Calendar(super::cmd_attendance::CalendarCmd),
    /// Leave, outing, trip, supplement (补签) and overtime requests with approval.
    #[command(subcommand)]
    Request(super::cmd_attendance::RequestCmd),
    /// Monthly reconciliation: run and show results.
    #[command(subcommand)]
    Month(super::cmd_attendance::MonthCmd),
    /// Monthly reports as Excel or CSV.
    #[command(subcommand)]
    Report(super::cmd_reports::ReportCmd),
    /// Write an import template (headers, example row, validation lists, notes).
    Template(super::cmd_reports::TemplateArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Organisation name (单位名称).
    #[arg(long)]
    pub org: String,
    /// Name of the first administrator (password from KAOQIN_PASSWORD or asked twice).
    #[arg(long)]
    pub admin: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Table,
    Csv,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct FormatArg {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Add an app user (password from KAOQIN_NEW_PASSWORD or asked twice).
    Add {
        #[arg(long)]
        name: String,
        /// admin, supervisor, hr_clerk or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// List app users.
    List(FormatArg),
    /// Disable a user: they can no longer log in.
    Disable { name: String },
    /// Re-enable a disabled user.
    Enable { name: String },
    /// Change a user's role.
    Role {
        name: String,
        /// admin, supervisor, hr_clerk or auditor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Set a user's password (KAOQIN_NEW_PASSWORD or asked twice).
    Passwd { name: String },
    /// Names with failed log-ins in a row (users and guessed names), and when each may try again.
    Locks(FormatArg),
    /// Clear the failed log-ins of NAME so its next attempt is checked at once (audited).
    Unlock { name: String },
}

#[derive(Debug, Subcommand)]
pub enum DepartmentCmd {
    /// Add a department, under the organisation or under PARENT.
    Add {
        name: String,
        #[arg(long, value_name = "NAME")]
        parent: Option<String>,
    },
    /// List departments as a tree.
    List(FormatArg),
}

#[derive(Debug, Subcommand)]
pub enum EmployeeCmd {
    /// Add an employee.
    Add(EmployeeAddArgs),
    /// List employees.
    List {
        /// Only this department.
        #[arg(long, value_name = "NAME")]
        department: Option<String>,
        /// Include employees who have left.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Change an employee's details (only the given fields change).
    Update(EmployeeUpdateArgs),
    /// Mark an employee as left (their punches stay).
    Deactivate {
        #[arg(long, value_name = "工号")]
        no: String,
        /// Leave date (default: today).
        #[arg(long, value_parser = parse_date, value_name = "DATE")]
        left: Option<NaiveDate>,
    },
}

#[derive(Debug, Args)]
pub struct EmployeeAddArgs {
    /// 工号: the enrollment number on the terminals.
    #[arg(long, value_name = "工号")]
    pub no: String,
    /// 姓名.
    #[arg(long, value_name = "姓名")]
    pub name: String,
    #[arg(long, value_name = "NAME")]
    pub department: String,
    /// Hire date, YYYY-MM-DD.
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub hired: Option<NaiveDate>,
    #[arg(long, value_name = "P")]
    pub position: Option<String>,
    /// Card number.
    #[arg(long, value_name = "N")]
    pub card: Option<String>,
}

#[derive(Debug, Args)]
pub struct EmployeeUpdateArgs {
    #[arg(long, value_name = "工号")]
    pub no: String,
    #[arg(long, value_name = "姓名")]
    pub name: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub department: Option<String>,
    #[arg(long, value_name = "P")]
    pub position: Option<String>,
    #[arg(long, value_name = "N")]
    pub card: Option<String>,
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub hired: Option<NaiveDate>,
    #[arg(long, value_parser = parse_date, value_name = "DATE")]
    pub left: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TerminalKindArg {
    #[value(name = "zk-tcp")]
    ZkTcp,
    #[value(name = "zk-udp")]
    ZkUdp,
    #[value(name = "zk-serial")]
    ZkSerial,
    #[value(name = "isapi")]
    Isapi,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    Gbk,
    #[value(name = "utf8", alias = "utf-8")]
    Utf8,
}

#[derive(Debug, Subcommand)]
pub enum TerminalCmd {
    /// Add a terminal (comm key / ISAPI password from KAOQIN_TERMINAL_SECRET or asked; empty = none).
    Add(TerminalAddArgs),
    /// List terminals (secrets are never shown).
    List(FormatArg),
    /// Change a terminal (only the given fields change).
    Update(TerminalUpdateArgs),
    /// Remove a terminal definition (its punches stay).
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct TerminalAddArgs {
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum)]
    pub kind: TerminalKindArg,
    /// HOST:PORT (zk-tcp, zk-udp), DEVICE_PATH (zk-serial) or URL (isapi).
    #[arg(long)]
    pub address: String,
    /// Serial speed (zk-serial).
    #[arg(long, value_name = "N")]
    pub baud: Option<u32>,
    /// Machine number (ZK; default 1).
    #[arg(long, value_name = "N")]
    pub machine: Option<u32>,
    /// Text encoding of names on the terminal.
    #[arg(long, value_enum, default_value_t = EncodingArg::Gbk)]
    pub encoding: EncodingArg,
    #[arg(long, value_name = "L")]
    pub location: Option<String>,
    /// The terminal's serial number (its device information screen), for a terminal that is never
    /// on the network: its attlog.dat can then be imported; a download learns it otherwise.
    #[arg(long, value_name = "SN")]
    pub serial: Option<String>,
}

#[derive(Debug, Args)]
pub struct TerminalUpdateArgs {
    /// The terminal to change.
    pub name: String,
    #[arg(long, value_name = "NAME")]
    pub rename: Option<String>,
    #[arg(long, value_enum)]
    pub kind: Option<TerminalKindArg>,
    #[arg(long)]
    pub address: Option<String>,
    #[arg(long, value_name = "N")]
    pub baud: Option<u32>,
    #[arg(long, value_name = "N")]
    pub machine: Option<u32>,
    #[arg(long, value_enum)]
    pub encoding: Option<EncodingArg>,
    #[arg(long, value_name = "L")]
    pub location: Option<String>,
    /// Also replace the comm key / ISAPI password (KAOQIN_TERMINAL_SECRET or asked).
    #[arg(long)]
    pub secret: bool,
    /// Set the serial number of a terminal that has none yet.
    #[arg(long, value_name = "SN")]
    pub serial: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Show audit entries.
    Log {
        /// From this date (YYYY-MM-DD) on.
        #[arg(long, value_parser = parse_date, value_name = "DATE")]
        since: Option<NaiveDate>,
        /// Only this app user.
        #[arg(long, value_name = "NAME")]
        actor: Option<String>,
        /// Only this action (e.g. login.failed, user.add).
        #[arg(long, value_name = "A")]
        action: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Check the hash chain, the anchors kept outside the database and every batch of punches;
    /// exit 0 only if all hold.
    Verify(super::cmd_evidence::VerifyArgs),
    /// Terminal sessions (downloads, imports, snapshots): one row per session.
    Sessions(super::cmd_sync::SessionsArgs),
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn date_options_read_dates_as_the_window_does() {
        let hired = |text: &str| {
            Cli::try_parse_from([
                "kaoqin",
                "employee",
                "add",
                "--no",
                "1",
                "--name",
                "x",
                "--department",
                "d",
                "--hired",
                text,
            ])
            .map(|cli| match cli.command {
                Some(Command::Employee(EmployeeCmd::Add(a))) => a.hired,
                _ => None,
            })
        };
        for text in ["2026-03-01", "2026/3/1", "20260301"] {
            assert_eq!(
                hired(text).map_err(|e| e.to_string()),
                Ok(NaiveDate::from_ymd_opt(2026, 3, 1)),
                "{text}"
            );
        }
        let e = hired("2026-02-30")
            .expect_err("impossible date")
            .to_string();
        assert!(
            e.contains("'2026-02-30' is not a real calendar date: February 2026 has 28 days"),
            "{e}"
        );
        let e = hired("tomorrow").expect_err("not a date").to_string();
        assert!(e.contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn exact_forms_from_the_readme_parse() {
        let cli = Cli::try_parse_from([
            "kaoqin",
            "employee",
            "add",
            "--no",
            "1001",
            "--name",
            "张三",
            "--department",
            "办公室",
            "--hired",
            "2026-01-05",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Employee(EmployeeCmd::Add(a))) => {
                assert_eq!(a.no, "1001");
                assert_eq!(a.hired, NaiveDate::from_ymd_opt(2026, 1, 5));
            }
            other => panic!("parsed as {other:?}"),
        }
        let cli = Cli::try_parse_from([
            "kaoqin",
            "terminal",
            "add",
            "--name",
            "大门",
            "--kind",
            "zk-serial",
            "--address",
            "/dev/ttyUSB0",
            "--baud",
            "115200",
            "--machine",
            "2",
            "--encoding",
            "utf8",
        ])
        .unwrap();
        assert!(matches!(
            cli.command,
            Some(Command::Terminal(TerminalCmd::Add(TerminalAddArgs {
                kind: TerminalKindArg::ZkSerial,
                baud: Some(115200),
                machine: Some(2),
                encoding: EncodingArg::Utf8,
                ..
            })))
        ));
        let err = Cli::try_parse_from(["kaoqin", "user", "add", "--name", "x", "--role", "boss"])
            .unwrap_err();
        assert!(err.to_string().contains("unknown role 'boss'"));
        let cli = Cli::try_parse_from(["kaoqin"]).unwrap();
        assert!(cli.command.is_none());
    }
}
