//! The shard reader under concurrency: 16 threads sharing the index cache
//! while a writer appends, and shards truncated or replaced between the
//! index refresh (the read plan) and the reads.

use behave_shell_native::shard;
use behave_shell_native::text::Unit;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SID: &str = "11111111-2222-4333-8444-555555555555";
const OTHER: &str = "ffffffff-eeee-4ddd-8ccc-bbbbbbbbbbbb";

fn units(s: &str) -> Vec<Unit> {
    s.chars().map(u32::from).collect()
}

fn line(sid: &str, t: usize) -> String {
    let ch = if t % 3 == 0 { "o" } else { "i" };
    format!(r#"{{"sid":"{sid}","t":{t},"ch":"{ch}","d":"e{t}"}}"#) + "\n"
}

/// A scratch file removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("bsn-races-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir.join(name))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn ts(events: &[behave_shell_native::event::Event]) -> Vec<f64> {
    events.iter().map(|e| e.t).collect()
}

fn prefix(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

#[test]
fn sixteen_readers_and_an_appending_writer() {
    let scratch = Scratch::new("sessions-2026-05-08.jsonl");
    let path: Arc<Path> = Arc::from(scratch.0.as_path());
    std::fs::write(&path, line(SID, 0)).expect("write shard");
    let written = Arc::new(AtomicUsize::new(1));
    let stop = Arc::new(AtomicBool::new(false));

    let writer = {
        let (path, written, stop) = (Arc::clone(&path), Arc::clone(&written), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&*path)
                .expect("open for append");
            let mut t = 1;
            while !stop.load(Ordering::Relaxed) {
                let full = line(SID, t);
                let (a, b) = full.as_bytes().split_at(full.len() / 2);
                file.write_all(a).expect("append");
                std::thread::yield_now();
                file.write_all(b).expect("append");
                written.store(t + 1, Ordering::SeqCst);
                file.write_all(line(OTHER, t).as_bytes()).expect("append");
                if t % 5 == 0 {
                    file.write_all(b"{\"sid\":\"garbage\xff\n").expect("append");
                }
                t += 1;
            }
        })
    };

    let readers: Vec<_> = (0..16)
        .map(|i| {
            let (path, written) = (Arc::clone(&path), Arc::clone(&written));
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_millis(1500);
                let mut last = 0;
                while Instant::now() < deadline {
                    let floor = written.load(Ordering::SeqCst);
                    let n = if i % 2 == 0 {
                        let events = shard::events_for_sid(&path, &units(SID)).expect("read");
                        assert_eq!(ts(&events), prefix(events.len()), "not a prefix");
                        events.len()
                    } else {
                        let all = shard::sessions(&path).expect("sessions");
                        let mine = all
                            .iter()
                            .find(|s| s.sid.units().eq(SID.chars().map(u32::from)));
                        mine.map_or(0, |s| s.inputs + s.outputs)
                    };
                    assert!(
                        n >= floor.max(last),
                        "count went from {last} to {n} (floor {floor})"
                    );
                    last = n;
                }
            })
        })
        .collect();
    for r in readers {
        r.join().expect("reader panicked");
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer panicked");
    let n = written.load(Ordering::SeqCst);
    let events = shard::events_for_sid(&path, &units(SID)).expect("final read");
    assert_eq!(ts(&events), prefix(n));
}

fn shard_of(n: usize) -> String {
    (0..n).map(|t| line(SID, t)).collect()
}

#[test]
fn truncated_between_plan_and_read() {
    let scratch = Scratch::new("truncated.jsonl");
    let body = shard_of(2000);
    std::fs::write(&scratch.0, &body).expect("write shard");
    let plan = shard::plan(&scratch.0, Some(&[units(SID)])).expect("plan");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&scratch.0)
        .expect("open");
    let cut = body.len() / 3;
    file.set_len(cut as u64).expect("truncate");
    let events = plan.read(0);
    // Every line still wholly in the file is read, even those sharing a
    // coalesced read with the cut one.
    let mut end = 0;
    let whole = body
        .lines()
        .take_while(|l| {
            end += l.len();
            let fits = end <= cut;
            end += 1;
            fits
        })
        .count();
    assert!(whole > 100 && whole < 2000);
    assert_eq!(
        ts(&events),
        prefix(whole),
        "what is read is every line still there"
    );
    // The next call sees the shrunk file and re-indexes it.
    let again = shard::events_for_sid(&scratch.0, &units(SID)).expect("read");
    assert!(!again.is_empty() && again.len() < 2000);
    assert_eq!(ts(&again), prefix(again.len()));
}

#[test]
fn replaced_between_plan_and_read() {
    let scratch = Scratch::new("replaced.jsonl");
    std::fs::write(&scratch.0, shard_of(300)).expect("write shard");
    let plan = shard::plan(&scratch.0, Some(&[units(SID)])).expect("plan");
    let fresh = Scratch::new("fresh.jsonl");
    std::fs::write(&fresh.0, line(OTHER, 0)).expect("write");
    std::fs::rename(&fresh.0, &scratch.0).expect("replace");
    // The plan holds the old file open: it reads the old session whole.
    assert_eq!(ts(&plan.read(0)), prefix(300));
    let now = shard::events_for_sid(&scratch.0, &units(SID)).expect("read");
    assert!(now.is_empty());
}

#[test]
fn rewritten_in_place_between_calls() {
    let scratch = Scratch::new("rewritten.jsonl");
    std::fs::write(&scratch.0, shard_of(50)).expect("write shard");
    assert_eq!(
        shard::events_for_sid(&scratch.0, &units(SID))
            .expect("read")
            .len(),
        50
    );
    // Same inode, longer, different bytes before the old indexed end.
    let other: String = (0..60).map(|t| line(OTHER, t)).collect();
    std::fs::write(&scratch.0, other).expect("rewrite");
    let now = shard::events_for_sid(&scratch.0, &units(SID)).expect("read");
    assert!(
        now.is_empty(),
        "a stale index would still return the old lines"
    );
}
