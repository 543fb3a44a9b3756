//! Pure attendance rules for Kaoqin (考勤): schedules, the holiday calendar, requests with approval,
//! reconciliation of punches into daily and monthly results, and the report model shared by the
//! Excel and GUI layers.
//!
//! No I/O (except bundled assets via `include_str!`), no clock reads (time is passed in), deterministic.
//!
//! # How the application calls it
//!
//! 1. Build the inputs from storage: `Vec<Employee>`, `Vec<Punch>` (from the day before the month to the
//!    day after, for night shifts), `Vec<Request>` (any state; only approved ones count), a
//!    `ScheduleBook` (shifts, rotations, assignments; `ScheduleBook::with_presets("C")` to start) and a
//!    `Calendar` (`Calendar::bundled_cn()` plus `set_day` for local days).
//! 2. `reconcile_month(&MonthInput { year, month, employees, punches, requests, book, calendar, now })`
//!    returns a `MonthResult`: `days` (one `DayResult` per employee-day, by employee number then date),
//!    `summaries` (per employee `Totals`), `departments`, `organisation`, `unknown_enrollments`.
//! 3. Print: `MonthResult::csv()` / `DayResult::csv_row()` / `DayResult::status_codes()` (the month CSV of
//!    `month show`); `report::month_sheet` (月度考勤表 with `DayCell`s, summary heads/cells, subtotals, legend),
//!    `report::exceptions` (异常报表), `report::publication_list` (公示, no leave reasons),
//!    `report::daily_detail` (日报). Symbols come from `report::SymbolSet` (configurable).
//! 4. Requests: `Request::draft`, `Request::validate(&default_leave_types())`, then
//!    `transition_by(&req, Action::Submit | Approve | Reject | Withdraw, &Actor { .. }, now)` (the
//!    caller says who the actor is: `ActorId` user or employee, their employee record, whether they
//!    entered it, whether they may decide; `transition` is the older form with a bare 工号);
//!    each transition appends an `AuditEntry`.
//!
//! Values typed by people are read once, here, for the CLI, the window and the services alike:
//! [`Month`] (`2026-03`), a request's [`Span`] (`Span::parse(from, to)`), dates and times
//! ([`timefmt`]), and the terminal secrets [`CommKey`] and [`DevicePassword`]; each has `FromStr`
//! and an error saying what to type instead.
//!
//! One employee-day on its own: `ScheduleBook::plan(&employee, date, &calendar)` gives the shift and the
//! day as it applies to that employee; `reconcile_day(&employee, date, &punches, plan.shift, &plan.day,
//! &requests, now)` gives the `DayResult`.

pub mod assignment;
pub mod calendar;
pub mod clock;
pub mod csv_safe;
mod daily_detail;
mod day_result;
pub mod exceptions;
mod matching;
pub mod month;
pub mod people;
pub mod presets;
pub mod reconcile;
pub mod report;
pub mod request;
pub mod schedule;
pub mod span;
pub mod terminal_secrets;
pub mod timefmt;
pub mod year_month;

pub use assignment::{Assignment, BookIndex, DayPlan, PlanRef, Rotation, ScheduleBook, Target};
pub use calendar::{Calendar, CalendarEntry, CalendarError, CalendarFile, DayInfo, DayKind};
pub use clock::{ClockTime, Rounding};
pub use month::{DepartmentTotals, MonthInput, MonthResult, MonthSummary, Totals, reconcile_month};
pub use people::{Employee, Punch, PunchKind, PunchOrigin};
pub use reconcile::{
    CSV_HEADER, DayResult, Excuse, LeaveUse, OvertimeKind, SessionOutcome, reconcile_day,
};
pub use request::{
    Action, Actor, ActorId, AuditEntry, LeaveType, OwnRequest, Request, RequestError, RequestKind,
    RequestState, Span, TransitionError, default_leave_types, transition, transition_by,
};
pub use schedule::{
    FlexRule, InOutMode, MissingPolicy, OvertimeRule, PunchDeadline, PunchWindow, Session, Shift,
    ShiftError,
};
pub use span::{SpanEnd, SpanError};
pub use terminal_secrets::{CommKey, CommKeyError, DevicePassword, DevicePasswordError};
pub use timefmt::{DateOrDateTime, TimeError};
pub use year_month::{Month, MonthError};
