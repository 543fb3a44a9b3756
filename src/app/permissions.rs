//! The one permission table: which role may perform which action.
//!
//! Every application service asks [`allowed`] (through `Session::require`) before acting; the CLI and
//! the GUI never decide permissions themselves. [`markdown_table`] renders the same table for
//! ARCHITECTURE.md so the document cannot drift from the code. This module must stay pure: no I/O.

use std::fmt;

pub use kaoqin_store::{Role, UnknownRole};

/// Everything a service can be asked to do that needs a permission check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Add, disable, re-role app users; set another user's password; link a user to the employee
    /// they are (so nobody decides their own requests).
    ManageUsers,
    /// Change one's own password.
    ChangeOwnPassword,
    /// Read the organisation, departments, employees, terminals and app users lists.
    ViewOrganisation,
    ManageDepartments,
    ManageEmployees,
    /// Add, update, remove terminal definitions (address, comm key).
    ManageTerminals,
    ViewPunches,
    /// Download punches from a terminal (a connection under the connection rules).
    Download,
    /// Connect despite the connection rules (peak window, too soon); always audited.
    OverrideRules,
    /// Import punches whose terminal serial is not a registered terminal (stored with a finding).
    ImportUnregistered,
    /// Change connection rules and device policy.
    ChangeRules,
    /// Write to a terminal: super-admin password, users, clock, clearing data.
    DeviceAdmin,
    /// Read-only connection that keeps a snapshot of the terminal's data.
    TakeSnapshot,
    ViewAudit,
    VerifyAudit,
    Backup,
    Restore,
    /// Enter, edit and withdraw leave/outing/forgotten-sign-in requests and supplements.
    ManageRequests,
    ApproveRequests,
    ManageSchedules,
    RunMonth,
    ViewReports,
    ExportReports,
    /// Change the report symbols (√ 迟 旷 …) the sheets print.
    ConfigureReports,
}

impl Action {
    pub const ALL: [Action; 24] = [
        Action::ManageUsers,
        Action::ChangeOwnPassword,
        Action::ViewOrganisation,
        Action::ManageDepartments,
        Action::ManageEmployees,
        Action::ManageTerminals,
        Action::ViewPunches,
        Action::Download,
        Action::OverrideRules,
        Action::ImportUnregistered,
        Action::ChangeRules,
        Action::DeviceAdmin,
        Action::TakeSnapshot,
        Action::ViewAudit,
        Action::VerifyAudit,
        Action::Backup,
        Action::Restore,
        Action::ManageRequests,
        Action::ApproveRequests,
        Action::ManageSchedules,
        Action::RunMonth,
        Action::ViewReports,
        Action::ExportReports,
        Action::ConfigureReports,
    ];

    /// Stable snake_case name, used in audit details and error messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::ManageUsers => "manage_users",
            Action::ChangeOwnPassword => "change_own_password",
            Action::ViewOrganisation => "view_organisation",
            Action::ManageDepartments => "manage_departments",
            Action::ManageEmployees => "manage_employees",
            Action::ManageTerminals => "manage_terminals",
            Action::ViewPunches => "view_punches",
            Action::Download => "download",
            Action::OverrideRules => "override_rules",
            Action::ImportUnregistered => "import_unregistered",
            Action::ChangeRules => "change_rules",
            Action::DeviceAdmin => "device_admin",
            Action::TakeSnapshot => "take_snapshot",
            Action::ViewAudit => "view_audit",
            Action::VerifyAudit => "verify_audit",
            Action::Backup => "backup",
            Action::Restore => "restore",
            Action::ManageRequests => "manage_requests",
            Action::ApproveRequests => "approve_requests",
            Action::ManageSchedules => "manage_schedules",
            Action::RunMonth => "run_month",
            Action::ViewReports => "view_reports",
            Action::ExportReports => "export_reports",
            Action::ConfigureReports => "configure_reports",
        }
    }

    /// One line for the documentation table.
    pub fn description(self) -> &'static str {
        match self {
            Action::ManageUsers => {
                "add, disable app users; set others' passwords; link a user to their employee"
            }
            Action::ChangeOwnPassword => "change one's own password",
            Action::ViewOrganisation => "list departments, employees, terminals, users",
            Action::ManageDepartments => "add/change departments (处室)",
            Action::ManageEmployees => "add/update/deactivate employees",
            Action::ManageTerminals => "add/update/remove terminals and their comm keys",
            Action::ViewPunches => "read raw punches and download sessions",
            Action::Download => "download punches from a terminal",
            Action::OverrideRules => "connect despite the connection rules",
            Action::ImportUnregistered => {
                "import punches of an unregistered terminal serial (stored with a finding)"
            }
            Action::ChangeRules => "set connection rules and device policy",
            Action::DeviceAdmin => "write to a terminal (super-admin password, users, clock)",
            Action::TakeSnapshot => "take a read-only snapshot of a terminal",
            Action::ViewAudit => "read the audit log",
            Action::VerifyAudit => "verify the audit chain",
            Action::Backup => "back up the database",
            Action::Restore => "restore the database from a backup",
            Action::ManageRequests => "enter leave/outing/补签 requests",
            Action::ApproveRequests => "approve or reject requests (never one's own)",
            Action::ManageSchedules => "edit schedules and the holiday calendar",
            Action::RunMonth => "run the monthly reconciliation",
            Action::ViewReports => "view monthly results and reports",
            Action::ExportReports => "export reports to Excel",
            Action::ConfigureReports => "change the report symbols (√ 迟 旷 …)",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The table itself. Deliberately an exhaustive `match` so that adding an action or a role does not
/// compile until someone decides who may do it.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        ManageUsers | Backup | Restore | ConfigureReports => role == Admin,
        ViewOrganisation | ViewPunches | ViewReports => true,
        // The auditor's connection cannot write the users table; the admin resets their password.
        ChangeOwnPassword => role != Auditor,
        ManageDepartments | ManageEmployees | ManageSchedules => matches!(role, Admin | HrClerk),
        ManageTerminals => matches!(role, Admin | Supervisor),
        Download => matches!(role, Supervisor | HrClerk),
        OverrideRules | ImportUnregistered | ChangeRules | DeviceAdmin | ApproveRequests => {
            role == Supervisor
        }
        TakeSnapshot => role == Auditor,
        ViewAudit | VerifyAudit => matches!(role, Admin | Supervisor | Auditor),
        ManageRequests | RunMonth => role == HrClerk,
        ExportReports => matches!(role, Supervisor | HrClerk),
    }
}

/// The permission table as Markdown, for ARCHITECTURE.md (`kaoqin permissions` prints it).
pub fn markdown_table() -> String {
    let mut out = String::from("| action | what it covers |");
    for role in Role::ALL {
        out.push_str(&format!(" {role} |"));
    }
    out.push_str("\n|---|---|");
    for _ in Role::ALL {
        out.push_str(":---:|");
    }
    out.push('\n');
    for action in Action::ALL {
        out.push_str(&format!("| `{action}` | {} |", action.description()));
        for role in Role::ALL {
            out.push_str(if allowed(role, action) {
                " ✔ |"
            } else {
                " — |"
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_list_is_complete_and_unique() {
        let mut names: Vec<_> = Action::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Action::ALL.len());
    }

    /// Domain rules from docs/domain.md §1 that must hold whatever else changes.
    #[test]
    fn domain_prohibitions_hold() {
        let cases: &[(Role, Action, bool)] = &[
            (Role::HrClerk, Action::DeviceAdmin, false),
            (Role::HrClerk, Action::ApproveRequests, false),
            (Role::HrClerk, Action::Download, true),
            (Role::HrClerk, Action::RunMonth, true),
            (Role::Supervisor, Action::DeviceAdmin, true),
            (Role::Supervisor, Action::ApproveRequests, true),
            (Role::Supervisor, Action::OverrideRules, true),
            (Role::Supervisor, Action::ImportUnregistered, true),
            (Role::HrClerk, Action::ImportUnregistered, false),
            (Role::Auditor, Action::TakeSnapshot, true),
            (Role::Auditor, Action::DeviceAdmin, false),
            (Role::Auditor, Action::Download, false),
            (Role::Auditor, Action::ManageEmployees, false),
            (Role::Auditor, Action::ViewAudit, true),
            (Role::Admin, Action::ManageUsers, true),
            (Role::Admin, Action::Restore, true),
            (Role::Supervisor, Action::Restore, false),
        ];
        for &(role, action, expected) in cases {
            assert_eq!(allowed(role, action), expected, "{role} × {action}");
        }
        // The auditor reads; its only writes are its own snapshots (and audit entries).
        let auditor_may: Vec<_> = Action::ALL
            .into_iter()
            .filter(|a| allowed(Role::Auditor, *a))
            .collect();
        assert_eq!(
            auditor_may,
            vec![
                Action::ViewOrganisation,
                Action::ViewPunches,
                Action::TakeSnapshot,
                Action::ViewAudit,
                Action::VerifyAudit,
                Action::ViewReports
            ]
        );
    }

    #[test]
    fn markdown_table_has_a_row_per_action_matching_the_code() {
        let md = markdown_table();
        let lines: Vec<_> = md.lines().collect();
        assert_eq!(lines.len(), 2 + Action::ALL.len());
        assert_eq!(
            lines.first().copied(),
            Some("| action | what it covers | admin | supervisor | hr_clerk | auditor |")
        );
        for (line, action) in lines.iter().skip(2).zip(Action::ALL) {
            assert!(line.starts_with(&format!("| `{action}` |")));
            let marks: Vec<bool> = line
                .split('|')
                .map(str::trim)
                .filter(|c| *c == "✔" || *c == "—")
                .map(|c| c == "✔")
                .collect();
            let expected: Vec<bool> = Role::ALL.iter().map(|r| allowed(*r, action)).collect();
            assert_eq!(marks, expected, "{action}");
        }
    }
}
