//! The pages of the main window and which role sees which page and which item.
//!
//! Derived from the one permission table (`app::permissions::allowed`); the GUI only hides what a
//! role cannot use, the services still refuse it. Pure: no egui, no I/O.

use crate::app::permissions::{Action, Role, allowed};

/// A page of the main window, in navigation order.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Page {
    #[default]
    Dashboard,
    Terminals,
    Employees,
    Schedules,
    Requests,
    Reports,
    Audit,
    Settings,
}

impl Page {
    pub const ALL: [Page; 8] = [
        Page::Dashboard,
        Page::Terminals,
        Page::Employees,
        Page::Schedules,
        Page::Requests,
        Page::Reports,
        Page::Audit,
        Page::Settings,
    ];

    /// The locale key of the page's navigation label.
    pub fn label_key(self) -> &'static str {
        match self {
            Page::Dashboard => "nav.dashboard",
            Page::Terminals => "nav.terminals",
            Page::Employees => "nav.employees",
            Page::Schedules => "nav.schedules",
            Page::Requests => "nav.requests",
            Page::Reports => "nav.reports",
            Page::Audit => "nav.audit",
            Page::Settings => "nav.settings",
        }
    }

    /// Whether `role` sees this page in the navigation at all.
    pub fn visible_to(self, role: Role) -> bool {
        let can = |a| allowed(role, a);
        match self {
            Page::Dashboard | Page::Settings => true,
            Page::Terminals => {
                can(Action::ManageTerminals) || can(Action::Download) || can(Action::TakeSnapshot)
            }
            Page::Employees => can(Action::ViewOrganisation),
            Page::Schedules => can(Action::ManageSchedules) || can(Action::ViewReports),
            // The auditor reads everything (read-only); the administrator (IT) has no part in requests.
            Page::Requests => {
                can(Action::ManageRequests) || can(Action::ApproveRequests) || is_read_only(role)
            }
            Page::Reports => can(Action::ViewReports),
            Page::Audit => can(Action::ViewAudit),
        }
    }
}

/// The pages `role` sees, in navigation order.
pub fn pages_for(role: Role) -> Vec<Page> {
    Page::ALL
        .into_iter()
        .filter(|p| p.visible_to(role))
        .collect()
}

/// The auditor's view: everything visible, nothing editable (docs/domain.md §1).
pub fn is_read_only(role: Role) -> bool {
    allowed(role, Action::TakeSnapshot) && !allowed(role, Action::ManageEmployees)
}

/// Items inside pages that only some roles see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    /// Terminals: the device-admin section (super-admin password, users on the terminal, clock).
    DeviceAdmin,
    /// Terminals: read-only snapshots.
    Snapshots,
    /// Terminals: add / edit / remove.
    EditTerminals,
    /// Employees: add / edit / deactivate.
    EditEmployees,
    /// Audit: verify the chain.
    VerifyAudit,
    /// Settings: app users.
    AppUsers,
    /// Settings: connection rules.
    ConnectionRules,
    /// Settings: backup and restore.
    Backup,
    /// Settings: edit the report symbols.
    ReportSymbols,
    /// Terminals: the Download button.
    Download,
    /// Terminals: override a refused download (with a reason).
    OverrideRules,
}

impl Item {
    pub fn visible_to(self, role: Role) -> bool {
        let action = match self {
            Item::DeviceAdmin => Action::DeviceAdmin,
            Item::Snapshots => Action::TakeSnapshot,
            Item::EditTerminals => Action::ManageTerminals,
            Item::EditEmployees => Action::ManageEmployees,
            Item::VerifyAudit => Action::VerifyAudit,
            Item::AppUsers => Action::ManageUsers,
            Item::ConnectionRules => Action::ChangeRules,
            Item::Backup => Action::Backup,
            Item::ReportSymbols => Action::ConfigureReports,
            Item::Download => Action::Download,
            Item::OverrideRules => Action::OverrideRules,
        };
        allowed(role, action)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_per_role() {
        use Page::*;
        let cases: &[(Role, &[Page])] = &[
            (
                Role::Admin,
                &[
                    Dashboard, Terminals, Employees, Schedules, Reports, Audit, Settings,
                ],
            ),
            (
                Role::Supervisor,
                &[
                    Dashboard, Terminals, Employees, Schedules, Requests, Reports, Audit, Settings,
                ],
            ),
            (
                Role::HrClerk,
                &[
                    Dashboard, Terminals, Employees, Schedules, Requests, Reports, Settings,
                ],
            ),
            (
                Role::Auditor,
                &[
                    Dashboard, Terminals, Employees, Schedules, Requests, Reports, Audit, Settings,
                ],
            ),
        ];
        for (role, want) in cases {
            assert_eq!(pages_for(*role), *want, "{role}");
        }
    }

    #[test]
    fn clerk_never_sees_device_admin_and_only_the_auditor_is_read_only() {
        assert!(!Item::DeviceAdmin.visible_to(Role::HrClerk));
        assert!(!Item::DeviceAdmin.visible_to(Role::Auditor));
        assert!(Item::DeviceAdmin.visible_to(Role::Supervisor));
        let read_only: Vec<_> = Role::ALL.into_iter().filter(|r| is_read_only(*r)).collect();
        assert_eq!(read_only, vec![Role::Auditor]);
    }
}
