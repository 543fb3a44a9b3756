//! CSV files the simulator loads and dumps.
//!
//! Attendance log (`--log FILE`, control `dump`): the columns of `kaoqin-zk log --format csv`, no
//! header: `enrollment number, YYYY-MM-DD HH:MM:SS, verify, state, workcode`.
//! Users (`--users FILE`, control `add-user`, `list-users`), no header:
//! `uid, user_id, name, privilege, password, card, group[, fingerprint 0/1, face 0/1]`.
//! Parsing and formatting only; file reading is done by the caller with `std::fs`.

use chrono::NaiveDateTime;

use crate::model::{Punch, SimUser};

pub const TIME_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: {message}")]
pub struct CsvError {
    pub line: usize,
    pub message: String,
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
}

fn field<'a>(
    rec: &'a csv::StringRecord,
    i: usize,
    what: &str,
    line: usize,
) -> Result<&'a str, CsvError> {
    rec.get(i).ok_or_else(|| CsvError {
        line,
        message: format!("missing column {} ({what})", i + 1),
    })
}

fn num<T: std::str::FromStr>(s: &str, what: &str, line: usize) -> Result<T, CsvError> {
    s.parse().map_err(|_| CsvError {
        line,
        message: format!("{what} {s:?} is not a valid number"),
    })
}

pub fn parse_time(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s.trim(), TIME_FORMAT).ok()
}

/// One log row (already split into fields).
fn punch_from(rec: &csv::StringRecord, line: usize) -> Result<Punch, CsvError> {
    let user_id = field(rec, 0, "enrollment number", line)?.to_string();
    if user_id.is_empty() || user_id.len() > 24 {
        return Err(CsvError {
            line,
            message: format!("enrollment number {user_id:?} must be 1–24 characters"),
        });
    }
    let ts = field(rec, 1, "time", line)?;
    let time = parse_time(ts).ok_or_else(|| CsvError {
        line,
        message: format!("time {ts:?} is not YYYY-MM-DD HH:MM:SS"),
    })?;
    let verify = num(field(rec, 2, "verify", line)?, "verify", line)?;
    let state = num(field(rec, 3, "state", line)?, "state", line)?;
    let workcode = match rec.get(4) {
        Some(s) if !s.is_empty() => num(s, "workcode", line)?,
        _ => 0,
    };
    Ok(Punch {
        user_id,
        time,
        verify,
        state,
        workcode,
    })
}

pub fn parse_log(text: &str) -> Result<Vec<Punch>, CsvError> {
    let mut out = Vec::new();
    for (i, rec) in reader(text).records().enumerate() {
        let line = i + 1;
        let rec = rec.map_err(|e| CsvError {
            line,
            message: e.to_string(),
        })?;
        if rec.iter().all(str::is_empty) {
            continue;
        }
        out.push(punch_from(&rec, line)?);
    }
    Ok(out)
}

pub fn format_punch(p: &Punch) -> String {
    format!(
        "{},{},{},{},{}",
        p.user_id,
        p.time.format(TIME_FORMAT),
        p.verify,
        p.state,
        p.workcode
    )
}

fn flag(rec: &csv::StringRecord, i: usize, default: bool, line: usize) -> Result<bool, CsvError> {
    match rec.get(i) {
        None | Some("") => Ok(default),
        Some("1") | Some("true") | Some("yes") => Ok(true),
        Some("0") | Some("false") | Some("no") => Ok(false),
        Some(s) => Err(CsvError {
            line,
            message: format!("flag {s:?} must be 0 or 1"),
        }),
    }
}

fn user_from(rec: &csv::StringRecord, line: usize) -> Result<SimUser, CsvError> {
    let uid: u16 = num(field(rec, 0, "uid", line)?, "uid", line)?;
    if uid == 0 {
        return Err(CsvError {
            line,
            message: "uid must be 1–65535".into(),
        });
    }
    let user_id = field(rec, 1, "user_id", line)?.to_string();
    if user_id.is_empty() || user_id.len() > 24 {
        return Err(CsvError {
            line,
            message: format!("user_id {user_id:?} must be 1–24 characters"),
        });
    }
    let opt = |i: usize| rec.get(i).unwrap_or("");
    let privilege = match opt(3) {
        "" => 0,
        s => num(s, "privilege", line)?,
    };
    let card = match opt(5) {
        "" => 0,
        s => num(s, "card", line)?,
    };
    let group = match opt(6) {
        "" => 1,
        s => num(s, "group", line)?,
    };
    Ok(SimUser {
        uid,
        user_id,
        name: opt(2).to_string(),
        privilege,
        password: opt(4).to_string(),
        card,
        group,
        has_fingerprint: flag(rec, 7, false, line)?,
        has_face: flag(rec, 8, true, line)?,
    })
}

pub fn parse_users(text: &str) -> Result<Vec<SimUser>, CsvError> {
    let mut out = Vec::new();
    for (i, rec) in reader(text).records().enumerate() {
        let line = i + 1;
        let rec = rec.map_err(|e| CsvError {
            line,
            message: e.to_string(),
        })?;
        if rec.iter().all(str::is_empty) {
            continue;
        }
        out.push(user_from(&rec, line)?);
    }
    Ok(out)
}

/// `uid,user_id,name,privilege,password,card,group,fingerprint,face`; names are quoted when needed.
pub fn format_user(u: &SimUser) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let row = [
        u.uid.to_string(),
        u.user_id.clone(),
        u.name.clone(),
        u.privilege.to_string(),
        u.password.clone(),
        u.card.to_string(),
        u.group.to_string(),
        u8::from(u.has_fingerprint).to_string(),
        u8::from(u.has_face).to_string(),
    ];
    let _ = w.write_record(&row);
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_round_trips() {
        let text = "1001,2026-03-02 08:41:07,15,0,0\n1002,2026-03-02 17:45:00,1,1,7\n\n";
        let log = parse_log(text).unwrap_or_default();
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].workcode, 7);
        let back: Vec<_> = log.iter().map(format_punch).collect();
        assert_eq!(back.join("\n"), text.trim_end());
    }

    #[test]
    fn log_errors_name_the_line() {
        let cases = [
            ("1001,2026-03-02 08:41,15,0,0", 1, "time"),
            (
                "1001,2026-03-02 08:41:00,15,0,0\n1001,2026-03-02 08:41:00,face,0,0",
                2,
                "verify",
            ),
            ("1001", 1, "missing column 2"),
        ];
        for (text, line, word) in cases {
            let err = parse_log(text).err();
            assert!(
                matches!(&err, Some(e) if e.line == line && e.message.contains(word)),
                "{text}: {err:?}"
            );
        }
    }

    #[test]
    fn users_round_trip_with_chinese_and_commas() {
        let text = "1,1001,张伟,14,1234,0,1,1,1\n2,1002,\"Wu, Tom\",0,,123456,2,0,1\n3,1003\n";
        let users = parse_users(text).unwrap_or_default();
        assert_eq!(users.len(), 3);
        assert_eq!(users[0].name, "张伟");
        assert_eq!(users[1].name, "Wu, Tom");
        assert_eq!(users[2].group, 1);
        assert!(users[2].has_face && !users[2].has_fingerprint);
        let back: Vec<_> = users.iter().map(format_user).collect();
        assert_eq!(parse_users(&back.join("\n")).unwrap_or_default(), users);
    }

    #[test]
    fn bad_user_rows_are_errors() {
        for text in ["0,1,x", "70000,1,x", "1,,x", "1,1,x,admin"] {
            assert!(parse_users(text).is_err(), "{text}");
        }
    }
}
