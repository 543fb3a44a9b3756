//! Parsers for punch files brought on a USB stick: the ZK `attlog.dat` text export and our own CSV
//! (the columns of `kaoqin punches list --format csv`, see [`CSV_HEADER`]).
//!
//! Pure: bytes in, punches and per-line errors out. A bad line never stops the others; every error
//! carries its 1-based line number and a reason a clerk can act on. It must not touch the file
//! system or the database (`import.rs` does).

use chrono::NaiveDateTime;

/// The header of our punches CSV, in column order.
pub const CSV_HEADER: [&str; 6] = [
    "terminal_serial",
    "enrollment_no",
    "timestamp",
    "verify_mode",
    "state",
    "download_session",
];

/// The timestamp format of both files (terminal-local time, no zone).
pub const TIMESTAMP_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

/// Longest enrollment number a ZK terminal stores (24 bytes).
pub const MAX_ENROLLMENT_LEN: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// ZK USB export: tab-separated, no header.
    AttLog,
    /// Our CSV with [`CSV_HEADER`].
    Csv,
}

/// One punch read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePunch {
    /// 1-based line number in the file.
    pub line: usize,
    /// From the CSV; `attlog.dat` does not say which terminal it came from.
    pub terminal_serial: Option<String>,
    pub enrollment_no: String,
    pub timestamp: NaiveDateTime,
    pub verify: u8,
    pub state: u8,
    pub workcode: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineError {
    pub line: usize,
    pub reason: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub format: FileFormat,
    pub punches: Vec<FilePunch>,
    pub errors: Vec<LineError>,
}

/// Decodes the file: UTF-8 (with or without BOM), else GBK (Chinese Windows tools save that way).
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::GBK.decode(bytes).0.into_owned(),
    }
}

fn looks_like_csv(text: &str) -> bool {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    match first {
        Some(l) => {
            l.to_ascii_lowercase().starts_with(CSV_HEADER[0])
                || (!l.contains('\t') && l.contains(','))
        }
        None => false,
    }
}

/// Parses either format, detected from the first non-empty line (our CSV starts with its header or
/// has commas and no tabs).
pub fn parse(bytes: &[u8]) -> Parsed {
    let text = decode(bytes);
    if looks_like_csv(&text) {
        parse_csv_text(&text)
    } else {
        parse_attlog_text(&text)
    }
}

fn parse_enrollment(raw: &str) -> Result<String, String> {
    let no = raw.trim();
    if no.is_empty() {
        return Err("the enrollment number is empty".into());
    }
    if no.len() > MAX_ENROLLMENT_LEN {
        return Err(format!(
            "the enrollment number '{no}' is longer than {MAX_ENROLLMENT_LEN} bytes"
        ));
    }
    if no.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "the enrollment number '{}' contains spaces or control characters",
            no.escape_debug()
        ));
    }
    Ok(no.to_string())
}

fn parse_timestamp(raw: &str) -> Result<NaiveDateTime, String> {
    let t = raw.trim();
    NaiveDateTime::parse_from_str(t, TIMESTAMP_FORMAT).map_err(|_| {
        format!(
            "'{}' is not a time of the form YYYY-MM-DD HH:MM:SS",
            t.escape_debug()
        )
    })
}

fn parse_small(raw: &str, what: &str) -> Result<u8, String> {
    raw.trim().parse::<u8>().map_err(|_| {
        format!(
            "the {what} '{}' is not a number 0–255",
            raw.trim().escape_debug()
        )
    })
}

/// Verification mode as a number or one of our names (face, password, fingerprint, card).
fn parse_verify(raw: &str) -> Result<u8, String> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "face" => Ok(crate::checks::VERIFY_FACE),
        "password" => Ok(crate::checks::VERIFY_PASSWORD),
        "fingerprint" => Ok(crate::checks::VERIFY_FINGERPRINT),
        "card" => Ok(crate::checks::VERIFY_CARD),
        _ => parse_small(raw, "verification mode"),
    }
}

fn parse_workcode(raw: Option<&str>) -> Result<u32, String> {
    match raw.map(str::trim) {
        None | Some("") => Ok(0),
        Some(w) => w
            .parse::<u32>()
            .map_err(|_| format!("the work code '{}' is not a number", w.escape_debug())),
    }
}

/// `attlog.dat`: `enrollment<TAB>YYYY-MM-DD HH:MM:SS<TAB>state<TAB>verify<TAB>workcode<TAB>…`.
/// Leading spaces (the terminal right-aligns numbers), CRLF and trailing columns are tolerated.
pub fn parse_attlog(bytes: &[u8]) -> Parsed {
    parse_attlog_text(&decode(bytes))
}

fn parse_attlog_text(text: &str) -> Parsed {
    let mut punches = Vec::new();
    let mut errors = Vec::new();
    for (i, raw_line) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        if line.trim().is_empty() {
            continue;
        }
        match parse_attlog_line(line) {
            Ok((enrollment_no, timestamp, state, verify, workcode)) => punches.push(FilePunch {
                line: line_no,
                terminal_serial: None,
                enrollment_no,
                timestamp,
                verify,
                state,
                workcode,
            }),
            Err(reason) => errors.push(LineError {
                line: line_no,
                reason,
            }),
        }
    }
    Parsed {
        format: FileFormat::AttLog,
        punches,
        errors,
    }
}

type AttLogFields = (String, NaiveDateTime, u8, u8, u32);

fn parse_attlog_line(line: &str) -> Result<AttLogFields, String> {
    let cols: Vec<&str> = line.split('\t').collect();
    if cols.len() < 4 {
        return Err(format!(
            "expected at least 4 tab-separated columns (enrollment number, time, state, \
             verification mode), found {}",
            cols.len()
        ));
    }
    let field = |i: usize| cols.get(i).copied().unwrap_or("");
    let no = parse_enrollment(field(0))?;
    let ts = parse_timestamp(field(1))?;
    let state = parse_small(field(2), "in/out state")?;
    let verify = parse_verify(field(3))?;
    let workcode = parse_workcode(cols.get(4).copied())?;
    Ok((no, ts, state, verify, workcode))
}

/// Our CSV: [`CSV_HEADER`] (the header is optional; the download session column is ignored on
/// import because the import is its own session).
pub fn parse_csv(bytes: &[u8]) -> Parsed {
    parse_csv_text(&decode(bytes))
}

fn parse_csv_text(text: &str) -> Parsed {
    let mut punches = Vec::new();
    let mut errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut seen_data = false;
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                errors.push(LineError {
                    line,
                    reason: format!("not valid CSV: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let first = record.get(0).unwrap_or("");
        if !seen_data && first.eq_ignore_ascii_case(CSV_HEADER[0]) {
            seen_data = true;
            continue;
        }
        seen_data = true;
        match parse_csv_record(&record) {
            Ok(p) => punches.push(FilePunch { line, ..p }),
            Err(reason) => errors.push(LineError { line, reason }),
        }
    }
    Parsed {
        format: FileFormat::Csv,
        punches,
        errors,
    }
}

fn parse_csv_record(record: &csv::StringRecord) -> Result<FilePunch, String> {
    if record.len() < 5 {
        return Err(format!(
            "expected the columns {}, found {} column(s)",
            CSV_HEADER.join(","),
            record.len()
        ));
    }
    // Our own punches CSV neutralises formula-leading cells with a `'` (listing.rs); drop it.
    let f = |i: usize| kaoqin_domain::csv_safe::unquote(record.get(i).unwrap_or(""));
    let serial = f(0).trim();
    if serial.is_empty() {
        return Err("the terminal serial is empty".into());
    }
    Ok(FilePunch {
        line: 0,
        terminal_serial: Some(serial.to_string()),
        enrollment_no: parse_enrollment(f(1))?,
        timestamp: parse_timestamp(f(2))?,
        verify: parse_verify(f(3))?,
        state: parse_small(f(4), "in/out state")?,
        workcode: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ts(d: u32, h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, d)
            .and_then(|x| x.and_hms_opt(h, m, s))
            .unwrap_or_default()
    }

    #[test]
    fn attlog_lines_table() {
        // (line, Ok((no, ts, state, verify, workcode)) or Err(substring of the reason))
        let cases: Vec<(&str, Result<AttLogFields, &str>)> = vec![
            (
                "1001\t2026-03-01 08:50:12\t0\t15\t0\t0",
                Ok(("1001".into(), ts(1, 8, 50, 12), 0, 15, 0)),
            ),
            (
                "     7\t2026-03-01 17:31:00\t1\t1\t0",
                Ok(("7".into(), ts(1, 17, 31, 0), 1, 1, 0)),
            ),
            (
                "42\t2026-03-02 08:00:00\t0\t0",
                Ok(("42".into(), ts(2, 8, 0, 0), 0, 0, 0)),
            ),
            (
                "42\t 2026-03-02 08:00:00 \t0\t15\t3\textra\tcolumns",
                Ok(("42".into(), ts(2, 8, 0, 0), 0, 15, 3)),
            ),
            (
                "42 2026-03-02 08:00:00 0 15",
                Err("at least 4 tab-separated"),
            ),
            (
                "\t2026-03-02 08:00:00\t0\t15",
                Err("enrollment number is empty"),
            ),
            ("42\t2026-02-30 08:00:00\t0\t15", Err("not a time")),
            ("42\t2026-03-02\t0\t15", Err("not a time")),
            ("42\t2026-03-02 08:00:00\tx\t15", Err("in/out state 'x'")),
            (
                "42\t2026-03-02 08:00:00\t0\t300",
                Err("verification mode '300'"),
            ),
            ("42\t2026-03-02 08:00:00\t0\t15\tW1", Err("work code 'W1'")),
            (
                "1234567890123456789012345\t2026-03-02 08:00:00\t0\t15",
                Err("longer than 24"),
            ),
        ];
        for (line, expect) in cases {
            let got = parse_attlog_line(line);
            match (got, expect) {
                (Ok(g), Ok(e)) => assert_eq!(g, e, "{line:?}"),
                (Err(g), Err(e)) => assert!(g.contains(e), "{line:?}: {g}"),
                (g, e) => panic!("{line:?}: got {g:?}, expected {e:?}"),
            }
        }
    }

    #[test]
    fn attlog_file_with_bom_crlf_blank_and_bad_lines_keeps_good_lines() {
        let file = b"\xEF\xBB\xBF  1001\t2026-03-01 08:50:12\t0\t15\t0\t0\r\n\r\nbad line\r\n1002\t2026-03-01 08:51:00\t0\t1\t0\t0\r\n1003\t2026-13-01 08:52:00\t0\t15\t0\t0";
        let p = parse(file);
        assert_eq!(p.format, FileFormat::AttLog);
        let good: Vec<(usize, &str, u8)> = p
            .punches
            .iter()
            .map(|x| (x.line, x.enrollment_no.as_str(), x.verify))
            .collect();
        assert_eq!(good, vec![(1, "1001", 15), (4, "1002", 1)]);
        let bad: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
        assert_eq!(bad, vec![3, 5]);
        assert!(p.errors.iter().all(|e| e.to_string().starts_with("line ")));
    }

    #[test]
    fn our_csv_round_trip_and_errors() {
        let file = "terminal_serial,enrollment_no,timestamp,verify_mode,state,download_session\n\
                    SIM0001,1001,2026-03-01 08:50:12,15,0,3\n\
                    SIM0001,1002,2026-03-01 08:51:00,fingerprint,1,3\n\
                    ,1003,2026-03-01 08:52:00,15,0,3\n\
                    SIM0001,1004,yesterday,15,0,3\n\
                    SIM0001,1005\n\
                    \"SIM0001\",\"1006\",\"2026-03-01 08:53:00\",\"0\",\"0\",\"\"\n";
        let p = parse(file.as_bytes());
        assert_eq!(p.format, FileFormat::Csv);
        let good: Vec<(usize, &str, u8, u8)> = p
            .punches
            .iter()
            .map(|x| (x.line, x.enrollment_no.as_str(), x.verify, x.state))
            .collect();
        assert_eq!(
            good,
            vec![(2, "1001", 15, 0), (3, "1002", 1, 1), (7, "1006", 0, 0)]
        );
        assert!(
            p.punches
                .iter()
                .all(|x| x.terminal_serial.as_deref() == Some("SIM0001"))
        );
        let bad: Vec<(usize, bool)> = p
            .errors
            .iter()
            .map(|e| (e.line, !e.reason.is_empty()))
            .collect();
        assert_eq!(bad, vec![(4, true), (5, true), (6, true)]);
    }

    #[test]
    fn gbk_bytes_and_garbage_never_panic() {
        let gbk = encoding_rs::GBK
            .encode("张三\t2026-03-01 08:50:12\t0\t15\n")
            .0;
        let p = parse(&gbk);
        assert_eq!(
            p.punches.first().map(|x| x.enrollment_no.as_str()),
            Some("张三")
        );
        for bytes in [
            &b""[..],
            b"\xff\xfe\x00",
            b",,,\n\t\t\t",
            b"\"unterminated,\n",
        ] {
            let p = parse(bytes);
            assert!(p.punches.is_empty());
        }
    }
}
