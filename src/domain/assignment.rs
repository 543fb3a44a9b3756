//! Who works which shift when: organisation / department / employee assignments with effective dates,
//! and rotating patterns (a cycle of shifts over N days from a start date).
//!
//! Resolves a plan for one employee-day; must not look at punches or requests.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::calendar::{Calendar, DayInfo, DayKind};
use crate::people::Employee;
use crate::schedule::{Shift, ShiftError};

/// Whom an assignment applies to. More specific targets win: employee, then department, then organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "scope", content = "id")]
pub enum Target {
    Organisation,
    Department(String),
    Employee(String),
}

/// What is assigned: one shift following the calendar's work/rest days, or a rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "code")]
pub enum PlanRef {
    Shift(String),
    Rotation(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub target: Target,
    pub plan: PlanRef,
    /// First effective day (inclusive); `None` = always.
    pub from: Option<NaiveDate>,
    /// Last effective day (inclusive); `None` = open-ended.
    pub to: Option<NaiveDate>,
}

impl Assignment {
    fn covers(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| date >= f) && self.to.is_none_or(|t| date <= t)
    }
}

/// A cycle of shifts over N days starting on `start` (day 0); `None` entries are rest days.
/// A rotation replaces the calendar's weekends and make-up days; holidays still apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rotation {
    pub code: String,
    pub name: String,
    pub start: NaiveDate,
    pub cycle: Vec<Option<String>>,
}

impl Rotation {
    /// The shift code for `date`, or `None` for a rest day in the cycle.
    pub fn shift_on(&self, date: NaiveDate) -> Option<&str> {
        let n = i64::try_from(self.cycle.len()).ok().filter(|&n| n > 0)?;
        let idx = (date - self.start).num_days().rem_euclid(n);
        self.cycle.get(usize::try_from(idx).ok()?)?.as_deref()
    }
}

/// All shifts, rotations and assignments of an organisation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleBook {
    pub shifts: BTreeMap<String, Shift>,
    #[serde(default)]
    pub rotations: BTreeMap<String, Rotation>,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BookError {
    #[error(transparent)]
    Shift(#[from] ShiftError),
    #[error("assignment {index}: there is no shift '{code}'")]
    UnknownShift { index: usize, code: String },
    #[error("assignment {index}: there is no rotation '{code}'")]
    UnknownRotation { index: usize, code: String },
    #[error("rotation {rotation}: day {day} names shift '{code}', which does not exist")]
    RotationUnknownShift {
        rotation: String,
        day: usize,
        code: String,
    },
    #[error("rotation {rotation}: the cycle is empty")]
    EmptyRotation { rotation: String },
    #[error("assignment {index}: it ends ({to}) before it starts ({from})")]
    BadRange {
        index: usize,
        from: NaiveDate,
        to: NaiveDate,
    },
}

/// The schedule of one employee-day.
#[derive(Debug, Clone, Copy)]
pub struct DayPlan<'a> {
    /// The shift in force (on rest days and holidays it supplies the overtime rule); `None` when nothing is assigned.
    pub shift: Option<&'a Shift>,
    /// The calendar day as it applies to this employee (rotations replace weekends).
    pub day: DayInfo,
    /// No assignment covers the day.
    pub unassigned: bool,
}

impl ScheduleBook {
    /// A book holding the four presets and an organisation default of `default_code`.
    pub fn with_presets(default_code: &str) -> Self {
        let mut book = ScheduleBook::default();
        for s in crate::presets::all() {
            book.shifts.insert(s.code.clone(), s);
        }
        book.assignments.push(Assignment {
            target: Target::Organisation,
            plan: PlanRef::Shift(default_code.to_string()),
            from: None,
            to: None,
        });
        book
    }

    pub fn validate(&self) -> Result<(), BookError> {
        for s in self.shifts.values() {
            s.validate()?;
        }
        for r in self.rotations.values() {
            if r.cycle.is_empty() {
                return Err(BookError::EmptyRotation {
                    rotation: r.code.clone(),
                });
            }
            for (day, code) in r.cycle.iter().enumerate() {
                if let Some(code) = code
                    && !self.shifts.contains_key(code)
                {
                    return Err(BookError::RotationUnknownShift {
                        rotation: r.code.clone(),
                        day,
                        code: code.clone(),
                    });
                }
            }
        }
        for (index, a) in self.assignments.iter().enumerate() {
            if let (Some(from), Some(to)) = (a.from, a.to)
                && to < from
            {
                return Err(BookError::BadRange { index, from, to });
            }
            match &a.plan {
                PlanRef::Shift(c) if !self.shifts.contains_key(c) => {
                    return Err(BookError::UnknownShift {
                        index,
                        code: c.clone(),
                    });
                }
                PlanRef::Rotation(c) if !self.rotations.contains_key(c) => {
                    return Err(BookError::UnknownRotation {
                        index,
                        code: c.clone(),
                    });
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Every shift someone may work on `date`: the shifts of all assignments covering it (for a
    /// rotation, its shift of that day), each once, in code order. Rest days of the calendar are
    /// not consulted: the caller decides whether they matter.
    pub fn shifts_in_use(&self, date: NaiveDate) -> Vec<&Shift> {
        let codes: std::collections::BTreeSet<&str> = self
            .assignments
            .iter()
            .filter(|a| a.covers(date))
            .filter_map(|a| match &a.plan {
                PlanRef::Shift(code) => Some(code.as_str()),
                PlanRef::Rotation(code) => self.rotations.get(code)?.shift_on(date),
            })
            .collect();
        codes
            .into_iter()
            .filter_map(|c| self.shifts.get(c))
            .collect()
    }

    /// An index for fast look-ups over many employees.
    pub fn index(&self) -> BookIndex<'_> {
        let mut idx = BookIndex {
            book: self,
            org: Vec::new(),
            dept: BTreeMap::new(),
            emp: BTreeMap::new(),
        };
        for (i, a) in self.assignments.iter().enumerate() {
            match &a.target {
                Target::Organisation => idx.org.push(i),
                Target::Department(d) => idx.dept.entry(d.as_str()).or_default().push(i),
                Target::Employee(e) => idx.emp.entry(e.as_str()).or_default().push(i),
            }
        }
        idx
    }

    /// The plan for one employee-day (builds a throw-away index; use `index()` for many).
    pub fn plan(&self, employee: &Employee, date: NaiveDate, calendar: &Calendar) -> DayPlan<'_> {
        self.index().plan(employee, date, calendar)
    }
}

/// Assignments grouped by target.
pub struct BookIndex<'a> {
    book: &'a ScheduleBook,
    org: Vec<usize>,
    dept: BTreeMap<&'a str, Vec<usize>>,
    emp: BTreeMap<&'a str, Vec<usize>>,
}

impl<'a> BookIndex<'a> {
    /// The assignment in force: the most specific target; among equals the latest start, then the later entry.
    pub fn assignment(&self, employee: &Employee, date: NaiveDate) -> Option<&'a Assignment> {
        let levels = [
            self.emp.get(employee.no.as_str()),
            self.dept.get(employee.department.as_str()),
            Some(&self.org),
        ];
        for list in levels.into_iter().flatten() {
            let best = list
                .iter()
                .filter_map(|&i| self.book.assignments.get(i))
                .filter(|a| a.covers(date))
                .enumerate()
                .max_by_key(|(pos, a)| (a.from, *pos))
                .map(|(_, a)| a);
            if best.is_some() {
                return best;
            }
        }
        None
    }

    pub fn plan(&self, employee: &Employee, date: NaiveDate, calendar: &Calendar) -> DayPlan<'a> {
        let day = calendar.day(date);
        let Some(a) = self.assignment(employee, date) else {
            return DayPlan {
                shift: None,
                day,
                unassigned: true,
            };
        };
        match &a.plan {
            PlanRef::Shift(code) => {
                let shift = self.book.shifts.get(code);
                DayPlan {
                    shift,
                    day,
                    unassigned: shift.is_none(),
                }
            }
            PlanRef::Rotation(code) => {
                let Some(rot) = self.book.rotations.get(code) else {
                    return DayPlan {
                        shift: None,
                        day,
                        unassigned: true,
                    };
                };
                let today = rot.shift_on(date).and_then(|c| self.book.shifts.get(c));
                // On a rest day of the cycle the first shift of the cycle supplies the overtime and day-change rules.
                let fallback = rot
                    .cycle
                    .iter()
                    .flatten()
                    .find_map(|c| self.book.shifts.get(c));
                let mut day = day;
                if !day.kind.is_holiday() {
                    day.kind = if today.is_some() {
                        DayKind::Workday
                    } else {
                        DayKind::RestDay
                    };
                }
                let shift = today.or(fallback);
                DayPlan {
                    shift,
                    day,
                    unassigned: shift.is_none(),
                }
            }
        }
    }
}
