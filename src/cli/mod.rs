//! The `kaoqin` command line: argument definitions, secret input, output formatting, dispatch.

pub mod args;
pub mod cmd_attendance;
pub mod cmd_device;
pub mod cmd_evidence;
pub mod cmd_reports;
pub mod cmd_requests;
pub mod cmd_snapshot;
pub mod cmd_sync;
pub mod input;
pub mod out;
pub mod run;
pub mod table;

pub use run::{exit, exit_code, main_entry};
