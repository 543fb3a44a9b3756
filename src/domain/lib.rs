//! Pure attendance rules for Kaoqin (考勤): schedules, the holiday calendar, requests with approval,
//! reconciliation of punches into daily and monthly results, and the report model shared by the
//! Excel and GUI layers.
//!
//! No I/O (except bundled assets via `include_str!`), no clock reads (time is passed in), deterministic.

pub mod assignment;
pub mod calendar;
pub mod clock;
pub mod month;
pub mod people;
pub mod presets;
pub mod reconcile;
pub mod report;
pub mod request;
pub mod schedule;

pub use assignment::{Assignment, BookIndex, DayPlan, PlanRef, Rotation, ScheduleBook, Target};
pub use calendar::{Calendar, CalendarEntry, CalendarError, CalendarFile, DayInfo, DayKind};
pub use clock::{ClockTime, Rounding};
pub use month::{DepartmentTotals, MonthInput, MonthResult, MonthSummary, Totals, reconcile_month};
pub use people::{Employee, Punch, PunchKind};
pub use reconcile::{
    CSV_HEADER, DayResult, Excuse, LeaveUse, OvertimeKind, SessionOutcome, reconcile_day,
};
pub use request::{
    Action, AuditEntry, LeaveType, Request, RequestError, RequestKind, RequestState, Span,
    TransitionError, default_leave_types, transition,
};
pub use schedule::{
    FlexRule, InOutMode, MissingPolicy, OvertimeRule, PunchWindow, Session, Shift, ShiftError,
};
