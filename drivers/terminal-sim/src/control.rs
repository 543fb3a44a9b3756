//! The control-port language: one command per line, one reply per command. Replies end with a
//! line starting `ok` or `err`; `list-users` and `dump` first send one CSV line per item.
//! Parsing is pure; `execute` applies a command to the terminal state. No sockets here.

use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::csvio::{self, format_punch, format_user, parse_time};
use crate::model::Punch;
use crate::state::Terminal;

pub const HELP: &str = "\
Control port commands (one per line; replies end with a line starting 'ok' or 'err'):
  add-punch USER_ID (now|YYYY-MM-DD HH:MM:SS) [VERIFY=15] [STATE=0] [WORKCODE=0]
                                   a person punches; 'now' = the terminal's (offset) clock;
                                   pushed to clients that sent REG_EVENT; refused while disabled
  delete-punch USER_ID YYYY-MM-DD HH:MM:SS          ok <removed>
  alter-punch-time USER_ID YYYY-MM-DD HH:MM:SS YYYY-MM-DD HH:MM:SS
  clear-log                                         ok <removed>
  set-clock-offset SECONDS         terminal clock = host local time + SECONDS (may be negative)
  clock                            ok <terminal time> offset <seconds>
  busy on [MS] | busy off          STATE_RRQ reports busy (4); bulk reads, user writes and
                                   DISABLEDEVICE get ACK_ERROR; 'on MS' ends by itself
  fault drop-after-chunks N        close the connection after N more bulk-read chunks (one-shot)
  fault delay-ms N                 delay every reply by N ms (0 = off)
  fault corrupt-next-checksum      the next packet sent has a wrong checksum (one-shot)
  fault stall                      read requests, answer nothing, until 'fault clear'
  fault stall-after-chunks N       send N more bulk-read chunks, then hold the transfer: chunk
                                   reads get no answer (other commands do) until 'fault clear'
  fault clear                      remove all faults
  add-user UID,USER_ID,NAME,PRIVILEGE,PASSWORD,CARD,GROUP[,FP,FACE]   (users CSV row; replaces)
  delete-user UID
  set-privilege UID PRIVILEGE      0 user, 2 enroller, 6 admin, 14 super admin
  set-password UID [PASSWORD]      no PASSWORD = remove it
  list-users                       one users-CSV row per user, then ok <count>
  add-fingerprint UID [FINGER=0]   enroll a (synthetic) fingerprint template, finger 0-9
  list-templates                   one 'uid,finger,bytes' row per template, then ok <count>
  count-users | count-punches      ok <count>
  dump                             one log-CSV row per punch (kaoqin-zk log --format csv), then ok <count>
  status                           ok enabled=<0|1> busy=<0|1> offset=<s> users=<n> punches=<n> ...
                                   chunks_sent=<n> stalled=<n> disables=<n> enables=<n>
                                   (since start: wait on these, not on time)
  help | quit";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    Now,
    At(NaiveDateTime),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    DropAfterChunks(u32),
    DelayMs(u64),
    CorruptNextChecksum,
    Stall,
    StallAfterChunks(u32),
    Clear,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    AddPunch {
        user_id: String,
        when: When,
        verify: u8,
        state: u8,
        workcode: u32,
    },
    DeletePunch {
        user_id: String,
        time: NaiveDateTime,
    },
    AlterPunchTime {
        user_id: String,
        old: NaiveDateTime,
        new: NaiveDateTime,
    },
    ClearLog,
    SetClockOffset(i64),
    Clock,
    Busy {
        on: bool,
        for_ms: Option<u64>,
    },
    Fault(Fault),
    AddUser(String),
    DeleteUser(u16),
    SetPrivilege(u16, u8),
    SetPassword(u16, String),
    ListUsers,
    AddFingerprint(u16, u8),
    ListTemplates,
    CountUsers,
    CountPunches,
    Dump,
    Status,
    Help,
    Quit,
}

fn num<T: std::str::FromStr>(s: Option<&str>, what: &str) -> Result<T, String> {
    let s = s.ok_or_else(|| format!("missing {what}"))?;
    s.parse()
        .map_err(|_| format!("{what} {s:?} is not a valid number"))
}

fn time2(date: Option<&str>, time: Option<&str>) -> Result<NaiveDateTime, String> {
    match (date, time) {
        (Some(d), Some(t)) => parse_time(&format!("{d} {t}"))
            .ok_or_else(|| format!("{d} {t:?} is not YYYY-MM-DD HH:MM:SS")),
        _ => Err("missing time (YYYY-MM-DD HH:MM:SS)".into()),
    }
}

/// Parse one line. Errors are messages for the `err` reply.
pub fn parse(line: &str) -> Result<Command, String> {
    let line = line.trim();
    let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let mut args = rest.split_whitespace();
    let cmd = match word {
        "add-punch" => {
            let user_id = args.next().ok_or("missing USER_ID")?.to_string();
            let when = match args.next() {
                Some("now") => When::Now,
                d => When::At(time2(d, args.next())?),
            };
            let verify = args
                .next()
                .map(|s| num(Some(s), "verify"))
                .transpose()?
                .unwrap_or(15);
            let state = args
                .next()
                .map(|s| num(Some(s), "state"))
                .transpose()?
                .unwrap_or(0);
            let workcode = args
                .next()
                .map(|s| num(Some(s), "workcode"))
                .transpose()?
                .unwrap_or(0);
            Command::AddPunch {
                user_id,
                when,
                verify,
                state,
                workcode,
            }
        }
        "delete-punch" => {
            let user_id = args.next().ok_or("missing USER_ID")?.to_string();
            Command::DeletePunch {
                user_id,
                time: time2(args.next(), args.next())?,
            }
        }
        "alter-punch-time" => {
            let user_id = args.next().ok_or("missing USER_ID")?.to_string();
            let old = time2(args.next(), args.next())?;
            let new = time2(args.next(), args.next())?;
            Command::AlterPunchTime { user_id, old, new }
        }
        "clear-log" => Command::ClearLog,
        "set-clock-offset" => Command::SetClockOffset(num(args.next(), "seconds")?),
        "clock" => Command::Clock,
        "busy" => match args.next() {
            Some("on") => Command::Busy {
                on: true,
                for_ms: args
                    .next()
                    .map(|s| num(Some(s), "milliseconds"))
                    .transpose()?,
            },
            Some("off") => Command::Busy {
                on: false,
                for_ms: None,
            },
            _ => return Err("usage: busy on [MS] | busy off".into()),
        },
        "fault" => Command::Fault(match args.next() {
            Some("drop-after-chunks") => Fault::DropAfterChunks(num(args.next(), "chunk count")?),
            Some("delay-ms") => Fault::DelayMs(num(args.next(), "milliseconds")?),
            Some("corrupt-next-checksum") => Fault::CorruptNextChecksum,
            Some("stall") => Fault::Stall,
            Some("stall-after-chunks") => Fault::StallAfterChunks(num(args.next(), "chunk count")?),
            Some("clear") => Fault::Clear,
            _ => {
                return Err("usage: fault drop-after-chunks N | delay-ms N | corrupt-next-checksum | stall | stall-after-chunks N | clear".into());
            }
        }),
        // The whole rest of the line is one CSV row (names may contain spaces).
        "add-user" if !rest.trim().is_empty() => {
            return Ok(Command::AddUser(rest.trim().to_string()));
        }
        "delete-user" => Command::DeleteUser(num(args.next(), "uid")?),
        "set-privilege" => {
            Command::SetPrivilege(num(args.next(), "uid")?, num(args.next(), "privilege")?)
        }
        "set-password" => Command::SetPassword(
            num(args.next(), "uid")?,
            args.next().unwrap_or("").to_string(),
        ),
        "list-users" => Command::ListUsers,
        "add-fingerprint" => Command::AddFingerprint(
            num(args.next(), "uid")?,
            match args.next() {
                None => 0,
                f => num(f, "finger")?,
            },
        ),
        "list-templates" => Command::ListTemplates,
        "count-users" => Command::CountUsers,
        "count-punches" => Command::CountPunches,
        "dump" => Command::Dump,
        "status" => Command::Status,
        "help" => Command::Help,
        "quit" | "exit" => Command::Quit,
        "" => return Err("empty command; try 'help'".into()),
        other => return Err(format!("unknown command {other:?}; try 'help'")),
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument {extra:?}"));
    }
    Ok(cmd)
}

/// What executing a command produced: the reply text (without the final newline) and, for a
/// punch, the punch to push to clients that registered for realtime events.
#[derive(Debug, Default)]
pub struct Outcome {
    pub reply: String,
    pub event: Option<Punch>,
    pub quit: bool,
}

fn ok(s: impl std::fmt::Display) -> Outcome {
    Outcome {
        reply: format!("ok {s}").trim_end().to_string(),
        ..Outcome::default()
    }
}

fn err(s: impl std::fmt::Display) -> Outcome {
    Outcome {
        reply: format!("err {s}"),
        ..Outcome::default()
    }
}

fn reply<T: std::fmt::Display, E: std::fmt::Display>(r: Result<T, E>) -> Outcome {
    match r {
        Ok(v) => ok(v),
        Err(e) => err(e),
    }
}

/// Rows, one per line, then `ok <count>`: `ok` ends the reply, so it cannot go first.
fn listing(mut rows: String, count: usize) -> Outcome {
    rows.push_str(&format!("ok {count}"));
    Outcome {
        reply: rows,
        ..Outcome::default()
    }
}

/// Apply `cmd` at host time `host_now` / monotonic `now`.
pub fn execute(
    term: &mut Terminal,
    cmd: Command,
    now: Instant,
    host_now: NaiveDateTime,
) -> Outcome {
    match cmd {
        Command::AddPunch {
            user_id,
            when,
            verify,
            state,
            workcode,
        } => {
            let time = match when {
                When::Now => term.device_time(host_now),
                When::At(t) => t,
            };
            let punch = Punch {
                user_id,
                time,
                verify,
                state,
                workcode,
            };
            add_punch(term, punch, now)
        }
        Command::DeletePunch { user_id, time } => reply(term.delete_punch(&user_id, time)),
        Command::AlterPunchTime { user_id, old, new } => {
            reply(term.alter_punch_time(&user_id, old, new).map(|()| ""))
        }
        Command::ClearLog => ok(term.clear_log()),
        Command::SetClockOffset(s) => set_clock_offset(term, s, host_now),
        Command::Clock => clock(term, host_now),
        Command::Busy { on, for_ms } => busy(term, on, for_ms, now),
        Command::Fault(f) => fault(term, f),
        Command::AddUser(row) => add_user(term, &row),
        Command::DeleteUser(uid) => reply(term.delete_user(uid).map(|u| format_user(&u))),
        Command::SetPrivilege(uid, p) => set_privilege(term, uid, p),
        Command::SetPassword(uid, pw) => set_password(term, uid, pw),
        Command::ListUsers => list_users(term),
        Command::AddFingerprint(uid, finger) => add_fingerprint(term, uid, finger),
        Command::ListTemplates => list_templates(term),
        Command::CountUsers => ok(term.user_count()),
        Command::CountPunches => ok(term.log().len()),
        Command::Dump => dump(term),
        Command::Status => status(term, now),
        Command::Help => Outcome {
            reply: format!("{HELP}\nok"),
            ..Outcome::default()
        },
        Command::Quit => Outcome {
            quit: true,
            ..ok("bye")
        },
    }
}

fn add_punch(term: &mut Terminal, punch: Punch, now: Instant) -> Outcome {
    if punch.user_id.len() > 24 {
        return err("USER_ID longer than 24 characters");
    }
    match term.add_punch(punch.clone(), now) {
        Ok(()) => Outcome {
            event: Some(punch.clone()),
            ..ok(format_punch(&punch))
        },
        Err(e) => err(e),
    }
}

fn set_clock_offset(term: &mut Terminal, seconds: i64, host_now: NaiveDateTime) -> Outcome {
    term.clock.offset_secs = seconds;
    ok(term.device_time(host_now).format(csvio::TIME_FORMAT))
}

fn clock(term: &Terminal, host_now: NaiveDateTime) -> Outcome {
    ok(format!(
        "{} offset {}",
        term.device_time(host_now).format(csvio::TIME_FORMAT),
        term.clock.offset_secs
    ))
}

fn busy(term: &mut Terminal, on: bool, for_ms: Option<u64>, now: Instant) -> Outcome {
    term.set_busy(on, for_ms.map(|ms| now + Duration::from_millis(ms)));
    ok(if on { "busy" } else { "idle" })
}

fn fault(term: &mut Terminal, f: Fault) -> Outcome {
    let faults = &mut term.faults;
    match f {
        Fault::DropAfterChunks(n) => faults.drop_after_chunks = Some(n),
        Fault::DelayMs(ms) => faults.delay_ms = ms,
        Fault::CorruptNextChecksum => faults.corrupt_next_checksum = true,
        Fault::Stall => faults.stall = true,
        Fault::StallAfterChunks(n) => faults.stall_after_chunks = Some(n),
        Fault::Clear => *faults = Default::default(),
    }
    ok("")
}

fn add_user(term: &mut Terminal, row: &str) -> Outcome {
    match csvio::parse_users(row) {
        Ok(mut users) if users.len() == 1 => {
            let Some(u) = users.pop() else {
                return err("no user");
            };
            let line = format_user(&u);
            match term.upsert_user(u) {
                Ok(()) => ok(line),
                Err(e) => err(e),
            }
        }
        Ok(_) => err("add-user takes exactly one users-CSV row"),
        Err(e) => err(e),
    }
}

fn set_privilege(term: &mut Terminal, uid: u16, privilege: u8) -> Outcome {
    match term.user_mut(uid) {
        Ok(u) => {
            u.privilege = privilege;
            ok(format_user(u))
        }
        Err(e) => err(e),
    }
}

fn set_password(term: &mut Terminal, uid: u16, password: String) -> Outcome {
    match term.user_mut(uid) {
        Ok(u) if password.len() <= 8 => {
            u.password = password;
            ok(format_user(u))
        }
        Ok(_) => err("password longer than 8 characters"),
        Err(e) => err(e),
    }
}

fn list_users(term: &Terminal) -> Outcome {
    let rows: String = term.users().map(|u| format_user(u) + "\n").collect();
    listing(rows, term.user_count())
}

fn add_fingerprint(term: &mut Terminal, uid: u16, finger: u8) -> Outcome {
    match term.add_template(uid, finger) {
        Ok(()) => ok(term.fingerprint_count()),
        Err(e) => err(e),
    }
}

fn list_templates(term: &Terminal) -> Outcome {
    let rows: String = term
        .templates()
        .map(|(uid, f, t)| format!("{uid},{f},{}\n", t.len()))
        .collect();
    listing(rows, term.fingerprint_count())
}

fn dump(term: &Terminal) -> Outcome {
    let mut rows = String::with_capacity(term.log().len() * 36 + 16);
    for p in term.log() {
        rows.push_str(&format_punch(p));
        rows.push('\n');
    }
    listing(rows, term.log().len())
}

fn status(term: &mut Terminal, now: Instant) -> Outcome {
    let enabled = term.is_enabled(now);
    let busy = term.is_busy(now);
    ok(format!(
        "enabled={} busy={} offset={} users={} punches={} capacity={} att_format={} user_format={} comm_key={} chunks_sent={} stalled={} disables={} enables={}",
        u8::from(enabled),
        u8::from(busy),
        term.clock.offset_secs,
        term.user_count(),
        term.log().len(),
        term.info.att_capacity,
        term.info.att_record_size,
        term.info.user_record_size,
        u8::from(term.info.comm_key != 0),
        term.counters.chunks_sent,
        term.counters.requests_stalled,
        term.counters.disables,
        term.counters.enables,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::DeviceInfo;

    fn host() -> NaiveDateTime {
        parse_time("2026-03-02 12:00:00").unwrap_or_default()
    }

    #[test]
    fn parses_commands() {
        let t = |s| parse_time(s).unwrap_or_default();
        let cases: Vec<(&str, Command)> = vec![
            (
                "add-punch 1001 now",
                Command::AddPunch {
                    user_id: "1001".into(),
                    when: When::Now,
                    verify: 15,
                    state: 0,
                    workcode: 0,
                },
            ),
            (
                "add-punch 7 2026-03-02 08:01:02 1 1 9",
                Command::AddPunch {
                    user_id: "7".into(),
                    when: When::At(t("2026-03-02 08:01:02")),
                    verify: 1,
                    state: 1,
                    workcode: 9,
                },
            ),
            (
                "delete-punch 7 2026-03-02 08:01:02",
                Command::DeletePunch {
                    user_id: "7".into(),
                    time: t("2026-03-02 08:01:02"),
                },
            ),
            ("set-clock-offset -3600", Command::SetClockOffset(-3600)),
            (
                "busy on 500",
                Command::Busy {
                    on: true,
                    for_ms: Some(500),
                },
            ),
            (
                "busy off",
                Command::Busy {
                    on: false,
                    for_ms: None,
                },
            ),
            (
                "fault drop-after-chunks 3",
                Command::Fault(Fault::DropAfterChunks(3)),
            ),
            ("fault stall", Command::Fault(Fault::Stall)),
            (
                "fault stall-after-chunks 2",
                Command::Fault(Fault::StallAfterChunks(2)),
            ),
            (
                "add-user 9,1009,欧阳娜娜,0,,0,1",
                Command::AddUser("9,1009,欧阳娜娜,0,,0,1".into()),
            ),
            ("set-password 3", Command::SetPassword(3, String::new())),
            ("  dump  ", Command::Dump),
        ];
        for (line, want) in cases {
            assert_eq!(parse(line), Ok(want), "{line}");
        }
        for bad in [
            "",
            "frobnicate",
            "busy maybe",
            "fault delay-ms x",
            "add-punch 1 2026-03-02",
            "count-users 3",
            "add-user",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn punch_now_uses_the_offset_clock_and_is_an_event() {
        let mut term = Terminal::new(DeviceInfo::default());
        let now = Instant::now();
        let _ = execute(&mut term, Command::SetClockOffset(-60), now, host());
        let out = execute(
            &mut term,
            parse("add-punch 1001 now").unwrap_or(Command::Help),
            now,
            host(),
        );
        assert_eq!(out.reply, "ok 1001,2026-03-02 11:59:00,15,0,0");
        assert_eq!(out.event.map(|p| p.time), parse_time("2026-03-02 11:59:00"));
        let dump = execute(&mut term, Command::Dump, now, host());
        assert_eq!(dump.reply, "1001,2026-03-02 11:59:00,15,0,0\nok 1");
    }

    #[test]
    fn users_are_managed() {
        let mut term = Terminal::new(DeviceInfo::default());
        let now = Instant::now();
        let r = execute(
            &mut term,
            parse("add-user 3,1003,王芳,0,,0,1").unwrap_or(Command::Help),
            now,
            host(),
        );
        assert!(r.reply.starts_with("ok 3,1003,王芳"), "{}", r.reply);
        let r = execute(&mut term, Command::SetPrivilege(3, 14), now, host());
        assert!(r.reply.starts_with("ok 3,1003,王芳,14"), "{}", r.reply);
        assert_eq!(
            execute(&mut term, Command::ListUsers, now, host()).reply,
            "3,1003,王芳,14,,0,1,0,1\nok 1"
        );
        assert!(
            execute(&mut term, Command::DeleteUser(4), now, host())
                .reply
                .starts_with("err")
        );
        assert!(
            execute(&mut term, Command::DeleteUser(3), now, host())
                .reply
                .starts_with("ok")
        );
        assert_eq!(
            execute(&mut term, Command::CountUsers, now, host()).reply,
            "ok 0"
        );
    }
}
