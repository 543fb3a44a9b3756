//! Shared helpers for the CLI end-to-end tests: a temp directory per test, the real `kaoqin`
//! binary, and environment variables for the database, directories and passwords.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const ADMIN_PW: &str = "admin-pw-1";
pub const USER_PW: &str = "user-pw-22";

pub struct Env {
    pub dir: tempfile::TempDir,
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

/// Environment that makes the real `kaoqin` binary see the local time `at` ("YYYY-MM-DD HH:MM:SS",
/// then running on from there) through libfaketime (Debian package `faketime`, installed by
/// tests/run): the binary reads the PC's clock and takes no other. Monotonic time stays real, so
/// the session's time limit and timeouts behave as usual. Fails, never skips, without it.
#[cfg(target_os = "linux")]
pub fn faked_time(at: &str) -> Vec<(&'static str, String)> {
    let lib = std::fs::read_dir("/usr/lib")
        .into_iter()
        .flatten()
        .flatten()
        .map(|d| d.path().join("faketime/libfaketime.so.1"))
        .chain([std::path::PathBuf::from(
            "/usr/lib/faketime/libfaketime.so.1",
        )])
        .find(|p| p.exists())
        .expect("libfaketime is missing: run tests/run (it installs the Debian package faketime)");
    vec![
        ("LD_PRELOAD", lib.display().to_string()),
        ("FAKETIME", format!("@{at}")),
        ("FAKETIME_DONT_FAKE_MONOTONIC", "1".into()),
    ]
}
