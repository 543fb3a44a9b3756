//! Client against the in-test terminal (tests/common) over real loopback TCP and UDP sockets and
//! a pty pair: every operation, every record format, comm keys, lost datagrams, cancellation,
//! busy, timeouts and the read-only mode.
//!
//! The in-test terminal is a FAKE built from this crate's own codec, so it cannot catch a codec
//! that misreads the real protocol: that is the job of `kaoqin-sim`'s interop tests (our client and
//! pyzk against the real simulator, docs/terminal-protocols.md). It is kept for what the simulator
//! cannot do on demand: losing one chosen UDP datagram, unknown record sizes, inline table
//! replies, a corrupted reply to one chosen command, recording every request it saw.
//!
//! Timing: every reply timeout is generous, so a loaded machine only makes the tests slower, never
//! different. Only the tests that need a timeout to fire use a short one, and then nothing else
//! has to happen before it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use common::{Shared, Term, dt, sample_records, sample_users, shared, tcp_terminal, udp_terminal};
use kaoqin_zk::codec::{
    self, AttFormat, Privilege, TextEncoding, UserFormat, UserRecord, command as cmd,
};
use kaoqin_zk::{CancellationToken, ClientOptions, Endpoint, Progress, ZkClient, ZkError};

/// A reply timeout no answer from a loopback terminal can miss, however loaded the machine: it is
/// only a guard against a test hanging forever.
const GENEROUS: Duration = Duration::from_secs(60);

fn opts() -> ClientOptions {
    ClientOptions {
        timeout: GENEROUS,
        ..ClientOptions::default()
    }
}

async fn connect(ep: Endpoint, o: ClientOptions) -> ZkClient {
    ZkClient::connect(ep, o).await.expect("connect")
}

async fn endpoints(term: &Shared) -> [Endpoint; 2] {
    [
        Endpoint::Tcp(tcp_terminal(term.clone()).await),
        Endpoint::Udp(udp_terminal(term.clone()).await),
    ]
}

#[tokio::test]
async fn info_time_and_capacity() {
    let term = shared(Term::default());
    for ep in endpoints(&term).await {
        let mut c = connect(ep, opts()).await;
        let info = c.device_info().await.unwrap();
        assert_eq!(info.firmware_version, "Ver 6.60 Apr 28 2015");
        assert_eq!(info.serial_number.as_deref(), Some("KQ-SIM-0001"));
        assert_eq!(info.platform.as_deref(), Some("ZEM760_TFT"));
        assert_eq!(info.device_name.as_deref(), Some("F22"));
        assert_eq!(info.mac.as_deref(), Some("00:17:61:12:34:56"));
        assert_eq!(info.face_version.as_deref(), Some("7"));
        assert_eq!(info.pin_width, Some(9));
        let s = c.free_sizes().await.unwrap();
        assert_eq!((s.users, s.records, s.record_capacity), (3, 250, 200_000));
        assert_eq!(c.get_time().await.unwrap(), dt("2024-03-01 12:00:00"));
        c.set_time(dt("2025-12-31 23:59:58")).await.unwrap();
        assert_eq!(c.get_time().await.unwrap(), dt("2025-12-31 23:59:58"));
        term.lock().unwrap().time = dt("2024-03-01 12:00:00");
        c.disconnect().await.unwrap();
    }
}

#[tokio::test]
async fn every_record_format_over_tcp_and_udp() {
    for uf in [UserFormat::B28, UserFormat::B72] {
        for af in AttFormat::ALL {
            // 2000 records: several 64 KiB TCP chunks for 40/49 bytes, many UDP chunks.
            let records = sample_records(2000, af);
            let mut t = Term {
                user_format: uf,
                att_format: af,
                records: records.clone(),
                ..Term::default()
            };
            if uf == UserFormat::B28 {
                // 28-byte names hold 8 bytes: 4 hanzi in GBK.
                t.users[1].name = "王小明".into();
            }
            let term = shared(t);
            for ep in endpoints(&term).await {
                let label = format!("{ep} users {uf:?} log {af:?}");
                let mut c = connect(ep, opts()).await;
                let users = c.read_users().await.unwrap();
                assert_eq!(users.format, Some(uf), "{label}");
                assert_eq!(users.users, sample_users(), "{label}");
                let log = c.read_attendance().await.unwrap();
                assert_eq!(log.format, Some(af), "{label}");
                assert_eq!(log.records, records, "{label}");
                c.disconnect().await.unwrap();
            }
        }
    }
}

#[tokio::test]
async fn progress_reports_bytes_and_records() {
    let term = shared(Term {
        records: sample_records(5000, AttFormat::B40),
        ..Term::default()
    });
    for ep in endpoints(&term).await {
        let udp = matches!(ep, Endpoint::Udp(_));
        let mut c = connect(ep, opts()).await;
        let mut seen: Vec<Progress> = Vec::new();
        let log = c
            .read_attendance_with(&mut |p| seen.push(p), &CancellationToken::new())
            .await
            .unwrap();
        assert_eq!(log.records.len(), 5000);
        let last = *seen.last().unwrap();
        assert_eq!(last.bytes_done, 200_004);
        assert_eq!(last.bytes_total, 200_004);
        assert_eq!((last.records_done, last.records_total), (5000, 5000));
        assert!(seen.windows(2).all(|w| w[0].bytes_done <= w[1].bytes_done));
        // One report before the first chunk and one per chunk: the largest chunk per transport.
        let chunks = if udp {
            200_004u64.div_ceil(16 * 1024)
        } else {
            200_004u64.div_ceil(0xFFC0)
        };
        assert_eq!(seen.len() as u64, chunks + 1);
    }
}

#[tokio::test]
async fn inline_data_reply_is_accepted() {
    let term = shared(Term {
        inline_tables: true,
        ..Term::default()
    });
    let ep = Endpoint::Tcp(tcp_terminal(term.clone()).await);
    let mut c = connect(ep, opts()).await;
    assert_eq!(c.read_users().await.unwrap().users, sample_users());
    assert_eq!(c.read_attendance().await.unwrap().records.len(), 250);
}

#[tokio::test]
async fn comm_key_right_wrong_and_missing() {
    let term = shared(Term {
        comm_key: Some(12345),
        ..Term::default()
    });
    for ep in endpoints(&term).await {
        let good = ClientOptions {
            comm_key: Some(12345),
            ..opts()
        };
        let mut c = connect(ep.clone(), good).await;
        assert_eq!(c.session_id(), 0x4EB1);
        assert_eq!(c.get_time().await.unwrap(), dt("2024-03-01 12:00:00"));
        c.disconnect().await.unwrap();
        term.lock().unwrap().authed = false;

        let wrong = ClientOptions {
            comm_key: Some(54321),
            ..opts()
        };
        let e = ZkClient::connect(ep.clone(), wrong).await.err().unwrap();
        assert!(matches!(e, ZkError::AuthenticationFailed(_)), "{e}");
        assert!(e.to_string().contains("comm key"), "{e}");

        let e = ZkClient::connect(ep.clone(), opts()).await.err().unwrap();
        assert!(matches!(e, ZkError::CommKeyRequired), "{e}");
    }
}

#[tokio::test]
async fn set_delete_and_strip_rights() {
    let term = shared(Term::default());
    for ep in endpoints(&term).await {
        term.lock().unwrap().users = sample_users();
        let mut c = connect(ep, opts()).await;
        let new = UserRecord {
            uid: 9,
            privilege: Privilege::ADMIN,
            password: "4321".into(),
            name: "十三个汉字十三个汉字十三个".into(),
            card: 555,
            group: 1,
            timezones: [0; 4],
            user_id: "900".into(),
        };
        c.set_user(&new).await.unwrap();
        let stored = term
            .lock()
            .unwrap()
            .users
            .iter()
            .find(|u| u.uid == 9)
            .cloned()
            .unwrap();
        // 24-byte GBK name field: cut after 12 hanzi, never mid-character.
        assert_eq!(stored.name, "十三个汉字十三个汉字十三");
        assert_eq!(stored.password, "4321");
        let u = c.remove_password(9).await.unwrap();
        assert!(!u.has_password());
        let u = c.remove_admin(9).await.unwrap();
        assert_eq!(u.privilege, Privilege::USER);
        let stored = term
            .lock()
            .unwrap()
            .users
            .iter()
            .find(|u| u.uid == 9)
            .cloned()
            .unwrap();
        assert_eq!(
            (stored.password.as_str(), stored.privilege),
            ("", Privilege::USER)
        );
        c.delete_user(9).await.unwrap();
        assert!(term.lock().unwrap().users.iter().all(|u| u.uid != 9));
        let e = c.remove_admin(77).await.unwrap_err();
        assert!(matches!(e, ZkError::InvalidInput(_)), "{e}");
        c.disconnect().await.unwrap();
    }
}

#[tokio::test]
async fn with_disabled_enables_on_success_and_on_error() {
    let term = shared(Term::default());
    let ep = Endpoint::Tcp(tcp_terminal(term.clone()).await);
    let mut c = connect(ep, opts()).await;
    let n = c
        .with_disabled(Duration::from_secs(90), async |c| {
            Ok(c.read_attendance().await?.records.len())
        })
        .await
        .unwrap();
    assert_eq!(n, 250);
    {
        let t = term.lock().unwrap();
        assert_eq!(t.disabled, None);
        assert_eq!(t.enable_count, 1);
        let dis = t
            .seen
            .iter()
            .position(|&c| c == cmd::DISABLE_DEVICE)
            .unwrap();
        let en = t
            .seen
            .iter()
            .position(|&c| c == cmd::ENABLE_DEVICE)
            .unwrap();
        assert!(dis < en);
    }
    let e = c
        .with_disabled(Duration::from_secs(90), async |c| -> Result<(), ZkError> {
            c.remove_admin(4242).await?;
            Ok(())
        })
        .await
        .unwrap_err();
    assert!(matches!(e, ZkError::InvalidInput(_)));
    assert_eq!(term.lock().unwrap().enable_count, 2);
    assert_eq!(term.lock().unwrap().disabled, None);
    // The auto re-enable timeout went out with the disable.
    c.disable(Duration::from_secs(45)).await.unwrap();
    assert_eq!(term.lock().unwrap().disabled, Some(Some(45)));
    c.enable().await.unwrap();
}

#[tokio::test]
async fn busy_terminal_is_reported_as_busy() {
    let term = shared(Term {
        busy: true,
        ..Term::default()
    });
    let ep = Endpoint::Tcp(tcp_terminal(term.clone()).await);
    let mut c = connect(ep, opts()).await;
    let e = c
        .with_disabled(Duration::from_secs(60), async |_| Ok(()))
        .await
        .unwrap_err();
    assert!(matches!(e, ZkError::Busy), "{e}");
    assert!(c.state().await.unwrap().is_busy());
}

#[tokio::test]
async fn lost_udp_datagram_is_retried() {
    let records = sample_records(3000, AttFormat::B40);
    let term = shared(Term {
        records: records.clone(),
        // Lose a DATA datagram in the middle of the third chunk (16 datagrams per 16 KiB chunk).
        drop_udp_data: Some(40),
        ..Term::default()
    });
    let ep = Endpoint::Udp(udp_terminal(term.clone()).await);
    // The loss is noticed when the chunk's closing ACK_OK arrives short of the announced length,
    // not by a timeout; the generous timeout keeps a merely slow reply from being taken for a lost
    // one, so the only retry is the one the lost datagram calls for.
    let mut c = connect(ep, opts()).await;
    let log = c.read_attendance().await.unwrap();
    assert_eq!(log.records, records);
    let t = term.lock().unwrap();
    let third = 2 * codec::UDP_CHUNK;
    assert_eq!(
        t.lost_in_chunks,
        [third],
        "the datagram was lost in the third chunk"
    );
    // Every chunk asked for once, in order, and the one that lost a datagram asked for again
    // right away: nothing more, nothing skipped.
    let mut want = Vec::new();
    for chunk in codec::bulk::plan_chunks(120_004, codec::UDP_CHUNK) {
        want.push((chunk.offset, chunk.len));
        if t.lost_in_chunks.contains(&chunk.offset) {
            want.push((chunk.offset, chunk.len));
        }
    }
    assert_eq!(t.chunk_requests, want);
}

#[tokio::test]
async fn cancellation_stops_the_read_and_frees_the_buffer() {
    let term = shared(Term {
        records: sample_records(20_000, AttFormat::B40),
        ..Term::default()
    });
    let ep = Endpoint::Tcp(tcp_terminal(term.clone()).await);
    let mut c = connect(ep, opts()).await;
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    let calls = Arc::new(AtomicU64::new(0));
    let calls2 = calls.clone();
    let e = c
        .read_attendance_with(
            &mut |p| {
                calls2.fetch_add(1, Ordering::SeqCst);
                if p.bytes_done > 0 {
                    c2.cancel();
                }
            },
            &cancel,
        )
        .await
        .unwrap_err();
    assert!(matches!(e, ZkError::Cancelled), "{e}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let seen = term.lock().unwrap().seen.clone();
    assert_eq!(seen.iter().filter(|&&c| c == cmd::READ_CHUNK).count(), 1);
    assert_eq!(seen.last(), Some(&cmd::FREE_DATA));
    // The session is still usable.
    assert_eq!(c.get_time().await.unwrap(), dt("2024-03-01 12:00:00"));
}

#[tokio::test]
async fn unknown_record_size_is_named() {
    let mut raw = (360u32).to_le_bytes().to_vec();
    raw.extend([0u8; 360]);
    let term = shared(Term {
        raw_attlog: Some((raw, 10)),
        ..Term::default()
    });
    let ep = Endpoint::Tcp(tcp_terminal(term).await);
    let mut c = connect(ep, opts()).await;
    let e = c.read_attendance().await.unwrap_err();
    assert!(
        matches!(
            e,
            ZkError::UnsupportedRecordFormat {
                kind: "attendance",
                size: 36
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("36-byte"));
}

#[tokio::test]
async fn read_only_session_refuses_writes_before_sending() {
    let term = shared(Term::default());
    let ep = Endpoint::Tcp(tcp_terminal(term.clone()).await);
    let o = ClientOptions {
        read_only: true,
        user_format: Some(UserFormat::B72),
        ..opts()
    };
    let mut c = connect(ep, o).await;
    assert_eq!(c.read_users().await.unwrap().users.len(), 3);
    let e = c.delete_user(1).await.unwrap_err();
    assert!(matches!(e, ZkError::ReadOnly { .. }), "{e}");
    let e = c.disable(Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(e, ZkError::ReadOnly { .. }), "{e}");
    let seen = term.lock().unwrap().seen.clone();
    assert!(!seen.contains(&cmd::DELETE_USER) && !seen.contains(&cmd::DISABLE_DEVICE));
}

#[tokio::test]
async fn unreachable_and_silent_terminals() {
    // A closed port.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let e = ZkClient::connect(Endpoint::Tcp(addr), opts())
        .await
        .err()
        .unwrap();
    assert!(matches!(e, ZkError::Unreachable { .. }), "{e}");
    // A TCP peer that never answers: the kernel completes the handshake for a listener nobody
    // accepts from, and the listener stays open until the client has given up, so the only way
    // this connect can end is the reply timeout firing.
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let o = ClientOptions {
        timeout: Duration::from_secs(1),
        ..opts()
    };
    let e = ZkClient::connect(Endpoint::Tcp(addr), o)
        .await
        .err()
        .unwrap();
    assert!(matches!(e, ZkError::Unreachable { .. }), "{e}");
    assert!(e.to_string().contains("CONNECT"), "{e}");
    drop(l);
    // A UDP port nobody answers on.
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let o = ClientOptions {
        timeout: Duration::from_millis(100),
        retries: 1,
        ..opts()
    };
    let e = ZkClient::connect(Endpoint::Udp(s.local_addr().unwrap()), o)
        .await
        .err()
        .unwrap();
    assert!(matches!(e, ZkError::Unreachable { .. }), "{e}");
}

// Pseudo-terminals exist only on Unix (tokio-serial's `pair`).
#[cfg(unix)]
#[tokio::test]
async fn serial_frames_over_a_pty_pair() {
    let (a, b) = tokio_serial::SerialStream::pair().expect("pty pair");
    let term = shared(Term {
        enc: TextEncoding::Utf8,
        ..Term::default()
    });
    tokio::spawn(common::serve_stream(b, term.clone()));
    let o = ClientOptions {
        encoding: TextEncoding::Utf8,
        ..opts()
    };
    let mut c = ZkClient::connect_stream(a, "pty", o).await.unwrap();
    assert_eq!(c.read_users().await.unwrap().users, sample_users());
    assert_eq!(
        c.read_attendance().await.unwrap().records,
        sample_records(250, AttFormat::B40)
    );
    c.disconnect().await.unwrap();
}

// Pseudo-terminals exist only on Unix (tokio-serial's `pair`).
#[cfg(unix)]
#[tokio::test]
async fn serial_endpoint_opens_a_device_path() {
    use tokio_serial::SerialPort;
    let (master, slave) = tokio_serial::SerialStream::pair().expect("pty pair");
    let term = shared(Term::default());
    tokio::spawn(common::serve_stream(master, term.clone()));
    // The client opens the pty slave by path, like a real /dev/ttyUSB0.
    let path = slave.name().expect("pty slave path");
    let ep = Endpoint::Serial {
        path,
        baud: 115_200,
        machine: 7,
    };
    let mut c = connect(ep, opts()).await;
    assert_eq!(c.serial_profile().map(|p| p.machine), Some(7));
    assert_eq!(c.get_time().await.unwrap(), dt("2024-03-01 12:00:00"));
    assert_eq!(c.read_users().await.unwrap().users, sample_users());
    c.disconnect().await.unwrap();
    drop(slave);
    let e = ZkClient::connect(
        Endpoint::Serial {
            path: "/dev/does-not-exist".into(),
            baud: 9600,
            machine: 1,
        },
        opts(),
    )
    .await
    .err()
    .unwrap();
    assert!(matches!(e, ZkError::Unreachable { .. }), "{e}");
    let e = ZkClient::connect(
        Endpoint::Serial {
            path: "/dev/null".into(),
            baud: 1234,
            machine: 1,
        },
        opts(),
    )
    .await
    .err()
    .unwrap();
    assert!(matches!(e, ZkError::InvalidInput(_)), "{e}");
}

#[tokio::test]
async fn corrupted_reply_is_a_protocol_violation_with_hex() {
    let term = shared(Term {
        corrupt_reply_to: Some(cmd::GET_TIME),
        ..Term::default()
    });
    let ep = Endpoint::Tcp(tcp_terminal(term).await);
    let mut c = connect(ep, opts()).await;
    let e = c.get_time().await.unwrap_err();
    let ZkError::ProtocolViolation { detail, hex } = &e else {
        panic!("expected a protocol violation, got {e}");
    };
    assert!(detail.contains("checksum"), "{detail}");
    // The offending frame, starting with the TCP wrapper, is in the message.
    assert!(hex.starts_with("5050827d0c000000d007"), "{hex}");
    assert!(e.to_string().contains("bad checksum"), "{e}");
}

#[tokio::test]
async fn connection_dropped_mid_transfer_is_reported() {
    let term = shared(Term {
        records: sample_records(20_000, AttFormat::B40),
        close_after_chunks: Some(3),
        ..Term::default()
    });
    let ep = Endpoint::Tcp(tcp_terminal(term).await);
    let mut c = connect(ep, opts()).await;
    let e = c.read_attendance().await.unwrap_err();
    assert!(matches!(e, ZkError::Disconnected), "{e}");
}
