//! `kaoqin-sync`: supervised terminal sessions (docs/domain.md §2). Where the drivers meet the
//! store; it knows nothing of the GUI or the CLI, which both call the services below.
//!
//! # Pure parts (no I/O, time passed in)
//! - [`policy`]: [`ConnectionRules`] (peak windows from sessions' latest sign-in / earliest sign-out,
//!   margins 45/45 min, time limit 180 s, spacing 10 min), `check(rules, last_end, now)`,
//!   `decide(.., override)` → allowed / refused with the rule and the earliest allowed time.
//! - [`checks`]: findings from a download (clock skew, time going backwards / jumps / in the future,
//!   non-face verification, unknown enrollment numbers), each naming its records.
//! - [`attlog`]: ZK `attlog.dat` and our punches CSV → punches + per-line errors.
//!
//! # Services
//! - [`session`]: [`SupervisedSession`] (rules, hard time limit, enable on every path, session row +
//!   audit), over any [`link::Connector`]; [`zk::ZkConnector`] is the real ZK one.
//! - [`download::download`]: the whole download into the ledger in one transaction.
//! - [`import::import_punches_file`]: USB-stick import with the same dedup, checks and audit.
//! - [`listing`]: the punches and sessions CSV; [`settings`]: stored rules and thresholds;
//!   [`findings::explain_finding`]: a supervisor explains a finding (audited).
//! - [`grant`]: the application's proofs for privileged acts; sync holds no role names.

pub mod attlog;
pub mod checks;
pub mod device_admin;
pub mod download;
mod error;
pub mod findings;
pub mod grant;
pub mod import;
pub mod lease;
pub mod link;
pub mod listing;
pub mod policy;
pub mod readonly;
mod recovery;
pub mod session;
pub mod settings;
pub mod snapshot;
pub mod zk;

pub use download::{DownloadReport, download, download_terminal};
pub use error::SyncError;
pub use grant::{Grant, RulesOverride};
pub use import::{ImportOptions, ImportReport, import_punches_file, import_punches_file_with};
pub use link::{CancellationToken, Connector, TerminalLink};
pub use policy::ConnectionRules;
pub use session::{
    Actor, Clock, Phase, SessionIo, SessionProgress, SupervisedSession, SystemClock,
    progress_channel,
};
pub use settings::SyncSettings;
pub use zk::ZkConnector;
