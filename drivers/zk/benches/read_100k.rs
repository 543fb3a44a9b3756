//! Bench binary: 100,000 40-byte attendance records read by the client from the in-test terminal
//! over loopback TCP and UDP (whole download + decode), and codec-only decode of the same table.
//! Run: `cargo bench -p kaoqin-zk --bench read_100k`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Term, sample_records, shared, tcp_terminal, udp_terminal};
use kaoqin_zk::codec::{self, AttFormat, TextEncoding};
use kaoqin_zk::{ClientOptions, Endpoint, ZkClient};

const N: u32 = 100_000;
const RUNS: usize = 5;

fn stats(name: &str, mut t: Vec<Duration>) {
    t.sort();
    let mean = t.iter().sum::<Duration>() / t.len() as u32;
    println!(
        "{name:<44} mean {mean:>10.2?}  min {:>10.2?}  max {:>10.2?}  ({} runs)",
        t[0],
        t[t.len() - 1],
        t.len()
    );
}

fn main() {
    let records = sample_records(N, AttFormat::B40);
    let table =
        codec::encode_attendance_table(&records, AttFormat::B40, TextEncoding::Gbk).unwrap();
    let mut t = Vec::new();
    for _ in 0..RUNS {
        let s = Instant::now();
        let (_, r) = codec::decode_attendance_table(&table, N as usize, TextEncoding::Gbk).unwrap();
        assert_eq!(r.len(), N as usize);
        t.push(s.elapsed());
    }
    stats("codec decode 100k x 40 B", t);

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let term = shared(Term {
            records,
            ..Term::default()
        });
        for ep in [
            Endpoint::Tcp(tcp_terminal(term.clone()).await),
            Endpoint::Udp(udp_terminal(term.clone()).await),
        ] {
            let name = format!(
                "client connect+read 100k x 40 B {}",
                if matches!(ep, Endpoint::Tcp(_)) {
                    "TCP"
                } else {
                    "UDP"
                }
            );
            let mut t = Vec::new();
            for _ in 0..RUNS {
                let s = Instant::now();
                let mut c = ZkClient::connect(ep.clone(), ClientOptions::default())
                    .await
                    .unwrap();
                let log = c.read_attendance().await.unwrap();
                c.disconnect().await.unwrap();
                assert_eq!(log.records.len(), N as usize);
                t.push(s.elapsed());
            }
            stats(&name, t);
        }
    });
}
