//! Reading and verifying the audit chain (appending is `Session::act`'s job, in the act's
//! transaction). Verification is read-only so an auditor can run it on their connection.

use chrono::NaiveDate;
use kaoqin_store::audit::{self, AuditFilter, VerifyReport};

pub use kaoqin_store::audit::{AuditEntry, Break, BreakReason};

use super::error::AppResult;
use super::permissions::Action;
use super::session::Session;

/// Which entries to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub since: Option<NaiveDate>,
    pub actor: Option<String>,
    pub action: Option<String>,
}

impl Session {
    pub fn audit_log(&self, q: &AuditQuery) -> AppResult<Vec<AuditEntry>> {
        self.require(Action::ViewAudit, "audit log")?;
        let f = AuditFilter {
            since: q.since.and_then(|d| d.and_hms_opt(0, 0, 0)),
            actor: q.actor.clone(),
            action: q.action.clone(),
        };
        Ok(audit::list(self.conn(), &f)?)
    }

    /// Walks the chain; the report names the first broken link, if any.
    pub fn verify_audit(&self) -> AppResult<VerifyReport> {
        self.require(Action::VerifyAudit, "audit log")?;
        Ok(audit::verify(self.conn())?)
    }
}
