//! Fuzz target: any bytes through the streaming deframer, the packet and request decoders, and
//! every record/payload decoder. Decoders must return errors, never panic.
#![no_main]

use kaoqin_zk::codec::{
    self, AttFormat, FreeSizes, Packet, Request, TcpDeframer, TextEncoding, UserFormat,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Stream deframing, fed in two pieces to exercise partial frames.
    let mut d = TcpDeframer::with_max_frame(1 << 20);
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    for piece in [&data[..split], &data[split..]] {
        d.push(piece);
        while let Some(r) = d.next_packet() {
            if let Ok(p) = r {
                let _ = Request::decode(&p);
                let _ = codec::decode_event(&p, TextEncoding::Gbk);
                assert_eq!(Packet::decode(&p.encode()).as_ref(), Ok(&p));
            }
        }
    }
    let _ = codec::decode_tcp_frame(data);
    if let Ok(p) = Packet::decode(data) {
        let _ = Request::decode(&p);
        let _ = codec::decode_event(&p, TextEncoding::Utf8);
    }
    for enc in [TextEncoding::Gbk, TextEncoding::Utf8] {
        for f in AttFormat::ALL {
            if let Some(rec) = data.get(..f.size()) {
                let _ = codec::decode_attendance(rec, f, enc);
            }
        }
        for f in [UserFormat::B28, UserFormat::B72] {
            if let Some(rec) = data.get(..f.size()) {
                let _ = codec::decode_user(rec, f, enc);
            }
        }
        let count = data.get(1).map_or(1, |b| usize::from(*b));
        let _ = codec::decode_attendance_table(data, count, enc);
        let _ = codec::decode_user_table(data, count, enc);
    }
    let _ = codec::template::decode_template_table(data);
    let _ = codec::template::decode_delete_template(data);
    let _ = FreeSizes::decode(data);
    let _ = codec::options::decode_option_pair(data);
    let _ = codec::bulk::decode_buffer_ready(data);
    let _ = codec::bulk::decode_prepare_data(data);
    let mut asm = codec::ChunkAssembler::new(data.len() / 2);
    for c in data.chunks(7) {
        if asm.push(c).is_err() {
            break;
        }
    }
});
