//! The proofs the services hand the sync layer ([`kaoqin_sync::grant`]): an [`Authorized<A>`] is
//! made only by [`Session::authorize`], after the one permission table ([`super::permissions`])
//! allowed the act and audited a refusal otherwise. Its fields are private, so neither a shell nor
//! the sync layer can make one; sync acts for a role only when handed one.
//! Must not grant anything the permission table does not allow.

use std::marker::PhantomData;

use kaoqin_sync::Actor;
use kaoqin_sync::grant::{
    Act, AdministerDevice, ChangeRules, ExplainFinding, Grant, OverrideRules, TakeSnapshot,
};

use super::error::AppResult;
use super::permissions::Action;
use super::session::Session;

/// Which entry of the permission table allows a sync act.
pub trait Guarded: Act {
    const ACTION: Action;
}

impl Guarded for OverrideRules {
    const ACTION: Action = Action::OverrideRules;
}
impl Guarded for AdministerDevice {
    const ACTION: Action = Action::DeviceAdmin;
}
impl Guarded for TakeSnapshot {
    const ACTION: Action = Action::TakeSnapshot;
}
impl Guarded for ExplainFinding {
    // Explaining a finding belongs with the rules it was found under (docs/domain.md §2.4).
    const ACTION: Action = Action::ChangeRules;
}
impl Guarded for ChangeRules {
    const ACTION: Action = Action::ChangeRules;
}

/// The permission table's yes to act `A`, for the session's user.
pub struct Authorized<A: Guarded> {
    actor: Actor,
    act: PhantomData<fn() -> A>,
}

impl<A: Guarded> Grant<A> for Authorized<A> {
    fn actor(&self) -> &Actor {
        &self.actor
    }
}

impl Session {
    /// Checks `A`'s entry in the permission table for this user (a refusal is audited as
    /// `permission.denied` on `target`) and returns the proof the sync layer asks for.
    pub(crate) fn authorize<A: Guarded>(&self, target: &str) -> AppResult<Authorized<A>> {
        self.require(A::ACTION, target)?;
        Ok(Authorized {
            actor: self.actor(),
            act: PhantomData,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::permissions::allowed;
    use crate::app::{Role, ThreadSleeper};
    use chrono::NaiveDate;
    use std::sync::Arc;

    const PW: &str = "grant-pw-1";

    /// Each sync act maps to the permission-table entry of the same meaning.
    #[test]
    fn acts_map_to_their_permission_entries() {
        let table = [
            (OverrideRules::ACTION, "override_rules"),
            (AdministerDevice::ACTION, "device_admin"),
            (TakeSnapshot::ACTION, "take_snapshot"),
            (ExplainFinding::ACTION, "change_rules"),
            (ChangeRules::ACTION, "change_rules"),
        ];
        for (action, name) in table {
            assert_eq!(action.as_str(), name);
        }
    }

    fn outcome<A: Guarded>(s: &Session) -> Option<String> {
        s.authorize::<A>("大门")
            .ok()
            .map(|g| Grant::<A>::actor(&g).name.clone())
    }

    /// For every role and act: a grant exists exactly when the permission table allows it, it
    /// names the session's user, and each refusal is audited as `permission.denied`.
    #[test]
    fn a_grant_is_made_exactly_when_the_table_allows_and_refusals_are_audited() {
        let at = NaiveDate::from_ymd_opt(2026, 11, 25)
            .and_then(|d| d.and_hms_opt(14, 0, 0))
            .expect("time");
        let (_dir, paths, clock) = super::super::test_install::fresh_install(at, PW);
        let users = [
            ("sup", Role::Supervisor),
            ("clerk", Role::HrClerk),
            ("aud", Role::Auditor),
        ];
        let login = |name: &str| {
            let c: Arc<dyn crate::app::Clock> = clock.clone();
            Session::login(&paths, name, PW, c, &ThreadSleeper).expect("log in")
        };
        {
            let mut root = login("root");
            for (name, role) in users {
                root.add_user(name, role, PW).expect("user");
            }
        }
        let mut expected_refusals = 0;
        for (name, role) in users.into_iter().chain([("root", Role::Admin)]) {
            let s = login(name);
            let got = [
                (Action::OverrideRules, outcome::<OverrideRules>(&s)),
                (Action::DeviceAdmin, outcome::<AdministerDevice>(&s)),
                (Action::TakeSnapshot, outcome::<TakeSnapshot>(&s)),
                (Action::ChangeRules, outcome::<ExplainFinding>(&s)),
                (Action::ChangeRules, outcome::<ChangeRules>(&s)),
            ];
            for (action, grant) in got {
                if allowed(role, action) {
                    assert_eq!(grant.as_deref(), Some(name), "{role} {action}");
                } else {
                    assert_eq!(grant, None, "{role} {action}");
                    expected_refusals += 1;
                }
            }
        }
        let s = login("root");
        let denied = s
            .audit_log(&Default::default())
            .expect("log")
            .into_iter()
            .filter(|e| e.action == "permission.denied")
            .count();
        assert_eq!(denied, expected_refusals);
        // Of the five acts the clerk and the administrator are granted none, the auditor only the
        // snapshot and the supervisor all but the snapshot.
        assert_eq!(expected_refusals, 5 + 4 + 5 + 1);
    }
}
