//! "Try it with a simulated terminal": a sample database (示例单位, 30 employees matching the
//! simulator's generated users, a terminal 模拟考勤机, the standard shift C for everyone and a few
//! leave / outing / 补签 requests in the previous month) made through the same services as the CLI,
//! and the `kaoqin-sim` terminal run in-process on 127.0.0.1 on a background tokio runtime.
//!
//! The simulator's data is a function of a seed and a start date stored in the database (setting
//! [`SETTING_KEY`]), so every later start of the program serves the same punches. Must not print,
//! prompt or listen on anything but loopback.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use kaoqin_domain::{PunchKind, RequestKind, Span};
use kaoqin_sim::generator::{self, GenParams};
use kaoqin_sim::server::{self, Shared};
use kaoqin_store::audit::{self, NewEntry};
use kaoqin_store::terminals::{self, TerminalUpdate};
use kaoqin_store::{Store, TerminalKind, TextEncoding};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::clock::{Clock, Sleeper};
use super::employees::EmployeeInput;
use super::error::AppError;
use super::paths::Paths;
use super::permissions::Role;
use super::schedules::AssignTo;
use super::session::{self, Session};
use super::terminals::TerminalInput;

/// The sample organisation's name.
pub const DEMO_ORGANISATION: &str = "示例单位";
/// The simulated terminal's name.
pub const DEMO_TERMINAL: &str = "模拟考勤机";
/// App users of the sample database; all get the password chosen in the wizard.
pub const DEMO_ADMIN: &str = "admin";
pub const DEMO_SUPERVISOR: &str = "supervisor";
pub const DEMO_CLERK: &str = "clerk";
/// The shift the sample organisation works (a copy of preset C, see [`demo_shift`]), assigned to
/// everyone.
pub const DEMO_SHIFT: &str = "C1";
/// The serial number the demo terminal reports.
pub const DEMO_SERIAL: &str = "KQDEMO000001";
/// The setting that marks a database as the demo and holds the simulator's parameters.
pub const SETTING_KEY: &str = "demo.simulator";
/// Departments the sample employees are spread over, in turn.
pub const DEMO_DEPARTMENTS: [&str; 3] = ["办公室", "财务科", "业务科"];
const EMPLOYEES: usize = 30;
/// About two months of punches.
const DAYS: u32 = 61;
const SEED: u64 = 20_260_101;

/// What the simulator serves: stored in the database so it serves the same data every start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoSpec {
    pub seed: u64,
    pub employees: usize,
    pub days: u32,
    /// First day of punches; the last is `start + days - 1` (yesterday when the demo was made).
    pub start: NaiveDate,
    /// The port it listened on last time (tried first so the terminal's address stays valid).
    #[serde(default)]
    pub last_port: u16,
    /// Nobody works on the bundled calendar's holidays and everybody works its make-up days.
    /// Off for demos made before this existed, so their simulator keeps serving the same punches.
    #[serde(default)]
    pub follow_calendar: bool,
}

impl DemoSpec {
    /// Two months of punches ending the day before `today`.
    pub fn ending_yesterday(today: NaiveDate) -> Self {
        DemoSpec {
            seed: SEED,
            employees: EMPLOYEES,
            days: DAYS,
            start: today - Duration::days(i64::from(DAYS)),
            last_port: 0,
            follow_calendar: true,
        }
    }

    /// The calendar's exceptions in the period: (weekdays off, weekend workdays).
    fn calendar_exceptions(&self) -> (Vec<NaiveDate>, Vec<NaiveDate>) {
        let (mut off, mut work) = (Vec::new(), Vec::new());
        if !self.follow_calendar {
            return (off, work);
        }
        let cal = kaoqin_domain::Calendar::bundled_cn();
        for n in 0..self.days {
            let day = self.start + Duration::days(i64::from(n));
            let weekend = matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
            match (weekend, cal.day(day).kind.is_working()) {
                (false, false) => off.push(day),
                (true, true) => work.push(day),
                _ => {}
            }
        }
        (off, work)
    }

    fn params(&self) -> GenParams {
        GenParams {
            employees: self.employees,
            days: self.days,
            start: self.start,
            seed: self.seed,
            limit: None,
            days_off: Default::default(),
            workdays: Default::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("the simulated terminal cannot start: {0}")]
    Simulator(String),
}

impl From<kaoqin_store::StoreError> for DemoError {
    fn from(e: kaoqin_store::StoreError) -> Self {
        DemoError::App(AppError::Store(e))
    }
}

/// The in-process simulated terminal. Dropping it stops it (its runtime shuts down).
pub struct DemoSimulator {
    addr: SocketAddr,
    punches: usize,
    shared: Arc<Shared>,
    _runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for DemoSimulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DemoSimulator")
            .field("addr", &self.addr)
            .field("punches", &self.punches)
            .finish()
    }
}

impl DemoSimulator {
    /// Where it listens (ZK over TCP).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// How many punches it holds.
    pub fn punches(&self) -> usize {
        self.punches
    }

    /// The simulated terminal itself: its state, faults and counters (tests hold a transfer with
    /// it and wait on what the terminal has done instead of on time).
    pub fn terminal(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Sets the terminal's clock to show `now` (the program's clock), as an installer sets a new
    /// terminal's time, so the clock check of a download finds no skew in the demo.
    pub fn set_time(&self, now: NaiveDateTime) {
        let host = kaoqin_sim::clock::host_now();
        self.shared.term().clock.set_device_time(now, host);
    }

    /// Starts the simulator for `spec` on 127.0.0.1: on `spec.last_port` if that is free, else on
    /// a port the system chooses.
    pub fn start(spec: &DemoSpec) -> Result<Self, DemoError> {
        let sim_err =
            |what: &str, e: &dyn std::fmt::Display| DemoError::Simulator(format!("{what}: {e}"));
        let mut args: Vec<String> = vec!["kaoqin-sim".into()];
        for (flag, value) in [
            ("--employees", spec.employees.to_string()),
            ("--days", spec.days.to_string()),
            ("--start", spec.start.to_string()),
            ("--seed", spec.seed.to_string()),
            // Not the binary's default serial: a user may run a separate `kaoqin-sim` too, and the
            // ledger keys punches by serial.
            ("--serial-number", DEMO_SERIAL.to_string()),
            // Room for whatever the spec generates (at most a handful of punches a person a day);
            // never below the simulator's own default.
            (
                "--capacity",
                (spec.employees * spec.days as usize * 8)
                    .max(200_000)
                    .to_string(),
            ),
        ] {
            args.push(flag.into());
            args.push(value);
        }
        let (off, work) = spec.calendar_exceptions();
        for (flag, days) in [("--days-off", off), ("--workdays", work)] {
            if !days.is_empty() {
                let list: Vec<String> = days.iter().map(ToString::to_string).collect();
                args.push(flag.into());
                args.push(list.join(","));
            }
        }
        // The binary's own flag parser and terminal builder: the same terminal as `kaoqin-sim`.
        let parsed = <kaoqin_sim::cli::Args as clap::Parser>::try_parse_from(args)
            .map_err(|e| sim_err("flags", &e))?;
        let today = spec.start + Duration::days(i64::from(spec.days));
        let term = parsed
            .build_terminal(today)
            .map_err(|e| sim_err("terminal", &e))?;
        let punches = term.log().len();
        let shared = Shared::new(term, parsed.inline_max);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("kaoqin-demo-sim")
            .enable_all()
            .build()
            .map_err(|e| sim_err("runtime", &e))?;
        let listener = runtime.block_on(async {
            let preferred = SocketAddr::from(([127, 0, 0, 1], spec.last_port));
            match tokio::net::TcpListener::bind(preferred).await {
                Ok(l) => Ok(l),
                Err(_) => {
                    tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
                }
            }
        });
        let listener = listener.map_err(|e| sim_err("listen on 127.0.0.1", &e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| sim_err("listen on 127.0.0.1", &e))?;
        runtime.spawn(server::serve_tcp(Arc::clone(&shared), listener));
        tracing::info!(%addr, punches, "demo simulator listening");
        Ok(DemoSimulator {
            addr,
            punches,
            shared,
            _runtime: runtime,
        })
    }
}

/// The enrollment numbers and names the simulator generates for `spec` (the sample employees).
pub fn sample_people(spec: &DemoSpec) -> Vec<(String, String)> {
    generator::generate_users(&spec.params())
        .into_iter()
        .map(|u| (u.user_id, u.name))
        .collect()
}

/// Creates the sample database at `paths.db` (which must not be initialised yet), starts the
/// simulator and records its address in the terminal. Returns the running simulator: keep it.
pub fn create(
    paths: &Paths,
    password: &str,
    clock: std::sync::Arc<dyn Clock>,
    sleeper: &dyn Sleeper,
) -> Result<DemoSimulator, DemoError> {
    let mut spec = DemoSpec::ending_yesterday(clock.now().date());
    session::init(
        paths,
        DEMO_ORGANISATION,
        DEMO_ADMIN,
        password,
        clock.as_ref(),
    )?;
    let sim = DemoSimulator::start(&spec)?;
    sim.set_time(clock.now());
    spec.last_port = sim.addr().port();
    let mut admin = Session::login(paths, DEMO_ADMIN, password, clock.clone(), sleeper)?;
    admin.add_user(DEMO_SUPERVISOR, Role::Supervisor, password)?;
    admin.add_user(DEMO_CLERK, Role::HrClerk, password)?;
    for d in DEMO_DEPARTMENTS {
        admin.add_department(d, None)?;
    }
    let hired = spec.start - Duration::days(365);
    for (i, (no, name)) in sample_people(&spec).into_iter().enumerate() {
        let department = DEMO_DEPARTMENTS[i % DEMO_DEPARTMENTS.len()].to_string();
        admin.add_employee(&EmployeeInput {
            no,
            name,
            department,
            hired: Some(hired),
            position: None,
            card: None,
        })?;
    }
    admin.add_terminal(
        &TerminalInput {
            name: DEMO_TERMINAL.into(),
            kind: TerminalKind::ZkTcp,
            address: sim.addr().to_string(),
            baud: None,
            machine: None,
            encoding: TextEncoding::Gbk,
            location: Some("本机（模拟）".into()),
            serial: None,
        },
        "",
    )?;
    // The simulator's office signs in from 08:30 and out at 17:30–18:30: the standard preset C with
    // its sign-in window opened from 08:00 and its sign-out window kept open to 20:00 (an office's
    // edited copy, as the presets expect), for everyone.
    admin.add_shift(&demo_shift().to_json())?;
    admin.assign_schedule(&AssignTo::Organisation, DEMO_SHIFT, false, None, None)?;
    add_sample_requests(paths, password, &clock, sleeper, &spec)?;
    let value =
        serde_json::to_string(&spec).map_err(|e| DemoError::Simulator(format!("settings: {e}")))?;
    admin.act(
        super::permissions::Action::ManageTerminals,
        "demo.create",
        DEMO_TERMINAL,
        |tx| {
            kaoqin_store::settings::set(tx, SETTING_KEY, &value)?;
            Ok((
                (),
                json!({ "seed": spec.seed, "start": spec.start, "days": spec.days }),
            ))
        },
    )?;
    Ok(sim)
}

/// The sample organisation's shift: preset C (standard hours, late after 09:15, early before
/// 17:30) accepting sign-ins from 08:00 and sign-outs until 20:00.
pub fn demo_shift() -> kaoqin_domain::Shift {
    use kaoqin_domain::{ClockTime, PunchWindow};
    let mut shift = kaoqin_domain::presets::preset_c();
    shift.code = DEMO_SHIFT.into();
    shift.name_zh = "标准工时（示例单位）".into();
    shift.name_en = "Standard hours (sample office)".into();
    if let Some(am) = shift.sessions.first_mut() {
        am.sign_in = Some(PunchWindow {
            opens: ClockTime::hm(8, 0),
            closes: ClockTime::hm(11, 0),
        });
    }
    if let Some(pm) = shift.sessions.get_mut(1) {
        pm.sign_out = Some(PunchWindow {
            opens: ClockTime::hm(15, 30),
            closes: ClockTime::hm(20, 0),
        });
    }
    shift
}

/// A few requests in the month before the demo was made, entered by the clerk: two approved by the
/// supervisor (an annual leave, an afternoon outing), one approved supplement (补签) and one still
/// waiting (a personal leave), so the month's report shows each kind.
fn add_sample_requests(
    paths: &Paths,
    password: &str,
    clock: &std::sync::Arc<dyn Clock>,
    sleeper: &dyn Sleeper,
    spec: &DemoSpec,
) -> Result<(), DemoError> {
    let people = sample_people(spec);
    let Some(today) = spec
        .start
        .checked_add_signed(Duration::days(i64::from(spec.days)))
    else {
        return Ok(());
    };
    // The first Tuesday from the 12th of the previous month (fully inside the simulator's two
    // months, and past the holidays that open January, May and October).
    let from = NaiveDate::from_ymd_opt(today.year(), today.month(), 12)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(1)));
    let Some(from) = from else { return Ok(()) };
    let tuesday = from
        .iter_days()
        .find(|d| d.weekday() == chrono::Weekday::Tue)
        .unwrap_or(from);
    let day = |n: i64| tuesday + Duration::days(n);
    let no = |i: usize| people.get(i).map(|p| p.0.clone()).unwrap_or_default();
    let mut clerk = Session::login(paths, DEMO_CLERK, password, clock.clone(), sleeper)?;
    let leave = clerk.add_request(
        &no(0),
        RequestKind::Leave {
            leave_type: "annual".into(),
            span: Span::Days {
                from: day(0),
                to: day(1),
            },
        },
        "探亲",
    )?;
    let outing = clerk.add_request(
        &no(1),
        RequestKind::Outing {
            place: "市财政局".into(),
            span: Span::Session {
                date: day(2),
                session: 1,
            },
        },
        "报送年度预算材料",
    )?;
    let supplement = clerk.add_request(
        &no(2),
        RequestKind::Supplement {
            at: day(3).and_hms_opt(8, 50, 0).unwrap_or_default(),
            punch: PunchKind::In,
            evidence: "门卫登记簿".into(),
        },
        "人脸识别失败，忘记签到",
    )?;
    clerk.add_request(
        &no(3),
        RequestKind::Leave {
            leave_type: "personal".into(),
            span: Span::Days {
                from: day(6),
                to: day(6),
            },
        },
        "家中有事",
    )?;
    let mut supervisor = Session::login(paths, DEMO_SUPERVISOR, password, clock.clone(), sleeper)?;
    for id in [leave, outing, supplement] {
        supervisor.approve_request(id, "同意")?;
    }
    Ok(())
}

/// The demo parameters stored in the database at `paths.db`, if it is a demo database.
pub fn stored_spec(paths: &Paths) -> Result<Option<DemoSpec>, DemoError> {
    if !paths.db.is_file() {
        return Ok(None);
    }
    let store = Store::open(&paths.db)?;
    let Some(text) = kaoqin_store::settings::get(store.conn(), SETTING_KEY)? else {
        return Ok(None);
    };
    // A damaged setting makes this an ordinary database, not an error at start-up.
    Ok(serde_json::from_str(&text).ok())
}

/// On a later start: if `paths.db` is a demo database, starts its simulator again (same data) and,
/// when the old port was taken, points the terminal at the new one (audited as "system").
pub fn resume(paths: &Paths, now: NaiveDateTime) -> Result<Option<DemoSimulator>, DemoError> {
    let Some(mut spec) = stored_spec(paths)? else {
        return Ok(None);
    };
    let sim = DemoSimulator::start(&spec)?;
    sim.set_time(now);
    if sim.addr().port() != spec.last_port {
        spec.last_port = sim.addr().port();
        let value = serde_json::to_string(&spec)
            .map_err(|e| DemoError::Simulator(format!("settings: {e}")))?;
        let mut store = Store::open(&paths.db)?;
        let tx = store.transaction()?;
        let address = sim.addr().ip().to_string();
        terminals::update(
            &tx,
            DEMO_TERMINAL,
            &TerminalUpdate {
                address: Some(address),
                port: Some(Some(sim.addr().port())),
                ..Default::default()
            },
        )?;
        kaoqin_store::settings::set(&tx, SETTING_KEY, &value)?;
        audit::append(
            &tx,
            NewEntry {
                at: now,
                actor: "system".into(),
                role: None,
                action: "demo.simulator_address".into(),
                target: DEMO_TERMINAL.into(),
                details: json!({ "address": sim.addr().to_string() }),
            },
        )?;
        tx.commit().map_err(kaoqin_store::StoreError::from)?;
    }
    Ok(Some(sim))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sample_shift_is_valid_and_accepts_the_simulators_hours() {
        let s = super::demo_shift();
        assert_eq!(s.validate(), Ok(()));
        let am = s
            .sessions
            .first()
            .and_then(|x| x.sign_in)
            .expect("sign-in window");
        assert!(am.opens <= kaoqin_domain::ClockTime::hm(8, 30));
        let pm = s
            .sessions
            .get(1)
            .and_then(|x| x.sign_out)
            .expect("sign-out window");
        assert!(pm.closes >= kaoqin_domain::ClockTime::hm(18, 30));
    }
}
