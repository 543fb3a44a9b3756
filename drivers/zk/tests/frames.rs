//! Every item of tests/data/zk-frames.txt (real-device and reference frames, a copy of
//! ../shared/zk-frames.txt) decodes as its comment says; the documented quirks are errors.

use chrono::NaiveDateTime;
use kaoqin_zk::codec::{
    self, AttFormat, CodecError, FreeSizes, Packet, PunchState, Request, TcpDeframer, TextEncoding,
    UserFormat, VerifyMode, command as cmd,
};

fn items() -> Vec<(String, Vec<u8>)> {
    let text = include_str!("data/zk-frames.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (label, hex) = l.split_once('|').expect("label | hex");
            (
                label.trim().to_string(),
                hex::decode(hex.trim()).expect("valid hex"),
            )
        })
        .collect()
}

fn dt(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
}

fn frame(bytes: &[u8]) -> Packet {
    codec::decode_tcp_frame(bytes).unwrap()
}

/// Asserts one item; returns false for an unknown label so new items cannot slip by untested.
fn check(label: &str, b: &[u8]) -> bool {
    match label {
        "connect_pyzk_capture" => {
            let p = frame(b);
            assert_eq!((p.command, p.session_id, p.reply_id), (cmd::CONNECT, 0, 0));
            assert_eq!(Request::decode(&p).unwrap(), Request::Connect);
            assert_eq!(codec::encode_tcp(&p), b, "re-encodes byte for byte");
        }
        "options_rrq_os" | "options_rrq_platform" => {
            let p = frame(b);
            let want = if label.ends_with("os") {
                "~OS"
            } else {
                "~Platform"
            };
            assert_eq!(
                Request::decode(&p).unwrap(),
                Request::ReadOption(want.into())
            );
            assert_eq!(codec::encode_tcp(&p), b);
        }
        "options_reply_platform_zem760" => {
            let p = frame(b);
            assert_eq!(p.command, cmd::ACK_OK);
            assert_eq!(
                codec::options::decode_option_pair(&p.payload).unwrap(),
                ("~Platform".into(), "ZEM760_TFT".into())
            );
            assert_eq!(codec::encode_tcp(&p), b);
        }
        "options_wrq_lockon5" => {
            let p = frame(b);
            assert_eq!(
                Request::decode(&p).unwrap(),
                Request::WriteOption {
                    key: "LockOn".into(),
                    value: "5".into()
                }
            );
            assert!(!codec::is_read_only_command(p.command));
        }
        "state_reply" => {
            let p = frame(b);
            assert_eq!(p.command, cmd::ACK_OK);
            // STATE_RRQ answers in the session field.
            assert_eq!(p.session_id, 2);
        }
        "rt_event_fpftr" => {
            let p = frame(b);
            assert_eq!(p.command, cmd::REG_EVENT);
            let ev = codec::decode_event(&p, TextEncoding::Gbk).unwrap();
            assert!(matches!(
                ev,
                codec::RealtimeEvent::Other { code: 0x0100, .. }
            ));
        }
        "rt_attlog_doc" => {
            // Quirk: declared 40, 44 follow, and the checksum is wrong.
            let err = codec::decode_tcp_frame(b).unwrap_err();
            assert!(matches!(err, CodecError::BadChecksum { .. }), "{err}");
            let mut d = TcpDeframer::new();
            d.push(b);
            assert!(matches!(
                d.next_packet(),
                Some(Err(CodecError::BadChecksum { .. }))
            ));
            assert!(matches!(
                d.next_packet(),
                Some(Err(CodecError::BadMagic { .. }))
            ));
            assert_eq!(d.next_packet(), None);
            // The body is the 32-byte F19 event of docs/terminal-protocols.md with 4 zero bytes
            // inserted after the 24-byte id (hence 44 bytes for a declared 40).
            let (p, _) = Packet::decode_unverified(&b[8..48]).unwrap();
            assert_eq!(&b[40..44], &[0, 0, 0, 0]);
            let mut fixed = p.clone();
            fixed.payload = [&b[16..40], &b[44..]].concat();
            assert_eq!(fixed.payload.len(), 32);
            let ev = codec::decode_event(&fixed, TextEncoding::Gbk).unwrap();
            assert_eq!(
                ev,
                codec::RealtimeEvent::Attendance {
                    user_id: "999111333".into(),
                    verify: VerifyMode::Fingerprint,
                    state: PunchState::CheckIn,
                    timestamp: dt("2018-06-25 17:41:05"),
                }
            );
        }
        "user_wrq_nuevo_72byte" => {
            // Quirk: 2 bytes beyond the declared length.
            let err = codec::decode_tcp_frame(b).unwrap_err();
            assert_eq!(
                err,
                CodecError::TrailingBytes {
                    count: 2,
                    hex: "0000".into()
                }
            );
            let mut d = TcpDeframer::new();
            d.push(b);
            let p = d.next_packet().unwrap().unwrap();
            assert!(matches!(
                d.next_packet(),
                Some(Err(CodecError::BadMagic { .. }))
            ));
            let Request::SetUser(rec) = Request::decode(&p).unwrap() else {
                panic!("not a set-user request");
            };
            let u = codec::decode_user(&rec, UserFormat::B72, TextEncoding::Gbk).unwrap();
            assert_eq!(u.uid, 14);
            assert_eq!(u.privilege.0, 6);
            assert!(u.privilege.is_admin());
            assert_eq!(u.password, "123456");
            assert_eq!(u.name, "Nuevo");
        }
        "verify_wrq" => {
            let p = frame(b);
            assert_eq!(p.command, 0x4f);
            assert!(matches!(
                Request::decode(&p).unwrap(),
                Request::Other { command: 0x4f, .. }
            ));
        }
        "att40_issue139" => {
            let r = codec::decode_attendance(b, AttFormat::B40, TextEncoding::Gbk).unwrap();
            assert_eq!(r.uid, Some(1));
            assert_eq!(r.user_id, "10036");
            assert_eq!(r.verify, VerifyMode::Face);
            assert_eq!(r.state, PunchState::CheckIn);
            assert_eq!(r.timestamp, dt("2021-10-24 13:42:16"));
            assert_eq!(
                codec::encode_attendance(&r, AttFormat::B40, TextEncoding::Gbk).unwrap(),
                b
            );
        }
        "att8_issue99_a" | "att8_issue99_b" => {
            let r = codec::decode_attendance(b, AttFormat::B8, TextEncoding::Gbk).unwrap();
            let (uid, t) = if label.ends_with('a') {
                (7, "2016-01-01 19:02:00")
            } else {
                (123, "2016-01-01 19:04:43")
            };
            assert_eq!(r.uid, Some(uid));
            assert_eq!(r.user_id, uid.to_string());
            assert_eq!(r.timestamp, dt(t));
            assert_eq!(r.verify, VerifyMode::Unknown(0x28));
            assert_eq!(
                codec::encode_attendance(&r, AttFormat::B8, TextEncoding::Gbk).unwrap(),
                b
            );
        }
        "free_sizes_f18" => {
            let s = FreeSizes::decode(b).unwrap();
            assert_eq!((s.users, s.records), (3, 58));
            assert_eq!(
                (s.user_capacity, s.fingerprint_capacity, s.record_capacity),
                (5000, 3000, 100_000)
            );
            assert_eq!(s.fingerprints, 3);
            assert_eq!(s.fingerprints_free, 3000 - 3);
            assert_eq!(s.users_free, 5000 - 3);
            assert_eq!(s.records_free, 100_000 - 58);
            assert_eq!(FreeSizes::decode(&s.encode()).unwrap(), s);
        }
        "commkey_12345_4eb1" => {
            assert_eq!(codec::make_commkey(12345, 0x4EB1, 50).as_slice(), b);
        }
        "time_2024_03_01_120000" => {
            let raw = u32::from_le_bytes(b.try_into().unwrap());
            assert_eq!(codec::decode_time(raw).unwrap(), dt("2024-03-01 12:00:00"));
            assert_eq!(codec::encode_time(dt("2024-03-01 12:00:00")).unwrap(), raw);
        }
        _ => return false,
    }
    true
}

#[test]
fn every_item_decodes_as_documented() {
    let items = items();
    assert_eq!(items.len(), 16, "zk-frames.txt item count changed");
    for (label, bytes) in &items {
        assert!(check(label, bytes), "no expectation for item {label}");
    }
}

#[test]
fn framed_items_are_found_by_the_streaming_deframer() {
    // All framed items back to back: the good ones come out in order, the quirks as errors.
    let mut d = TcpDeframer::new();
    let mut good = 0;
    let mut bad = 0;
    for (_, bytes) in items()
        .iter()
        .filter(|(_, b)| b.starts_with(&codec::tcp::TCP_MAGIC))
    {
        d.push(bytes);
        while let Some(r) = d.next_packet() {
            match r {
                Ok(_) => good += 1,
                Err(_) => bad += 1,
            }
        }
    }
    // 9 correct frames + the nuevo frame; rt_attlog_doc's checksum plus 2 garbage runs.
    assert_eq!(good, 9);
    assert_eq!(bad, 3);
    assert_eq!(d.buffered(), 0);
}
