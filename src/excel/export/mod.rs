//! Exports of a month: the typed tables, their .xlsx layout and their CSV form; and the auditor's
//! snapshot comparison report (`snapshot_diff`).
//!
//! Must not read the database or the clock: everything comes in through `MonthReport`.

pub mod csv_out;
mod overtime;
pub mod snapshot_diff;
pub mod tables;
pub mod xlsx;
