//! The proofs the application layer hands this crate before a privileged act. Sync holds no
//! permission table and no role names: the one table is the application's (ARCHITECTURE.md,
//! "Invariants"). A function that acts for a role — overriding the connection rules, writing to a
//! terminal, taking a snapshot, explaining a finding, changing the rules — takes a
//! `&dyn Grant<A>` for its act `A` and records the grant's actor in its audit entry.
//!
//! The application implements [`Grant`] on a value only its permission check constructs
//! (`kaoqin::app::Authorized`), so a shell cannot call these functions without passing that check.
//! Must not decide who may do what: that would be a second permission table.

use crate::session::Actor;

/// One privileged act sync performs for a user. The marker types below are the acts.
pub trait Act: 'static {}

/// Connect although the connection rules refuse (peak window, spacing), with a reason.
pub enum OverrideRules {}
/// Write to a terminal or read its users: admin password, clock, policy, enrollment.
pub enum AdministerDevice {}
/// A read-only connection that keeps a signed snapshot of the terminal's data.
pub enum TakeSnapshot {}
/// Mark a stored finding as explained, with a note.
pub enum ExplainFinding {}
/// Change the stored connection rules or the check thresholds.
pub enum ChangeRules {}

impl Act for OverrideRules {}
impl Act for AdministerDevice {}
impl Act for TakeSnapshot {}
impl Act for ExplainFinding {}
impl Act for ChangeRules {}

/// The application's word that [`Grant::actor`] may perform `A` now.
pub trait Grant<A: Act>: Send + Sync {
    /// Who was granted the act; recorded in the audit entry of its effect.
    fn actor(&self) -> &Actor;
}

/// `--override "reason"`: used only if the rules refuse. Made only from a grant of
/// [`OverrideRules`], so holding one is the proof that the override is permitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesOverride {
    granted_to: String,
    reason: String,
}

impl RulesOverride {
    pub fn new(grant: &dyn Grant<OverrideRules>, reason: impl Into<String>) -> RulesOverride {
        RulesOverride {
            granted_to: grant.actor().name.clone(),
            reason: reason.into(),
        }
    }

    /// The reason as given (the policy refuses a blank one).
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The user the override was granted to: the session checks it is the one running it.
    pub fn granted_to(&self) -> &str {
        &self.granted_to
    }
}
