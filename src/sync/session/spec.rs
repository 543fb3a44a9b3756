//! What a supervised session is before it starts: who runs it ([`Actor`]), on which terminal under
//! which rules ([`SessionSpec`]), and the injected "now" ([`Clock`], [`SystemClock`]).
//!
//! Plain values only. Must not check rules, touch the database or the link, nor read the PC clock
//! anywhere but [`SystemClock`].

use chrono::NaiveDateTime;
use kaoqin_store::Role;
use kaoqin_store::sessions::SessionKind;
use kaoqin_store::terminals::Terminal;

use crate::grant::RulesOverride;
use crate::policy::ConnectionRules;

/// The PC's local wall clock, injected so rules and tests agree on "now".
pub trait Clock: Send + Sync {
    fn now(&self) -> NaiveDateTime;
}

/// `chrono::Local::now()`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Local::now().naive_local()
    }
}

impl std::fmt::Debug for dyn Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// Who runs the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// What a session is and under which rules it runs.
#[derive(Debug, Clone)]
pub struct SessionSpec {
    pub kind: SessionKind,
    pub actor: Actor,
    pub terminal: Terminal,
    pub rules: ConnectionRules,
    /// `--override "reason"`: used only if the rules refuse; made only from the application's
    /// grant ([`crate::grant`]).
    pub rules_override: Option<RulesOverride>,
}
