//! Command-line options of `kaoqin-sim` and building the initial terminal state from them
//! (generated data or CSV files). Reads the CSV files it is given; opens no sockets.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Parser, ValueEnum};

use crate::csvio;
use crate::generator::{self, GenParams};
use crate::model::SimUser;
use crate::state::{DeviceInfo, Terminal, TextEncoding};

const AFTER_HELP: &str = "\
STDOUT (machine-readable; everything else goes to stderr via tracing, RUST_LOG=debug for more):
  Once every port is open, kaoqin-sim prints one line per transport, then 'ready':
    tcp 127.0.0.1:40123
    udp 127.0.0.1:40124
    pty /dev/pts/5
    control 127.0.0.1:40125
    ready
  Only the transports that were asked for are printed. Port 0 picks a free port; the line shows
  the chosen one. Nothing else is ever written to stdout.

DATA:
  Without --users/--log, users and punches are generated from --seed (same seed, same data).
  --users FILE: CSV, no header: uid,user_id,name,privilege,password,card,group[,fingerprint,face]
                (fingerprint/face are 0/1; face defaults to 1). Names in UTF-8.
  --log FILE:   CSV, no header, the columns of `kaoqin-zk log --format csv`:
                enrollment number,YYYY-MM-DD HH:MM:SS,verify,state,workcode
                With --log but no --users, one user is created per enrollment number in the log.

CONTROL PORT (--control 127.0.0.1:PORT, loopback only; connect with e.g. `nc 127.0.0.1 PORT`):
";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EncodingArg {
    Gbk,
    Utf8,
}

/// A simulated ZK face attendance terminal speaking the real protocol over TCP, UDP and a
/// pseudo-terminal (serial), with a control port for tests and demos.
#[derive(Debug, Parser)]
#[command(name = "kaoqin-sim", version, after_help = format!("{AFTER_HELP}{}", crate::control::HELP))]
pub struct Args {
    /// Serve the ZK protocol over TCP on ADDR (port 0 = any free port).
    /// Without --tcp, --udp and --pty: TCP and UDP on 127.0.0.1:4370.
    #[arg(long, value_name = "ADDR")]
    pub tcp: Option<SocketAddr>,
    /// Serve the ZK protocol over UDP on ADDR (port 0 = any free port).
    #[arg(long, value_name = "ADDR")]
    pub udp: Option<SocketAddr>,
    /// Open a pseudo-terminal carrying TCP-framed packets (serial simulation); prints its path.
    #[arg(long)]
    pub pty: bool,
    /// Control port for line commands (loopback addresses only).
    #[arg(long, value_name = "ADDR")]
    pub control: Option<SocketAddr>,

    /// Number of generated employees.
    #[arg(long, default_value_t = 20)]
    pub employees: usize,
    /// Number of generated days of punches.
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// First generated day (YYYY-MM-DD); default: --days days before today.
    #[arg(long, value_name = "DATE")]
    pub start: Option<NaiveDate>,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Keep only the first N generated punches (e.g. exactly 100000 for benchmarks).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Weekdays nobody works (public holidays), comma-separated YYYY-MM-DD.
    #[arg(long, value_name = "DATES", value_delimiter = ',')]
    pub days_off: Vec<NaiveDate>,
    /// Weekend days everybody works (调休 make-up days), comma-separated YYYY-MM-DD.
    #[arg(long, value_name = "DATES", value_delimiter = ',')]
    pub workdays: Vec<NaiveDate>,
    /// Load users from this CSV instead of generating them.
    #[arg(long, value_name = "FILE")]
    pub users: Option<PathBuf>,
    /// Load the attendance log from this CSV instead of generating it.
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// Serial number (option ~SerialNumber).
    #[arg(long, default_value = "KQSIM0000001")]
    pub serial_number: String,
    /// Platform (option ~Platform).
    #[arg(long, default_value = "ZMM220_TFT")]
    pub platform: String,
    /// Firmware version string (GET_VERSION).
    #[arg(long, default_value = "Ver 6.60 Apr 28 2015")]
    pub firmware: String,
    /// Device name (option ~DeviceName).
    #[arg(long, default_value = "Kaoqin SimFace")]
    pub device_name: String,
    /// MAC address (option MAC).
    #[arg(long, default_value = "00:17:61:12:34:56")]
    pub mac: String,
    /// Attendance record size: 16, 40 or 49 bytes (16 needs numeric enrollment numbers).
    #[arg(long, default_value_t = 40, value_parser = att_size)]
    pub att_format: usize,
    /// User record size: 28 or 72 bytes (28 needs numeric enrollment numbers, 8-byte names).
    #[arg(long, default_value_t = 72, value_parser = user_size)]
    pub user_format: usize,
    /// Text encoding of names.
    #[arg(long, value_enum, default_value_t = EncodingArg::Gbk)]
    pub encoding: EncodingArg,
    /// Comm key (0 = none). With a key, CONNECT is answered 2005 until AUTH succeeds.
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=999_999))]
    pub comm_key: u32,
    /// Attendance capacity in records (at least 200000 by default).
    #[arg(long, default_value_t = 200_000)]
    pub capacity: usize,
    /// User capacity.
    #[arg(long, default_value_t = 30_000)]
    pub user_capacity: usize,
    /// Initial clock offset in seconds (terminal time = host local time + offset).
    #[arg(long, default_value_t = 0, allow_hyphen_values = true)]
    pub clock_offset: i64,
    /// Datasets up to this many bytes are answered inline (one DATA reply to PREPARE_BUFFER,
    /// like small real terminals); larger ones through PREPARE_DATA/DATA chunks. 0 = never inline.
    #[arg(long, default_value_t = 1016)]
    pub inline_max: usize,
}

fn size_in(s: &str, allowed: &[usize]) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if allowed.contains(&n) => Ok(n),
        _ => Err(format!("must be one of {allowed:?}")),
    }
}

fn att_size(s: &str) -> Result<usize, String> {
    size_in(s, &[16, 40, 49])
}

fn user_size(s: &str) -> Result<usize, String> {
    size_in(s, &[28, 72])
}

impl Args {
    /// The transports to open, applying the default (TCP + UDP on 127.0.0.1:4370).
    pub fn endpoints(&self) -> (Option<SocketAddr>, Option<SocketAddr>) {
        if self.tcp.is_none() && self.udp.is_none() && !self.pty {
            let default = SocketAddr::from(([127, 0, 0, 1], 4370));
            (Some(default), Some(default))
        } else {
            (self.tcp, self.udp)
        }
    }

    pub fn device_info(&self) -> DeviceInfo {
        DeviceInfo {
            serial_number: self.serial_number.clone(),
            platform: self.platform.clone(),
            firmware: self.firmware.clone(),
            device_name: self.device_name.clone(),
            mac: self.mac.clone(),
            att_record_size: self.att_format,
            user_record_size: self.user_format,
            encoding: match self.encoding {
                EncodingArg::Gbk => TextEncoding::Gbk,
                EncodingArg::Utf8 => TextEncoding::Utf8,
            },
            comm_key: self.comm_key,
            att_capacity: self.capacity,
            user_capacity: self.user_capacity,
            ..DeviceInfo::default()
        }
    }

    /// Build the terminal: identity from the flags, users and log from files or the generator.
    /// `today` is the host's local date (used only when --start is missing).
    pub fn build_terminal(&self, today: NaiveDate) -> anyhow::Result<Terminal> {
        if let Some(c) = self.control
            && !c.ip().is_loopback()
        {
            bail!(
                "--control {c}: the control port may only listen on a loopback address (127.0.0.1 or ::1)"
            );
        }
        let start = self
            .start
            .unwrap_or_else(|| today - chrono::Duration::days(i64::from(self.days)));
        let params = GenParams {
            employees: self.employees,
            days: self.days,
            start,
            seed: self.seed,
            limit: self.limit,
            days_off: self.days_off.iter().copied().collect(),
            workdays: self.workdays.iter().copied().collect(),
        };
        let log_file = match &self.log {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read --log {}", path.display()))?;
                Some(csvio::parse_log(&text).with_context(|| format!("--log {}", path.display()))?)
            }
            None => None,
        };
        let users: Vec<SimUser> = match (&self.users, &log_file) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read --users {}", path.display()))?;
                csvio::parse_users(&text).with_context(|| format!("--users {}", path.display()))?
            }
            (None, Some(log)) => {
                let mut ids: Vec<&str> = log.iter().map(|p| p.user_id.as_str()).collect();
                ids.sort_unstable();
                ids.dedup();
                let mut users = generator::generate_users(&GenParams {
                    employees: ids.len(),
                    ..params.clone()
                });
                for (u, id) in users.iter_mut().zip(ids) {
                    u.user_id = id.to_string();
                }
                users
            }
            (None, None) => generator::generate_users(&params),
        };
        let log = match log_file {
            Some(log) => log,
            None => generator::generate_log(&params, &users),
        };
        let numeric = |s: &str| s.parse::<u32>().is_ok();
        if self.att_format == 16
            && let Some(p) = log.iter().find(|p| !numeric(&p.user_id))
        {
            bail!(
                "--att-format 16 stores enrollment numbers as numbers, but {:?} is not one",
                p.user_id
            );
        }
        if self.user_format == 28
            && let Some(u) = users.iter().find(|u| !numeric(&u.user_id))
        {
            bail!(
                "--user-format 28 stores enrollment numbers as numbers, but {:?} is not one",
                u.user_id
            );
        }
        let mut term = Terminal::new(self.device_info());
        for u in users {
            let uid = u.uid;
            term.upsert_user(u)
                .with_context(|| format!("user uid {uid}"))?;
        }
        term.load_log(log)
            .context("attendance log does not fit: raise --capacity")?;
        term.clock.offset_secs = self.clock_offset;
        Ok(term)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn args(extra: &[&str]) -> Args {
        let mut v = vec!["kaoqin-sim"];
        v.extend_from_slice(extra);
        Args::try_parse_from(v).unwrap_or_else(|e| panic!("{e}"))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default()
    }

    #[test]
    fn defaults_open_tcp_and_udp_on_4370() {
        let a = args(&[]);
        let (t, u) = a.endpoints();
        assert_eq!(t.map(|x| x.port()), Some(4370));
        assert_eq!(u.map(|x| x.port()), Some(4370));
        let a = args(&["--pty"]);
        assert_eq!(a.endpoints(), (None, None));
    }

    #[test]
    fn generated_terminal_matches_flags() {
        let a = args(&[
            "--employees",
            "30",
            "--days",
            "10",
            "--start",
            "2026-03-02",
            "--seed",
            "5",
            "--att-format",
            "16",
            "--comm-key",
            "12345",
        ]);
        let term = a
            .build_terminal(today())
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(term.user_count(), 30);
        assert!(!term.log().is_empty());
        assert_eq!(term.info.att_record_size, 16);
        assert_eq!(term.info.comm_key, 12345);
        assert!(Args::try_parse_from(["kaoqin-sim", "--att-format", "41"]).is_err());
        assert!(Args::try_parse_from(["kaoqin-sim", "--comm-key", "1000000"]).is_err());
    }

    #[test]
    fn loads_csv_files_and_creates_missing_users() {
        let mut log = tempfile::NamedTempFile::new().unwrap_or_else(|e| panic!("{e}"));
        let _ = writeln!(
            log,
            "1001,2026-03-02 08:41:07,15,0,0\n2002,2026-03-02 17:45:00,1,1,0"
        );
        let path = log.path().to_string_lossy().into_owned();
        let term = args(&["--log", &path])
            .build_terminal(today())
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(term.log().len(), 2);
        let ids: Vec<_> = term.users().map(|u| u.user_id.clone()).collect();
        assert_eq!(ids, vec!["1001", "2002"]);
        let err = args(&["--log", "/nonexistent.csv"])
            .build_terminal(today())
            .err();
        assert!(format!("{err:?}").contains("--log /nonexistent.csv"));
    }

    #[test]
    fn control_port_must_be_loopback() {
        let err = args(&["--control", "0.0.0.0:4371"])
            .build_terminal(today())
            .err();
        assert!(format!("{err:?}").contains("loopback"));
    }
}
