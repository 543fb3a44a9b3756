//! The `kaoqin-zk` binary against the in-test terminal on loopback: exact CSV output, tables,
//! and actionable errors with a non-zero exit.

mod common;

use common::{Term, dt, shared, tcp_terminal, udp_terminal};
use kaoqin_zk::codec::{AttFormat, AttendanceRecord, PunchState, VerifyMode};
use tokio::process::Command;

async fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kaoqin-zk"))
        .args(args)
        .output()
        .await
        .expect("run kaoqin-zk");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[tokio::test]
async fn log_csv_is_exactly_one_record_per_line_without_header() {
    let records = vec![
        AttendanceRecord {
            uid: None,
            user_id: "1".into(),
            timestamp: dt("2024-03-01 08:59:30"),
            verify: VerifyMode::Face,
            state: PunchState::CheckIn,
            work_code: 0,
        },
        AttendanceRecord {
            uid: None,
            user_id: "10036".into(),
            timestamp: dt("2024-03-01 18:02:05"),
            verify: VerifyMode::Password,
            state: PunchState::CheckOut,
            work_code: 7,
        },
    ];
    let term = shared(Term {
        att_format: AttFormat::B16,
        records,
        ..Term::default()
    });
    let tcp = tcp_terminal(term.clone()).await.to_string();
    let udp = udp_terminal(term.clone()).await.to_string();
    for (flag, addr) in [("--tcp", &tcp), ("--udp", &udp)] {
        let (ok, out, err) = run(&["log", flag, addr, "--format", "csv"]).await;
        assert!(ok, "{err}");
        assert_eq!(
            out,
            "1,2024-03-01 08:59:30,15,0,0\n10036,2024-03-01 18:02:05,0,1,7\n"
        );
    }
    let (ok, out, _) = run(&["log", "--tcp", &tcp]).await;
    assert!(ok);
    assert!(out.contains("10036        2024-03-01 18:02:05"), "{out}");
    assert!(out.ends_with("2 records (16-byte records)\n"), "{out}");
}

#[tokio::test]
async fn users_info_and_time() {
    let term = shared(Term::default());
    let tcp = tcp_terminal(term).await.to_string();
    let (ok, out, err) = run(&["users", "--tcp", &tcp, "--format", "csv"]).await;
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "1,1,李四,14,1,0,1\n2,2,王小明,0,0,123456,1\n3,10036,Alice,6,1,7,2\n"
    );
    let (ok, out, err) = run(&["info", "--tcp", &tcp]).await;
    assert!(ok, "{err}");
    assert!(out.contains("serial_number         KQ-SIM-0001"), "{out}");
    assert!(out.contains("record_capacity       200000"), "{out}");
    let (ok, out, _) = run(&["time", "--tcp", &tcp]).await;
    assert!(ok);
    assert_eq!(out, "2024-03-01 12:00:00\n");
}

#[tokio::test]
async fn errors_are_actionable_and_exit_non_zero() {
    let term = shared(Term {
        comm_key: Some(777),
        ..Term::default()
    });
    let tcp = tcp_terminal(term).await.to_string();
    let (ok, out, err) = run(&["time", "--tcp", &tcp]).await;
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("requires a comm key"), "{err}");
    let (ok, _, err) = run(&["time", "--tcp", &tcp, "--comm-key", "1"]).await;
    assert!(!ok);
    assert!(err.contains("rejected the comm key"), "{err}");
    let (ok, out, _) = run(&["time", "--tcp", &tcp, "--comm-key", "777"]).await;
    assert!(ok);
    assert_eq!(out, "2024-03-01 12:00:00\n");
    let (ok, _, err) = run(&["log"]).await;
    assert!(!ok);
    assert!(err.contains("exactly one of --tcp"), "{err}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap().to_string();
    drop(closed);
    let (ok, _, err) = run(&["info", "--tcp", &addr]).await;
    assert!(!ok);
    assert!(err.contains("unreachable"), "{err}");
}
