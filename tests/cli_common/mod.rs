//! Shared helpers for the CLI end-to-end tests: a temp directory per test, the real `kaoqin`
//! binary, and environment variables for the database, directories and passwords.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, OnceLock};

pub const ADMIN_PW: &str = "admin-pw-1";
pub const USER_PW: &str = "user-pw-22";

pub struct Env {
    pub dir: tempfile::TempDir,
    /// The clock this database's runs share with a simulator, once [`Env::share_clock`] is called.
    clock: OnceLock<Arc<SharedClock>>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temp dir"),
            clock: OnceLock::new(),
        }
    }

    /// From now on every run of this database moves `clock` on first ([`SharedClock`]).
    pub fn share_clock(&self, clock: Arc<SharedClock>) {
        assert!(self.clock.set(clock).is_ok(), "the clock is shared once");
    }

    /// The shared clock, if any, moved on for the next run; its environment for that run.
    fn next_clock_env(&self) -> Vec<(&'static str, String)> {
        match self.clock.get() {
            Some(c) => {
                c.step();
                c.env()
            }
            None => Vec::new(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("kaoqin.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A command with the database and directories set, no user and no passwords.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kaoqin"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("KAOQIN_DB", self.db())
            .env("KAOQIN_DATA_DIR", self.dir.path().join("data"))
            .env("KAOQIN_CONFIG_DIR", self.dir.path().join("config"))
            .stdin(std::process::Stdio::null());
        c
    }

    /// Runs `args` as `user` with `password`, plus extra env vars.
    pub fn run_as(&self, user: &str, password: &str, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let mut c = self.cmd();
        c.envs(self.next_clock_env());
        c.env("KAOQIN_USER", user).env("KAOQIN_PASSWORD", password);
        for (k, v) in extra {
            c.env(k, v);
        }
        Run::from(c.args(args).output().expect("run kaoqin"))
    }

    /// Runs `args` as `user` with the binary seeing the local time `at` ([`faked_time`]).
    #[cfg(target_os = "linux")]
    pub fn run_as_at(&self, user: &str, password: &str, args: &[&str], at: &str) -> Run {
        let env = faked_time(at);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.run_as(user, password, args, &env)
    }

    pub fn admin(&self, args: &[&str]) -> Run {
        self.run_as("root", ADMIN_PW, args, &[])
    }

    pub fn raw(&self, args: &[&str], envs: &[(&str, &str)]) -> Run {
        let mut c = self.cmd();
        c.envs(self.next_clock_env());
        for (k, v) in envs {
            c.env(k, v);
        }
        Run::from(c.args(args).output().expect("run kaoqin"))
    }

    /// `kaoqin init` with the admin "root".
    pub fn init(&self) -> Run {
        self.raw(
            &["init", "--org", "测试单位", "--admin", "root"],
            &[("KAOQIN_PASSWORD", ADMIN_PW)],
        )
    }

    /// init + one user per role + a department + an employee.
    pub fn populated() -> Env {
        let env = Env::new();
        ok(&env.init());
        for (name, role) in [
            ("sup", "supervisor"),
            ("clerk", "hr_clerk"),
            ("aud", "auditor"),
        ] {
            ok(&env.run_as(
                "root",
                ADMIN_PW,
                &["user", "add", "--name", name, "--role", role],
                &[("KAOQIN_NEW_PASSWORD", USER_PW)],
            ));
        }
        ok(&env.admin(&["department", "add", "办公室"]));
        ok(&env.admin(&[
            "employee",
            "add",
            "--no",
            "1001",
            "--name",
            "张三",
            "--department",
            "办公室",
            "--hired",
            "2025-01-06",
        ]));
        env
    }
}

#[track_caller]
pub fn ok(r: &Run) {
    assert_eq!(r.code, 0, "{r:?}");
}

#[track_caller]
pub fn fails(r: &Run, code: i32, message: &str) {
    assert_eq!(r.code, code, "{r:?}");
    assert!(
        r.stderr.contains(message),
        "expected {message:?} in stderr: {r:?}"
    );
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// The path of libfaketime (Debian package `faketime`, installed by tests/run). Fails, never
/// skips, without it.
#[cfg(target_os = "linux")]
fn libfaketime() -> PathBuf {
    std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path().join("faketime/libfaketime.so.1"))
        .chain([PathBuf::from("/usr/lib/faketime/libfaketime.so.1")])
        .find(|p| p.exists())
        .expect("libfaketime is missing: run tests/run (it installs the Debian package faketime)")
}

/// A clock that the `kaoqin` runs of one database and the simulator they talk to share: the real
/// time plus a shift, read by libfaketime from one file on every clock reading. The shift moves on
/// by [`SharedClock::STEP_SECS`] before each `kaoqin` run, so that consecutive connections keep
/// the smallest spacing rule the supervisor can set (one minute, docs/domain.md §2.3) without the test
/// waiting for it, while the terminal's clock and the PC's stay together (no clock-skew finding,
/// and a clock sync leaves an offset of 0). Monotonic time stays real: time limits and timeouts
/// behave as usual. A run at a set time ([`Env::run_as_at`]) takes that time instead: libfaketime
/// prefers `FAKETIME` to the file.
pub struct SharedClock {
    dir: tempfile::TempDir,
    shift_secs: AtomicI64,
}

impl SharedClock {
    /// More than the one-minute spacing, with the second it is counted in to spare.
    pub const STEP_SECS: i64 = 62;

    pub fn new() -> Arc<SharedClock> {
        let c = SharedClock {
            dir: tempfile::tempdir().expect("temp dir"),
            shift_secs: AtomicI64::new(0),
        };
        c.write(0);
        Arc::new(c)
    }

    fn file(&self) -> PathBuf {
        self.dir.path().join("faketime")
    }

    fn write(&self, shift: i64) {
        std::fs::write(self.file(), format!("+{shift}\n")).expect("write the clock file");
    }

    /// Moves the clock on by [`SharedClock::STEP_SECS`].
    pub fn step(&self) {
        let shift = self.shift_secs.fetch_add(Self::STEP_SECS, Ordering::SeqCst) + Self::STEP_SECS;
        self.write(shift);
    }

    /// Seconds the shared clock is ahead of the real one.
    pub fn shift_secs(&self) -> i64 {
        self.shift_secs.load(Ordering::SeqCst)
    }

    /// Environment of a process that reads this clock (libfaketime: Linux only).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        #[cfg(not(target_os = "linux"))]
        panic!("a shared clock needs libfaketime, which only Linux has");
        #[cfg(target_os = "linux")]
        vec![
            ("LD_PRELOAD", libfaketime().display().to_string()),
            ("FAKETIME_TIMESTAMP_FILE", self.file().display().to_string()),
            ("FAKETIME_NO_CACHE", "1".into()),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1".into()),
        ]
    }
}

/// Environment that makes the real `kaoqin` binary see the local time `at` ("YYYY-MM-DD HH:MM:SS",
/// then running on from there) through libfaketime (Debian package `faketime`, installed by
/// tests/run): the binary reads the PC's clock and takes no other. Monotonic time stays real, so
/// the session's time limit and timeouts behave as usual. Fails, never skips, without it.
#[cfg(target_os = "linux")]
pub fn faked_time(at: &str) -> Vec<(&'static str, String)> {
    vec![
        ("LD_PRELOAD", libfaketime().display().to_string()),
        ("FAKETIME", format!("@{at}")),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1".into()),
    ]
}
