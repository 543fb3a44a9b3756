//! Auditor snapshots (docs/domain.md §2.7): [`file`] writes and verifies the signed, self-contained file;
//! [`diff`] compares two snapshots (pure); [`take`] reads a terminal through the read-only
//! [`crate::readonly::AuditorConnector`] under the connection rules.
//!
//! Must not write anything to a terminal, nor to the database beyond the snapshot row and its
//! audit entry (the auditor's connection allows nothing else).

pub mod diff;
pub mod file;
pub mod key;
pub mod take;

pub use diff::{SnapshotDiff, diff};
pub use ed25519_dalek::SigningKey;
pub use file::{Manifest, SnapshotData, VerifyReport, verify};
pub use take::{TakeReport, take_snapshot};
