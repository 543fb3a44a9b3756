//! Time and waiting, injectable: services take a [`Clock`] for "now" and a [`Sleeper`] for the
//! failed-log-in delay so tests control both. Nothing else in `app` reads the system clock.

use chrono::NaiveDateTime;
use std::sync::Mutex;
use std::time::Duration;

/// Where services get the current local time (terminals and reports work in local time).
pub trait Clock: Send + Sync {
    fn now(&self) -> NaiveDateTime;
}

/// The PC's local wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        chrono::Local::now().naive_local()
    }
}

/// A clock that shows a set time and moves only when told (tests, replays).
#[derive(Debug)]
pub struct FixedClock(Mutex<NaiveDateTime>);

impl FixedClock {
    pub fn new(at: NaiveDateTime) -> Self {
        FixedClock(Mutex::new(at))
    }
    pub fn set(&self, at: NaiveDateTime) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }
    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How the log-in throttle waits.
pub trait Sleeper: Send + Sync {
    fn sleep(&self, d: Duration);
}

/// Really sleeps (the CLI and the GUI's background thread).
#[derive(Debug, Default, Clone, Copy)]
pub struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&self, d: Duration) {
        if !d.is_zero() {
            std::thread::sleep(d);
        }
    }
}

/// Records the requested waits instead of sleeping (tests).
#[derive(Debug, Default)]
pub struct RecordingSleeper(Mutex<Vec<Duration>>);

impl RecordingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, d: Duration) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(d);
    }
}

/// Records the requested waits and moves a [`FixedClock`] on by each instead of sleeping: the
/// waits a real process would do, on a set clock (tests of the log-in throttle).
#[derive(Debug)]
pub struct AdvancingSleeper {
    clock: std::sync::Arc<FixedClock>,
    waits: Mutex<Vec<Duration>>,
}

impl AdvancingSleeper {
    pub fn new(clock: std::sync::Arc<FixedClock>) -> Self {
        AdvancingSleeper {
            clock,
            waits: Mutex::default(),
        }
    }
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Sleeper for AdvancingSleeper {
    fn sleep(&self, d: Duration) {
        self.waits.lock().unwrap_or_else(|e| e.into_inner()).push(d);
        self.clock
            .advance(chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero()));
    }
}
