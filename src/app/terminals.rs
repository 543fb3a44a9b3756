//! Terminal definitions: add, list, update, remove. Addresses are parsed per kind here; the comm key
//! / ISAPI password is sealed with the key file before it reaches the store and is never logged,
//! audited or returned in plain text (only "a secret is set"). A ZK terminal's secret is its comm key
//! and must be one (`kaoqin_domain::CommKey`, 0–999999) before it is stored, whichever shell sends
//! it, so a wrong one is refused here and not at the first download.

use chrono::NaiveDateTime;
use kaoqin_domain::CommKey;
use kaoqin_store::terminals::{self, NewTerminal, TerminalUpdate};
use kaoqin_store::{TerminalKind, TextEncoding};
use serde_json::json;

use super::error::{AppError, AppResult};
use super::permissions::Action;
use super::session::Session;
use super::validate;

/// Default ZK port.
pub const ZK_DEFAULT_PORT: u16 = 4370;
/// Default serial speed of ZK terminals.
pub const ZK_DEFAULT_BAUD: u32 = 115_200;

/// A terminal as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalInput {
    pub name: String,
    pub kind: TerminalKind,
    /// HOST:PORT, DEVICE_PATH or URL, by kind.
    pub address: String,
    pub baud: Option<u32>,
    pub machine: Option<u32>,
    pub encoding: TextEncoding,
    pub location: Option<String>,
    /// The serial number, for a terminal registered before it is ever connected (USB only); a
    /// download otherwise learns it at first contact and refuses a terminal reporting another one.
    pub serial: Option<String>,
}

/// Changes; `None` keeps the field. `secret: Some("")` clears the secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalChanges {
    pub rename: Option<String>,
    pub kind: Option<TerminalKind>,
    pub address: Option<String>,
    pub baud: Option<u32>,
    pub machine: Option<u32>,
    pub encoding: Option<TextEncoding>,
    pub location: Option<String>,
    pub secret: Option<String>,
    /// Sets the serial number of a terminal that has none yet ("" or the same serial: no change);
    /// a different serial is refused (the terminal's punches are filed under the stored one).
    pub serial: Option<String>,
}

/// A terminal as listed: no secret, only whether one is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalInfo {
    pub name: String,
    pub kind: TerminalKind,
    /// As the user writes it: HOST:PORT, DEVICE_PATH or URL.
    pub address: String,
    pub baud: Option<u32>,
    pub machine: u32,
    pub encoding: TextEncoding,
    pub location: Option<String>,
    pub serial_no: Option<String>,
    pub has_secret: bool,
    pub last_contact_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

impl From<terminals::Terminal> for TerminalInfo {
    fn from(t: terminals::Terminal) -> Self {
        let address = match t.port {
            Some(p) => format!("{}:{p}", t.address),
            None => t.address.clone(),
        };
        TerminalInfo {
            name: t.name,
            kind: t.kind,
            address,
            baud: t.baud,
            machine: t.machine_no,
            encoding: t.encoding,
            location: t.location,
            serial_no: t.serial_no,
            has_secret: t.comm_secret.is_some(),
            last_contact_at: t.last_contact_at,
            last_error: t.last_error,
        }
    }
}

/// Whether `kind`'s secret is a ZK comm key (the others': an ISAPI password, free text).
pub fn takes_comm_key(kind: TerminalKind) -> bool {
    matches!(
        kind,
        TerminalKind::ZkTcp | TerminalKind::ZkUdp | TerminalKind::ZkSerial
    )
}

/// The secret as it is sealed for a terminal of `kind`: a ZK comm key checked and written in its
/// plain digits (`" 0123"` → `"123"`), an ISAPI password as given. `secret` is not empty.
fn secret_to_store(kind: TerminalKind, secret: &str) -> AppResult<String> {
    if takes_comm_key(kind) {
        let key: CommKey = secret.parse()?;
        Ok(key.get().to_string())
    } else {
        Ok(secret.to_owned())
    }
}

/// Splits a user-written address into (address, port, baud) for `kind`.
pub fn parse_address(
    kind: TerminalKind,
    address: &str,
    baud: Option<u32>,
) -> AppResult<(String, Option<u16>, Option<u32>)> {
    let a = address.trim();
    if a.is_empty() {
        return Err(AppError::Invalid {
            field: "address",
            reason: "it is empty".into(),
        });
    }
    let bad = |reason: String| AppError::Invalid {
        field: "address",
        reason,
    };
    match kind {
        TerminalKind::ZkTcp | TerminalKind::ZkUdp => {
            if a.contains("://") || a.contains('/') {
                return Err(bad(format!(
                    "'{a}': a {kind} terminal is reached at HOST:PORT, e.g. 192.168.1.201:4370"
                )));
            }
            // "[v6]:port", "host:port" or a bare host (default port).
            let (host, port) = match a.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') || h.ends_with(']') => {
                    let port = p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                        bad(format!(
                            "'{a}': the port '{p}' is not a number from 1 to 65535"
                        ))
                    })?;
                    (
                        h.trim_start_matches('[').trim_end_matches(']').to_string(),
                        port,
                    )
                }
                _ => (a.to_string(), ZK_DEFAULT_PORT),
            };
            if host.is_empty() {
                return Err(bad(format!("'{a}' has no host name or IP address")));
            }
            Ok((host, Some(port), None))
        }
        TerminalKind::ZkSerial => Ok((a.to_string(), None, Some(baud.unwrap_or(ZK_DEFAULT_BAUD)))),
        TerminalKind::Isapi => {
            let lower = a.to_ascii_lowercase();
            if !(lower.starts_with("http://") || lower.starts_with("https://"))
                || a.len() <= "https://".len()
            {
                return Err(bad(format!(
                    "'{a}': an isapi terminal needs a URL such as http://192.168.1.64"
                )));
            }
            Ok((a.trim_end_matches('/').to_string(), None, None))
        }
    }
}

impl Session {
    /// Adds a terminal; `secret` is the comm key or ISAPI password ("" = none).
    pub fn add_terminal(&mut self, t: &TerminalInput, secret: &str) -> AppResult<TerminalInfo> {
        self.require(Action::ManageTerminals, &t.name)?;
        validate::name("terminal name", &t.name)?;
        validate::opt_line("location", t.location.as_deref(), validate::MAX_NAME_CHARS)?;
        validate::opt_line(
            "serial number",
            t.serial.as_deref(),
            validate::MAX_CODE_CHARS,
        )?;
        let (address, port, baud) = parse_address(t.kind, &t.address, t.baud)?;
        let comm_secret = if secret.is_empty() {
            None
        } else {
            let secret = secret_to_store(t.kind, secret)?;
            Some(self.secret_box()?.seal(&secret)?)
        };
        let has_secret = comm_secret.is_some();
        let serial = t
            .serial
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let new = NewTerminal {
            name: t.name.clone(),
            kind: t.kind,
            address,
            port,
            baud,
            machine_no: t.machine.unwrap_or(1),
            encoding: t.encoding,
            comm_secret,
            location: t.location.clone(),
        };
        self.act(
            Action::ManageTerminals,
            "terminal.add",
            t.name.trim(),
            |tx| {
                let mut saved = terminals::add(tx, &new)?;
                if let Some(sn) = &serial {
                    terminals::set_serial_no(tx, saved.id, sn)?;
                    saved.serial_no = Some(sn.clone());
                }
                let info = TerminalInfo::from(saved);
                let details = json!({
                    "kind": info.kind.as_str(),
                    "address": info.address,
                    "machine": info.machine,
                    "encoding": info.encoding.as_str(),
                    "protected": has_secret,
                    "serial_no": info.serial_no,
                });
                Ok((info, details))
            },
        )
    }

    pub fn list_terminals(&self) -> AppResult<Vec<TerminalInfo>> {
        self.require(Action::ViewOrganisation, "terminals")?;
        Ok(terminals::list(self.conn())?
            .into_iter()
            .map(TerminalInfo::from)
            .collect())
    }

    pub fn update_terminal(&mut self, name: &str, c: &TerminalChanges) -> AppResult<TerminalInfo> {
        self.require(Action::ManageTerminals, name)?;
        if let Some(n) = &c.rename {
            validate::name("terminal name", n)?;
        }
        validate::opt_line("location", c.location.as_deref(), validate::MAX_NAME_CHARS)?;
        validate::opt_line(
            "serial number",
            c.serial.as_deref(),
            validate::MAX_CODE_CHARS,
        )?;
        let cur = terminals::get_by_name(self.conn(), name)?;
        let kind = c.kind.unwrap_or(cur.kind);
        let (address, port, baud) = match (&c.address, c.kind) {
            (Some(a), _) => {
                let (a, p, b) = parse_address(kind, a, c.baud.or(cur.baud))?;
                (Some(a), Some(p), Some(b))
            }
            (None, Some(_)) => {
                return Err(AppError::Invalid {
                    field: "address",
                    reason: "changing the kind needs the new --address too".into(),
                });
            }
            (None, None) => (None, None, c.baud.map(Some)),
        };
        let serial = c
            .serial
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && cur.serial_no.as_deref() != Some(*s))
            .map(str::to_owned);
        if let (Some(new), Some(old)) = (&serial, &cur.serial_no) {
            return Err(AppError::Invalid {
                field: "serial number",
                reason: format!(
                    "terminal '{}' is registered with serial number {old}, not {new}, and its \
                     punches are filed under it: if the terminal was replaced, add the new one as \
                     a new terminal (the old one's punches stay)",
                    cur.name
                ),
            });
        }
        let comm_secret = match &c.secret {
            None => {
                // A kind changed to ZK keeps the stored secret only if it is a comm key.
                if c.kind
                    .is_some_and(|k| takes_comm_key(k) && !takes_comm_key(cur.kind))
                    && let Some(blob) = &cur.comm_secret
                {
                    self.secret_box()?
                        .open(blob)?
                        .parse::<CommKey>()
                        .map_err(|e| AppError::Invalid {
                            field: "comm key",
                            reason: format!(
                                "the stored {} password is not a ZK comm key ({e}); give the comm key \
                                 too (`--secret`), or an empty one for none",
                                cur.kind
                            ),
                        })?;
                }
                None
            }
            Some(s) if s.is_empty() => Some(None),
            Some(s) => {
                let s = secret_to_store(kind, s)?;
                Some(Some(self.secret_box()?.seal(&s)?))
            }
        };
        let u = TerminalUpdate {
            name: c.rename.clone(),
            kind: c.kind,
            address,
            port,
            baud,
            machine_no: c.machine,
            encoding: c.encoding,
            comm_secret,
            location: c
                .location
                .as_ref()
                .map(|l| Some(l.clone()).filter(|l| !l.trim().is_empty())),
            ..Default::default()
        };
        let changed: Vec<&str> = [
            ("name", c.rename.is_some()),
            ("kind", c.kind.is_some()),
            ("address", c.address.is_some()),
            ("baud", c.baud.is_some()),
            ("machine", c.machine.is_some()),
            ("encoding", c.encoding.is_some()),
            ("location", c.location.is_some()),
            ("protection", c.secret.is_some()),
            ("serial_no", serial.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect();
        let target = cur.name.clone();
        self.act(Action::ManageTerminals, "terminal.update", &target, |tx| {
            let mut t = terminals::update(tx, &cur.name, &u)?;
            if let Some(sn) = &serial {
                terminals::set_serial_no(tx, t.id, sn)?;
                t.serial_no = Some(sn.clone());
            }
            Ok((
                TerminalInfo::from(t),
                json!({ "changed": changed, "serial_no": serial }),
            ))
        })
    }

    /// Removes the definition; punches, sessions and snapshots stay.
    pub fn remove_terminal(&mut self, name: &str) -> AppResult<()> {
        self.require(Action::ManageTerminals, name)?;
        let cur = terminals::get_by_name(self.conn(), name)?;
        self.act(
            Action::ManageTerminals,
            "terminal.remove",
            &cur.name,
            |tx| {
                let t = terminals::remove(tx, &cur.name)?;
                Ok((
                    (),
                    json!({ "kind": t.kind.as_str(), "serial_no": t.serial_no }),
                ))
            },
        )
    }

    /// The terminal's comm key / ISAPI password in plain text, for the sync layer to connect
    /// (None when none is set). Needs Download, TakeSnapshot or DeviceAdmin.
    pub fn terminal_secret(&self, name: &str) -> AppResult<Option<String>> {
        if ![Action::Download, Action::TakeSnapshot, Action::DeviceAdmin]
            .into_iter()
            .any(|a| self.may(a))
        {
            return self.require(Action::Download, name).map(|()| None);
        }
        let t = terminals::get_by_name(self.conn(), name)?;
        match t.comm_secret {
            None => Ok(None),
            Some(blob) => Ok(Some(self.secret_box()?.open(&blob)?)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{Clock, ThreadSleeper};

    /// A fresh database with the administrator logged in.
    fn admin() -> (tempfile::TempDir, Session) {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 3, 2)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .expect("time");
        let (dir, paths, clock) = crate::app::test_install::fresh_install(at, "pw-12345678");
        let clock: std::sync::Arc<dyn Clock> = clock;
        let s =
            Session::login(&paths, "root", "pw-12345678", clock, &ThreadSleeper).expect("login");
        (dir, s)
    }

    fn input(name: &str, kind: TerminalKind, address: &str) -> TerminalInput {
        TerminalInput {
            name: name.into(),
            kind,
            address: address.into(),
            baud: None,
            machine: None,
            encoding: TextEncoding::Gbk,
            location: None,
            serial: None,
        }
    }

    #[test]
    fn a_zk_secret_must_be_a_comm_key_before_it_is_stored() {
        let (_dir, mut s) = admin();
        let zk = input("大门", TerminalKind::ZkTcp, "10.0.0.2:4370");
        for bad in ["1000000", "abc", "12 34", "-1"] {
            let e = s.add_terminal(&zk, bad).expect_err(bad);
            let text = e.to_string();
            assert!(
                matches!(
                    e,
                    AppError::Invalid {
                        field: "comm key",
                        ..
                    }
                ),
                "{bad}: {text}"
            );
            assert!(
                text.contains("0 to 999999") && !text.contains(bad),
                "{bad}: {text}"
            );
        }
        assert!(
            s.list_terminals().expect("list").is_empty(),
            "nothing stored"
        );
        // Good keys are stored in their plain digits; an ISAPI password is free text.
        s.add_terminal(&zk, " 000777 ").expect("comm key");
        let isapi = input("海康", TerminalKind::Isapi, "http://10.0.0.9");
        s.add_terminal(&isapi, "pass word").expect("isapi password");
        let stored = |s: &Session, name: &str| {
            let t = terminals::get_by_name(s.conn(), name).expect("terminal");
            t.comm_secret.map(|b| {
                s.secret_box()
                    .and_then(|sb| Ok(sb.open(&b)?))
                    .expect("open")
            })
        };
        assert_eq!(stored(&s, "大门").as_deref(), Some("777"));
        assert_eq!(stored(&s, "海康").as_deref(), Some("pass word"));
        // Updates: a bad key is refused and the stored one kept.
        let set = |secret: &str| TerminalChanges {
            secret: Some(secret.into()),
            ..Default::default()
        };
        let e = s
            .update_terminal("大门", &set("1000000"))
            .expect_err("too large");
        assert!(e.to_string().contains("larger than 999999"), "{e}");
        assert_eq!(stored(&s, "大门").as_deref(), Some("777"));
        s.update_terminal("大门", &set("999999"))
            .expect("largest key");
        assert_eq!(stored(&s, "大门").as_deref(), Some("999999"));
        // Turning the ISAPI terminal into a ZK one needs a comm key: its password is not one.
        let to_zk = TerminalChanges {
            kind: Some(TerminalKind::ZkTcp),
            address: Some("10.0.0.9:4370".into()),
            ..Default::default()
        };
        let e = s
            .update_terminal("海康", &to_zk)
            .expect_err("password kept");
        assert!(e.to_string().contains("not a ZK comm key"), "{e}");
        let e = s
            .update_terminal(
                "海康",
                &TerminalChanges {
                    secret: Some("abc".into()),
                    ..to_zk.clone()
                },
            )
            .expect_err("not a number");
        assert!(e.to_string().contains("not a number"), "{e}");
        s.update_terminal(
            "海康",
            &TerminalChanges {
                secret: Some("4321".into()),
                ..to_zk
            },
        )
        .expect("with a comm key");
        assert_eq!(stored(&s, "海康").as_deref(), Some("4321"));
    }

    #[test]
    fn addresses_parse_by_kind() {
        type Case<'a> = (
            TerminalKind,
            &'a str,
            Option<u32>,
            (&'a str, Option<u16>, Option<u32>),
        );
        let ok: &[Case] = &[
            (
                TerminalKind::ZkTcp,
                "192.168.1.201:4370",
                None,
                ("192.168.1.201", Some(4370), None),
            ),
            (
                TerminalKind::ZkUdp,
                "10.0.0.5",
                None,
                ("10.0.0.5", Some(4370), None),
            ),
            (
                TerminalKind::ZkTcp,
                "[::1]:5000",
                None,
                ("::1", Some(5000), None),
            ),
            (
                TerminalKind::ZkSerial,
                "/dev/ttyUSB0",
                None,
                ("/dev/ttyUSB0", None, Some(115_200)),
            ),
            (
                TerminalKind::ZkSerial,
                "COM3",
                Some(9600),
                ("COM3", None, Some(9600)),
            ),
            (
                TerminalKind::Isapi,
                "http://192.168.1.64/",
                None,
                ("http://192.168.1.64", None, None),
            ),
        ];
        for (kind, addr, baud, (a, p, b)) in ok {
            let got = parse_address(*kind, addr, *baud).unwrap();
            assert_eq!(got, (a.to_string(), *p, *b), "{kind} {addr}");
        }
        let bad: &[(TerminalKind, &str, &str)] = &[
            (
                TerminalKind::ZkTcp,
                "host:99999",
                "not a number from 1 to 65535",
            ),
            (TerminalKind::ZkTcp, "http://x", "HOST:PORT"),
            (TerminalKind::ZkTcp, ":4370", "no host"),
            (TerminalKind::Isapi, "192.168.1.64", "needs a URL"),
            (TerminalKind::ZkSerial, "  ", "empty"),
        ];
        for (kind, addr, msg) in bad {
            let e = parse_address(*kind, addr, None).unwrap_err().to_string();
            assert!(
                e.contains("invalid address") && e.contains(msg),
                "{kind} {addr}: {e}"
            );
        }
    }
}
