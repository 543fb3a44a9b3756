//! The four application roles (docs/domain.md §1). The store only names them; which role may do what is the
//! services' permission table, not this module's business.

use std::fmt;
use std::str::FromStr;

/// An application user's role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    HrClerk,
    Auditor,
}

impl Role {
    /// Every role, in the order menus list them.
    pub const ALL: [Role; 4] = [Role::Admin, Role::Supervisor, Role::HrClerk, Role::Auditor];

    /// The stable name stored in the database and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::HrClerk => "hr_clerk",
            Role::Auditor => "auditor",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is none of the four.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}'; valid roles: admin, supervisor, hr_clerk, auditor")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        Role::ALL
            .into_iter()
            .find(|r| {
                r.as_str().eq_ignore_ascii_case(t)
                    || (t.eq_ignore_ascii_case("hr-clerk") && *r == Role::HrClerk)
            })
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert_eq!("HR-CLERK".parse::<Role>(), Ok(Role::HrClerk));
        let e = "boss".parse::<Role>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown role 'boss'; valid roles: admin, supervisor, hr_clerk, auditor"
        );
    }
}
