//! The shard reader's hot path: splitting lines, decoding recorder lines,
//! building a shard's index, and reading one session once the index is
//! warm. The inputs are generated here, deterministically, in the
//! recorder's format; every bench checks its answer against what the
//! generator wrote.
//!
//! `cargo bench --bench shard -- --quick` for a short run.

use behave_shell_native::shard::index::ShardIndex;
use behave_shell_native::shard::scan::Lines;
use behave_shell_native::shard::{events_for_sid, parse_record};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;

/// Size of the generated day shard.
const SHARD_BYTES: usize = 20 << 20;

/// Sessions in it; about two dozen are live at any moment.
const SESSIONS: usize = 100;

/// Sessions recorded at the same time, whose lines interleave.
const LIVE: usize = 24;

/// SplitMix64: a fixed, dependency-free source of variety.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or(0)
    }
}

fn uuid4(rng: &mut Rng) -> String {
    let (a, b) = (rng.next(), rng.next());
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// What a decoy prints for `ls -la`, JSON-escaped as the recorder writes it.
const LISTING: &str = "total 80\\r\\ndrwxr-xr-x  2 root root  4096 Dec  3 13:32 .\\r\\n\
    drwxr-xr-x 15 root root  4096 Dec  3 13:54 ..\\r\\n\
    -rw-r--r--  1 root root 50153 Dec  3 13:32 .bash_history\\r\\n";

/// A generated shard and what the generator knows about it.
struct Shard {
    bytes: Vec<u8>,
    lines: usize,
    sids: Vec<String>,
    /// Event lines written for each sid (headers excluded).
    events: Vec<usize>,
}

/// About `total` bytes of `sessions` sessions: a header line each, then
/// keystrokes, their echo, Enter and command output, in runs of one to six
/// lines from one of `LIVE` sessions at a time.
fn generate(total: usize, sessions: usize) -> Shard {
    let mut rng = Rng(42);
    let sids: Vec<String> = (0..sessions).map(|_| uuid4(&mut rng)).collect();
    let per_session = total / sessions.max(1);
    let mut left = vec![per_session; sessions];
    let mut clock = vec![0.0f64; sessions];
    let mut events = vec![0usize; sessions];
    let mut bytes = Vec::with_capacity(total + (64 << 10));
    let mut lines = 0;
    let mut live: Vec<usize> = Vec::new();
    let mut started = 0;
    loop {
        while live.len() < LIVE && started < sessions {
            let sid = sids.get(started).map_or("", String::as_str);
            bytes.extend_from_slice(
                format!(
                    r#"{{"sid":"{sid}","hdr":{{"version":2,"width":80,"height":24,"timestamp":1777716000,"env":{{"SHELL":"/bin/bash","TERM":"xterm"}}}}}}"#
                )
                .as_bytes(),
            );
            bytes.push(b'\n');
            lines += 1;
            live.push(started);
            started += 1;
        }
        if live.is_empty() {
            break;
        }
        let k = rng.below(live.len());
        let s = live.get(k).copied().unwrap_or(0);
        let sid = sids.get(s).map_or("", String::as_str);
        for _ in 0..=rng.below(6) {
            let Some(t) = clock.get_mut(s) else { break };
            *t += rng.below(400_000) as f64 / 1e6;
            let t = *t;
            let letter = char::from(b'a' + u8::try_from(rng.below(26)).unwrap_or(0));
            let line = match rng.below(10) {
                0..=3 => format!(r#"{{"sid":"{sid}","t":{t:.6},"ch":"i","d":"{letter}"}}"#),
                4..=7 => format!(r#"{{"sid":"{sid}","t":{t:.6},"ch":"o","d":"{letter}"}}"#),
                8 => format!(r#"{{"sid":"{sid}","t":{t:.6},"ch":"i","d":"\r"}}"#),
                _ => {
                    let d = LISTING.repeat(1 + rng.below(4));
                    format!(r#"{{"sid":"{sid}","t":{t:.6},"ch":"o","d":"{d}root@decoy:~# "}}"#)
                }
            };
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
            lines += 1;
            if let Some(n) = events.get_mut(s) {
                *n += 1;
            }
            let Some(budget) = left.get_mut(s) else { break };
            *budget = budget.saturating_sub(line.len() + 1);
            if *budget == 0 {
                live.swap_remove(k);
                break;
            }
        }
    }
    Shard {
        bytes,
        lines,
        sids,
        events,
    }
}

/// The generated shard on disk, removed when dropped.
struct TempShard(PathBuf);

impl TempShard {
    fn write(bytes: &[u8]) -> TempShard {
        let path =
            std::env::temp_dir().join(format!("bsn-bench-shard-{}.jsonl", std::process::id()));
        std::fs::write(&path, bytes).expect("write the bench shard");
        TempShard(path)
    }
}

impl Drop for TempShard {
    fn drop(&mut self) {
        // Best effort: a leftover file in the temp dir harms nothing.
        let _ = std::fs::remove_file(&self.0);
    }
}

fn units(s: &str) -> Vec<u32> {
    s.chars().map(u32::from).collect()
}

fn benches(c: &mut Criterion) {
    let shard = generate(SHARD_BYTES, SESSIONS);
    let size = shard.bytes.len() as u64;

    let mut group = c.benchmark_group("shard");
    group.throughput(Throughput::Bytes(size));
    group.bench_function("scan_lines", |b| {
        b.iter(|| {
            let n = Lines::new(black_box(&shard.bytes)).count();
            assert_eq!(n, shard.lines);
        });
    });

    let typical: Vec<&[u8]> = Lines::new(&shard.bytes)
        .map(|(_, line)| line)
        .filter(|line| !line.windows(6).any(|w| w == b"\"hdr\":"))
        .take(10_000)
        .collect();
    let typical_bytes: usize = typical.iter().map(|line| line.len()).sum();
    group.throughput(Throughput::Bytes(typical_bytes as u64));
    group.bench_function("decode_event_lines", |b| {
        b.iter(|| {
            let decoded = typical
                .iter()
                .filter(|line| parse_record(black_box(line)).is_ok_and(|r| r.event().is_ok()))
                .count();
            assert_eq!(decoded, typical.len());
        });
    });

    let file = TempShard::write(&shard.bytes);
    let opened = std::fs::File::open(&file.0).expect("open the bench shard");
    group.throughput(Throughput::Bytes(size));
    group.bench_function("index_build", |b| {
        b.iter(|| {
            let index = ShardIndex::build(&opened, size).expect("index the bench shard");
            assert_eq!(index.sids().len(), shard.sids.len());
        });
    });

    // The busiest session, so the read is a real one.
    let (busiest, want) = shard
        .events
        .iter()
        .enumerate()
        .max_by_key(|&(_, n)| *n)
        .map(|(i, &n)| (i, n))
        .unwrap_or_default();
    let sid = units(shard.sids.get(busiest).map_or("", String::as_str));
    let warm = events_for_sid(&file.0, &sid).expect("warm the index");
    assert_eq!(warm.len(), want);
    group.throughput(Throughput::Elements(want as u64));
    group.bench_function("events_for_sid_warm", |b| {
        b.iter(|| {
            let events = events_for_sid(&file.0, black_box(&sid)).expect("read a session");
            assert_eq!(events.len(), want);
        });
    });
    group.finish();
}

criterion_group!(shard_benches, benches);
criterion_main!(shard_benches);
