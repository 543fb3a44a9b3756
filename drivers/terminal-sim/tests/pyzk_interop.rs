//! Interoperability with an independent client: pyzk 0.9 (from the venv made by
//! tests/setup-python-venv.sh) against the real `kaoqin-sim` binary over TCP and UDP, with and
//! without a comm key. Values are compared with what the simulator reports on its control port.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use common::{Sim, pyzk, pyzk_result, spawn_pyzk};

const BASE: &[&str] = &[
    "--tcp",
    "127.0.0.1:0",
    "--udp",
    "127.0.0.1:0",
    "--control",
    "127.0.0.1:0",
];

fn start(extra: &[&str]) -> Sim {
    let mut args = BASE.to_vec();
    args.extend_from_slice(extra);
    Sim::start(&args)
}

/// `--udp` flag and port for pyzk over the given transport.
fn target(sim: &Sim, udp: bool) -> (Vec<String>, String) {
    if udp {
        (vec!["--udp".into()], sim.udp_port().to_string())
    } else {
        (Vec::new(), sim.tcp_port().to_string())
    }
}

fn run(sim: &Sim, udp: bool, key: Option<&str>, action: &[&str]) -> String {
    let (mut args, port) = target(sim, udp);
    if let Some(k) = key {
        args.push("--password".into());
        args.push(k.into());
    }
    args.push("127.0.0.1".into());
    args.push(port);
    args.extend(action.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    pyzk(&refs)
}

fn info(sim: &Sim, udp: bool, key: Option<&str>) -> serde_like::Info {
    serde_like::parse(&run(sim, udp, key, &["info"]))
}

/// Tiny JSON field extraction (the info object is flat strings), to avoid a serde dependency.
mod serde_like {
    #[derive(Debug)]
    pub struct Info {
        pub firmware: String,
        pub serial: String,
        pub platform: String,
        pub time: String,
    }
    fn field(json: &str, name: &str) -> String {
        let pat = format!("\"{name}\": \"");
        let start = json
            .find(&pat)
            .map(|i| i + pat.len())
            .unwrap_or_else(|| panic!("{name} missing in {json}"));
        let rest = &json[start..];
        rest[..rest.find('"').unwrap_or(rest.len())].to_string()
    }
    pub fn parse(json: &str) -> Info {
        Info {
            firmware: field(json, "firmware"),
            serial: field(json, "serial"),
            platform: field(json, "platform"),
            time: field(json, "time"),
        }
    }
}

fn parse_time(s: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

#[test]
fn pyzk_reads_device_info_over_tcp_and_udp_with_and_without_comm_key() {
    for key in [None, Some("12345")] {
        let mut extra = vec![
            "--employees",
            "5",
            "--days",
            "3",
            "--serial-number",
            "KQTEST42",
            "--firmware",
            "Ver 6.60 Sim",
        ];
        if let Some(k) = key {
            extra.extend(["--comm-key", k]);
        }
        let sim = start(&extra);
        let sim_clock = sim.ok("clock");
        for udp in [false, true] {
            let i = info(&sim, udp, key);
            assert_eq!(i.firmware, "Ver 6.60 Sim", "udp={udp} key={key:?}");
            assert_eq!(i.serial, "KQTEST42");
            assert_eq!(i.platform, "ZMM220_TFT");
            let dt = (parse_time(&i.time) - parse_time(&sim_clock[..19]))
                .num_seconds()
                .abs();
            assert!(dt < 30, "pyzk time {} vs simulator {sim_clock}", i.time);
        }
    }
}

#[test]
fn wrong_or_missing_comm_key_is_refused() {
    let sim = start(&["--employees", "2", "--days", "1", "--comm-key", "12345"]);
    for udp in [false, true] {
        for key in ["54321", "0"] {
            let (mut args, port) = target(&sim, udp);
            args.extend([
                "--password".into(),
                key.into(),
                "127.0.0.1".into(),
                port,
                "info".into(),
            ]);
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let (ok, _, err) = pyzk_result(&refs);
            assert!(!ok, "key {key} accepted (udp={udp})");
            assert!(
                err.contains("Unauthenticated"),
                "udp={udp} key={key}: {err}"
            );
        }
    }
}

#[test]
fn pyzk_sees_clock_offset_and_set_time() {
    let sim = start(&["--employees", "2", "--days", "1"]);
    sim.ok("set-clock-offset -86400");
    let i = info(&sim, false, None);
    let host = chrono::Local::now().naive_local();
    let behind = (host - parse_time(&i.time)).num_seconds();
    assert!(
        (86_370..86_430).contains(&behind),
        "terminal is {behind}s behind, expected one day"
    );
    let shown = run(&sim, true, None, &["set-time", "2030-01-02 03:04:05"]);
    assert!(shown.trim().starts_with("2030-01-02 03:04:0"), "{shown}");
    assert!(sim.ok("clock").starts_with("2030-01-02 03:04:0"));
}

fn sim_users(sim: &Sim) -> Vec<Vec<String>> {
    let mut lines = sim.control("list-users");
    lines.pop();
    lines
        .iter()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn pyzk_reads_users_with_chinese_names_in_both_formats() {
    for format in ["72", "28"] {
        let sim = start(&[
            "--employees",
            "40",
            "--days",
            "1",
            "--seed",
            "9",
            "--user-format",
            format,
        ]);
        let expected = sim_users(&sim);
        assert_eq!(expected.len(), 40);
        for udp in [false, true] {
            let got = run(&sim, udp, None, &["users"]);
            let rows: Vec<Vec<&str>> = got.lines().map(|l| l.split(',').collect()).collect();
            assert_eq!(rows.len(), expected.len(), "format {format} udp={udp}");
            for (g, e) in rows.iter().zip(&expected) {
                // uid, user_id, name, privilege, password, card
                assert_eq!(
                    &g[..6],
                    &[&e[0], &e[1], &e[2], &e[3], &e[4], &e[5]].map(String::as_str),
                    "format {format} udp={udp}"
                );
            }
            let names: Vec<&str> = rows.iter().map(|r| r[2]).collect();
            assert_eq!(&names[..4], &["张伟", "李娜", "王芳", "欧阳娜娜"]);
        }
    }
}

/// Exactly 100,000 punches compared value by value with the simulator's own dump.
#[test]
fn pyzk_reads_100k_attendance_records_equal_to_the_simulator() {
    for (fmt, udp) in [("40", false), ("40", true), ("16", false)] {
        let sim = start(&[
            "--employees",
            "2500",
            "--days",
            "31",
            "--start",
            "2026-03-01",
            "--seed",
            "7",
            "--limit",
            "100000",
            "--att-format",
            fmt,
        ]);
        assert_eq!(sim.ok("count-punches"), "100000");
        let mut dump = sim.control("dump");
        assert_eq!(dump.pop().as_deref(), Some("ok 100000"));
        let started = Instant::now();
        let got = run(&sim, udp, None, &["attendance"]);
        eprintln!(
            "pyzk get_attendance format {fmt} udp={udp}: {:?}",
            started.elapsed()
        );
        let got: Vec<&str> = got.lines().collect();
        assert_eq!(got.len(), 100_000, "format {fmt} udp={udp}");
        for (i, (g, d)) in got.iter().zip(&dump).enumerate() {
            let g: Vec<&str> = g.split(',').collect();
            let d: Vec<&str> = d.split(',').collect();
            // dump: user_id,time,verify,state,workcode. pyzk: user_id,time,status,punch,uid where
            // 40-byte status/punch = verify/state and 16-byte status/punch = state/verify.
            let (verify, state) = if fmt == "16" {
                (g[3], g[2])
            } else {
                (g[2], g[3])
            };
            assert_eq!(
                (g[0], g[1], verify, state),
                (d[0], d[1], d[2], d[3]),
                "record {i}, format {fmt}, udp={udp}"
            );
        }
    }
}

#[test]
fn small_logs_use_the_inline_reply_and_large_ones_the_chunked_path() {
    // 3 punches × 40 bytes fit the inline limit; --inline-max 0 forces the chunked path.
    for inline in ["1016", "0"] {
        let sim = start(&[
            "--employees",
            "1",
            "--days",
            "2",
            "--start",
            "2026-03-02",
            "--inline-max",
            inline,
        ]);
        let mut dump = sim.control("dump");
        dump.pop();
        assert!(!dump.is_empty());
        for udp in [false, true] {
            let got = run(&sim, udp, None, &["attendance"]);
            let got: Vec<String> = got
                .lines()
                .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
                .collect();
            let want: Vec<String> = dump
                .iter()
                .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
                .collect();
            assert_eq!(got, want, "inline-max {inline} udp={udp}");
        }
    }
}

#[test]
fn pyzk_sets_and_deletes_a_user_and_the_simulator_shows_it() {
    for udp in [false, true] {
        let sim = start(&["--employees", "3", "--days", "1"]);
        run(
            &sim,
            udp,
            None,
            &["set-user", "50", "8050", "李四", "14", "1234", "778899"],
        );
        let users: BTreeMap<String, Vec<String>> = sim_users(&sim)
            .into_iter()
            .map(|u| (u[0].clone(), u))
            .collect();
        let u = users
            .get("50")
            .unwrap_or_else(|| panic!("uid 50 missing: {users:?}"));
        assert_eq!(
            &u[1..6],
            &["8050", "李四", "14", "1234", "778899"],
            "udp={udp}"
        );
        // The user reads back through pyzk too.
        assert!(
            run(&sim, udp, None, &["users"])
                .lines()
                .any(|l| l.starts_with("50,8050,李四,14,1234,778899"))
        );
        run(&sim, udp, None, &["delete-user", "50"]);
        assert!(!sim_users(&sim).iter().any(|u| u[0] == "50"), "udp={udp}");
        assert_eq!(sim.ok("count-users"), "3");
    }
}

/// `list-templates` rows as (uid, finger).
fn sim_templates(sim: &Sim) -> Vec<(String, String)> {
    let mut lines = sim.control("list-templates");
    lines.pop();
    lines
        .iter()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string())
        })
        .collect()
}

#[test]
fn pyzk_reads_and_deletes_fingerprint_templates_seeded_on_the_control_port() {
    for udp in [false, true] {
        // Seed 4: a few generated users have a fingerprint; add two more fingers on uid 2.
        let sim = start(&["--employees", "6", "--days", "1", "--seed", "4"]);
        sim.ok("add-fingerprint 2 6");
        sim.ok("add-fingerprint 2 9");
        let expected = sim_templates(&sim);
        assert!(expected.len() >= 2, "{expected:?}");
        let got = run(&sim, udp, None, &["templates"]);
        let rows: Vec<(String, String)> = got
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                assert_eq!(f[2], "1", "valid flag: {l}");
                assert_eq!(f[3], "512", "template size: {l}");
                (f[0].to_string(), f[1].to_string())
            })
            .collect();
        assert_eq!(rows, expected, "udp={udp}");
        // The user list agrees with the templates (fingerprint flag, column 8).
        let with_fp: Vec<String> = sim_users(&sim)
            .into_iter()
            .filter(|u| u[7] == "1")
            .map(|u| u[0].clone())
            .collect();
        let mut uids: Vec<String> = expected.iter().map(|(u, _)| u.clone()).collect();
        uids.dedup();
        assert_eq!(with_fp, uids);

        // pyzk deletes one finger (DELETE_USERTEMP 19); a missing one is refused.
        assert_eq!(
            run(&sim, udp, None, &["delete-template", "2", "6"]).trim(),
            "ok"
        );
        assert_eq!(
            run(&sim, udp, None, &["delete-template", "2", "6"]).trim(),
            "refused"
        );
        let left = sim_templates(&sim);
        assert!(!left.contains(&("2".into(), "6".into())), "{left:?}");
        assert!(left.contains(&("2".into(), "9".into())), "{left:?}");
        assert_eq!(left.len(), expected.len() - 1);
        // Deleting every template clears the user's fingerprint flag; pyzk then reads none.
        for (uid, finger) in &left {
            assert_eq!(
                run(&sim, udp, None, &["delete-template", uid, finger]).trim(),
                "ok"
            );
        }
        assert_eq!(run(&sim, udp, None, &["templates"]), "");
        assert!(sim_users(&sim).iter().all(|u| u[7] == "0"));
    }
}

#[test]
fn punches_added_on_the_control_port_reach_pyzk_live_capture() {
    for udp in [false, true] {
        let sim = start(&["--employees", "3", "--days", "1"]);
        let (mut args, port) = target(&sim, udp);
        args.extend(["127.0.0.1".into(), port, "live".into(), "1".into()]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut child = spawn_pyzk(&refs);
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(20)).ok().as_deref(),
            Some("capturing")
        );
        // pyzk registers shortly after printing; punch until the event arrives.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut sent = Vec::new();
        let line = loop {
            assert!(
                Instant::now() < deadline,
                "no event reached pyzk (udp={udp})"
            );
            let n = sent.len();
            sent.push(sim.ok(&format!(
                "add-punch 1002 2026-03-0{} 08:3{n}:00 1 0",
                1 + n % 9
            )));
            if let Ok(l) = rx.recv_timeout(Duration::from_millis(400)) {
                break l;
            }
        };
        let f: Vec<&str> = line.split(',').collect();
        assert!(
            sent.iter()
                .any(|s| s.starts_with(&format!("{},{},", f[0], f[1]))),
            "{line} not in {sent:?}"
        );
        assert_eq!(f[0], "1002");
        let status = child.wait().expect("pyzk exits after one event");
        assert!(
            status.success(),
            "udp={udp}: {}",
            common::read_all(child.stderr.take().expect("stderr"))
        );
    }
}
