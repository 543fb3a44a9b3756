//! Property tests: decoding arbitrary bytes never panics; encode → decode round-trips for packets,
//! frames (split anywhere), times, users and attendance records.

use chrono::{NaiveDate, NaiveDateTime};
use kaoqin_zk::codec::{
    self, AttFormat, AttendanceRecord, FreeSizes, Packet, Privilege, PunchState, Request,
    TcpDeframer, TextEncoding, UserFormat, UserRecord, VerifyMode,
};
use proptest::prelude::*;

fn datetime() -> impl Strategy<Value = NaiveDateTime> {
    (
        2000i32..=2132,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| {
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, s)
                .unwrap()
        })
}

fn packet() -> impl Strategy<Value = Packet> {
    (
        any::<u16>(),
        any::<u16>(),
        any::<u16>(),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(c, s, r, p)| Packet::new(c, s, r, p))
}

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            'a', 'Z', '7', ' ', '李', '四', '王', '明', '十', '汉', '字',
        ]),
        0..30,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..600), cut in 0usize..600) {
        let mut d = TcpDeframer::with_max_frame(4096);
        let cut = cut.min(data.len());
        for piece in [&data[..cut], &data[cut..]] {
            d.push(piece);
            while let Some(r) = d.next_packet() {
                if let Ok(p) = r {
                    let _ = Request::decode(&p);
                    let _ = codec::decode_event(&p, TextEncoding::Gbk);
                }
            }
        }
        let _ = codec::decode_tcp_frame(&data);
        let _ = codec::decode_template_table(&data);
        let _ = codec::template::decode_delete_template(&data);
        if let Ok(p) = Packet::decode(&data) {
            let _ = Request::decode(&p);
        }
        for enc in [TextEncoding::Gbk, TextEncoding::Utf8] {
            for f in AttFormat::ALL {
                let _ = codec::decode_attendance(&data, f, enc);
                if let Some(r) = data.get(..f.size()) {
                    let _ = codec::decode_attendance(r, f, enc);
                }
            }
            for f in [UserFormat::B28, UserFormat::B72] {
                if let Some(r) = data.get(..f.size()) {
                    let _ = codec::decode_user(r, f, enc);
                }
            }
            let _ = codec::decode_attendance_table(&data, cut, enc);
            let _ = codec::decode_user_table(&data, cut, enc);
        }
        let _ = FreeSizes::decode(&data);
        let _ = codec::options::decode_option_pair(&data);
    }

    #[test]
    fn packet_and_frames_roundtrip(ps in prop::collection::vec(packet(), 1..5), step in 1usize..97) {
        let mut wire = Vec::new();
        for p in &ps {
            prop_assert_eq!(&Packet::decode(&p.encode()).unwrap(), p);
            prop_assert_eq!(&codec::decode_tcp_frame(&codec::encode_tcp(p)).unwrap(), p);
            codec::tcp::encode_tcp_into(p, &mut wire);
        }
        let mut d = TcpDeframer::new();
        let mut out = Vec::new();
        for piece in wire.chunks(step) {
            d.push(piece);
            while let Some(r) = d.next_packet() {
                out.push(r.unwrap());
            }
        }
        prop_assert_eq!(out, ps);
    }

    #[test]
    fn corrupted_byte_is_detected(p in packet(), pos in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = p.encode();
        let i = pos.index(bytes.len());
        bytes[i] ^= flip;
        // A single changed byte can never keep the checksum valid… unless it hit the checksum
        // and header in a compensating way, which one byte cannot do.
        prop_assert!(Packet::decode(&bytes).is_err());
    }

    #[test]
    fn time_roundtrip(t in datetime()) {
        prop_assert_eq!(codec::decode_time(codec::encode_time(t).unwrap()).unwrap(), t);
    }

    #[test]
    fn user_roundtrip(
        uid in any::<u16>(), privilege in any::<u8>(), pwd in "[0-9]{0,5}", n in name(),
        card in any::<u32>(), group in any::<u8>(), tz in any::<u16>(), id in any::<u32>(),
        long_id in "[0-9A-Za-z]{0,24}", utf8 in any::<bool>(), b72 in any::<bool>(),
    ) {
        let enc = if utf8 { TextEncoding::Utf8 } else { TextEncoding::Gbk };
        let format = if b72 { UserFormat::B72 } else { UserFormat::B28 };
        let u = UserRecord {
            uid,
            privilege: Privilege(privilege),
            password: pwd,
            name: n.clone(),
            card,
            group: if b72 { group.max(1) } else { group },
            timezones: if b72 { [tz, 0, tz, 1] } else { [tz, 0, 0, 0] },
            user_id: if b72 { long_id } else { id.to_string() },
        };
        let bytes = codec::encode_user(&u, format, enc).unwrap();
        prop_assert_eq!(bytes.len(), format.size());
        let back = codec::decode_user(&bytes, format, enc).unwrap();
        // The name is the longest whole-character prefix that fits.
        let (cut, _) = enc.encode_truncated(&n, format.name_width()).unwrap();
        prop_assert!(n.starts_with(&back.name));
        prop_assert_eq!(enc.encode(&back.name).unwrap(), cut);
        let mut want = u.clone();
        want.name = back.name.clone();
        prop_assert_eq!(back, want);
    }

    #[test]
    fn attendance_roundtrip(
        uid in any::<u16>(), pin in any::<u32>(), t in datetime(), v in any::<u8>(), s in any::<u8>(),
        wc in any::<u32>(), idx in 0usize..4, n in 0usize..20,
    ) {
        let format = AttFormat::ALL[idx];
        let r = AttendanceRecord {
            uid: (format != AttFormat::B16).then_some(uid),
            user_id: match format {
                AttFormat::B8 => uid.to_string(),
                _ => pin.to_string(),
            },
            timestamp: t,
            verify: VerifyMode::from_u8(v),
            state: if format == AttFormat::B8 { PunchState::Undefined } else { PunchState::from_u8(s) },
            work_code: if format == AttFormat::B16 { wc } else { 0 },
        };
        let one = codec::encode_attendance(&r, format, TextEncoding::Gbk).unwrap();
        prop_assert_eq!(&codec::decode_attendance(&one, format, TextEncoding::Gbk).unwrap(), &r);
        let many = vec![r; n];
        let table = codec::encode_attendance_table(&many, format, TextEncoding::Gbk).unwrap();
        let (f, back) = codec::decode_attendance_table(&table, n, TextEncoding::Gbk).unwrap();
        prop_assert_eq!(f, (n > 0).then_some(format));
        prop_assert_eq!(back, many);
    }
}
