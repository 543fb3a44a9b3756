//! Exports of a month: the typed tables, their .xlsx layout and their CSV form.
//!
//! Must not read the database or the clock: everything comes in through `MonthReport`.

pub mod csv_out;
pub mod tables;
pub mod xlsx;
