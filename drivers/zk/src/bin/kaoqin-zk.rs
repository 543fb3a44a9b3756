//! `kaoqin-zk`: technician's tool to read a ZK terminal directly (no database). Thin shell over
//! the client: parses arguments, prints tables or CSV. Must not hold business logic.
//!
//! Output never panics on a closed pipe: stdout is written with `writeln!` and a reader that
//! stopped reading (`kaoqin-zk log … | head -1`) ends the program quietly with exit 0, as ripgrep
//! does; errors go to stderr through [`report`], which drops a message nobody can read any more
//! (`eprintln!` would panic there) and keeps the exit code.

use std::io::{self, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use kaoqin_zk::codec::TextEncoding;
use kaoqin_zk::{ClientOptions, Endpoint, ZkClient};

const LOG_CSV_HELP: &str = "\
CSV formats (no header line, so files from several terminals can be concatenated):
  log:   enrollment number,YYYY-MM-DD HH:MM:SS (terminal local time),verification mode (number),in/out state (number),work code
  users: uid,user_id,name,privilege,password_set (0/1),card,group

Verification mode: 0 password, 1 fingerprint, 2 card, 15 face (others are device-specific).
In/out state: 0 in, 1 out, 2 break-out, 3 break-in, 4 overtime-in, 5 overtime-out, 255 undefined.
Serial framing is the TCP framing (see docs/terminal-protocols.md §6); it was tested against the simulator only.";

#[derive(Parser)]
#[command(
    name = "kaoqin-zk",
    version,
    about = "Read a ZKTeco attendance terminal over TCP, UDP or a serial port",
    after_help = LOG_CSV_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Firmware, serial number, platform, name, MAC, versions and capacity.
    Info(Conn),
    /// The terminal's clock (local time, no time zone).
    Time(Conn),
    /// All users.
    Users(Conn),
    /// The whole attendance log (the protocol has no date filter).
    Log(Conn),
}

#[derive(Args)]
#[command(after_help = LOG_CSV_HELP)]
struct Conn {
    /// Terminal over TCP, e.g. 192.168.1.201:4370.
    #[arg(long, value_name = "HOST:PORT", group = "transport")]
    tcp: Option<String>,
    /// Terminal over UDP, e.g. 192.168.1.201:4370.
    #[arg(long, value_name = "HOST:PORT", group = "transport")]
    udp: Option<String>,
    /// Serial port (RS232/RS485/USB), e.g. /dev/ttyUSB0.
    #[arg(long, value_name = "PATH", group = "transport")]
    serial: Option<String>,
    /// Serial baud rate.
    #[arg(long, default_value_t = 115_200)]
    baud: u32,
    /// RS485 machine number (DeviceID, 1-254).
    #[arg(long, default_value_t = 1)]
    machine: u8,
    /// Comm key set on the terminal (0-999999).
    #[arg(long, env = "KAOQIN_ZK_COMM_KEY")]
    comm_key: Option<u32>,
    /// Code page of names on the terminal.
    #[arg(long, value_enum, default_value_t = Enc::Gbk)]
    encoding: Enc,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Seconds to wait for each reply.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Enc {
    Gbk,
    Utf8,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Table,
    Csv,
}

fn resolve(s: &str) -> Result<SocketAddr> {
    s.to_socket_addrs()
        .with_context(|| format!("cannot resolve {s:?}; use HOST:PORT such as 192.168.1.201:4370"))?
        .next()
        .ok_or_else(|| anyhow!("{s:?} resolves to no address"))
}

impl Conn {
    fn endpoint(&self) -> Result<Endpoint> {
        Ok(match (&self.tcp, &self.udp, &self.serial) {
            (Some(a), None, None) => Endpoint::Tcp(resolve(a)?),
            (None, Some(a), None) => Endpoint::Udp(resolve(a)?),
            (None, None, Some(p)) => Endpoint::Serial {
                path: p.clone(),
                baud: self.baud,
                machine: self.machine,
            },
            _ => bail!(
                "say how to reach the terminal: exactly one of --tcp HOST:PORT, --udp HOST:PORT or --serial PATH"
            ),
        })
    }

    fn options(&self) -> ClientOptions {
        ClientOptions {
            comm_key: self.comm_key,
            encoding: match self.encoding {
                Enc::Gbk => TextEncoding::Gbk,
                Enc::Utf8 => TextEncoding::Utf8,
            },
            timeout: Duration::from_secs(self.timeout.max(1)),
            ..ClientOptions::default()
        }
    }

    async fn connect(&self) -> Result<ZkClient> {
        let ep = self.endpoint()?;
        ZkClient::connect(ep.clone(), self.options())
            .await
            .with_context(|| format!("connecting to {ep}"))
    }
}

/// Makes a field safe for our CSV: quotes it if it contains a comma, quote or newline.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

async fn run(cli: Cli) -> Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    match cli.command {
        Cmd::Info(conn) => {
            let mut c = conn.connect().await?;
            let info = c.device_info().await.context("reading device info")?;
            let s = c.free_sizes().await.context("reading capacity")?;
            c.disconnect().await.ok();
            let opt = |o: &Option<String>| o.clone().unwrap_or_default();
            let rows: Vec<(&str, String)> = vec![
                ("firmware", info.firmware_version.clone()),
                ("serial_number", opt(&info.serial_number)),
                ("platform", opt(&info.platform)),
                ("device_name", opt(&info.device_name)),
                ("mac", opt(&info.mac)),
                ("fingerprint_version", opt(&info.fingerprint_version)),
                ("face_version", opt(&info.face_version)),
                (
                    "pin_width",
                    info.pin_width.map(|w| w.to_string()).unwrap_or_default(),
                ),
                ("users", format!("{}", s.users)),
                ("user_capacity", format!("{}", s.user_capacity)),
                ("records", format!("{}", s.records)),
                ("record_capacity", format!("{}", s.record_capacity)),
                ("fingerprints", format!("{}", s.fingerprints)),
                (
                    "fingerprint_capacity",
                    format!("{}", s.fingerprint_capacity),
                ),
                ("faces", s.faces.map(|v| v.to_string()).unwrap_or_default()),
                (
                    "face_capacity",
                    s.face_capacity.map(|v| v.to_string()).unwrap_or_default(),
                ),
            ];
            for (k, v) in rows {
                if conn.format == Format::Csv {
                    writeln!(out, "{k},{}", csv_field(&v))?;
                } else {
                    writeln!(out, "{k:<22}{v}")?;
                }
            }
        }
        Cmd::Time(conn) => {
            let mut c = conn.connect().await?;
            let t = c.get_time().await.context("reading the terminal clock")?;
            c.disconnect().await.ok();
            writeln!(out, "{}", t.format("%Y-%m-%d %H:%M:%S"))?;
        }
        Cmd::Users(conn) => {
            let mut c = conn.connect().await?;
            let t = c.read_users().await.context("reading users")?;
            c.disconnect().await.ok();
            if conn.format == Format::Table {
                writeln!(
                    out,
                    "{:>5}  {:<12} {:<20} {:>4} {:>3} {:>10} {:>5}",
                    "uid", "user_id", "name", "priv", "pwd", "card", "group"
                )?;
            }
            for u in &t.users {
                let pwd = u8::from(u.has_password());
                if conn.format == Format::Csv {
                    writeln!(
                        out,
                        "{},{},{},{},{},{},{}",
                        u.uid,
                        csv_field(&u.user_id),
                        csv_field(&u.name),
                        u.privilege.0,
                        pwd,
                        u.card,
                        u.group
                    )?;
                } else {
                    writeln!(
                        out,
                        "{:>5}  {:<12} {:<20} {:>4} {:>3} {:>10} {:>5}",
                        u.uid, u.user_id, u.name, u.privilege.0, pwd, u.card, u.group
                    )?;
                }
            }
            if conn.format == Format::Table {
                let f = t.format.map_or("-".to_string(), |f| f.size().to_string());
                writeln!(out, "{} users ({f}-byte records)", t.users.len())?;
            }
        }
        Cmd::Log(conn) => {
            let mut c = conn.connect().await?;
            let log = c
                .read_attendance()
                .await
                .context("reading the attendance log")?;
            c.disconnect().await.ok();
            if conn.format == Format::Table {
                writeln!(
                    out,
                    "{:<12} {:<19} {:>6} {:>5} {:>8}",
                    "user_id", "time", "verify", "state", "workcode"
                )?;
            }
            for r in &log.records {
                let t = r.timestamp.format("%Y-%m-%d %H:%M:%S");
                if conn.format == Format::Csv {
                    writeln!(
                        out,
                        "{},{t},{},{},{}",
                        csv_field(&r.user_id),
                        r.verify.as_u8(),
                        r.state.as_u8(),
                        r.work_code
                    )?;
                } else {
                    writeln!(
                        out,
                        "{:<12} {t} {:>6} {:>5} {:>8}",
                        r.user_id,
                        r.verify.as_u8(),
                        r.state.as_u8(),
                        r.work_code
                    )?;
                }
            }
            if conn.format == Format::Table {
                let f = log.format.map_or("-".to_string(), |f| f.size().to_string());
                writeln!(out, "{} records ({f}-byte records)", log.records.len())?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// One line on stderr, `eprintln!` without its panic when stderr is closed.
fn report(message: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{message}").and_then(|()| err.flush());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            report(format_args!("kaoqin-zk: cannot start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // `kaoqin-zk log | head` closes our stdout early: not an error worth reporting.
        Err(e)
            if e.downcast_ref::<io::Error>()
                .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            report(format_args!("kaoqin-zk: error: {e:#}"));
            ExitCode::FAILURE
        }
    }
}
