//! The shard reader against files written by the test: line endings, the
//! torn tail, incremental indexing, replaced files, a concurrent writer,
//! oversize lines and refused file types.

use behave_shell_native::event::{Channel, Event};
use behave_shell_native::shard::{
    FileKind, ShardError, events_for_sid, find_shard_with_sid, sessions,
};
use behave_shell_native::text::Text;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const SID: &str = "5d0c6f4e-2b7a-4c1e-9a3d-0f1e2d3c4b5a";
const OTHER: &str = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

/// A fresh scratch directory per test.
fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("bsn-reader-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn sid(s: &str) -> Text {
    Text::Bytes(s.as_bytes().to_vec())
}

fn line(sid: &str, t: f64, ch: &str, d: &str) -> String {
    format!(r#"{{"sid":"{sid}","t":{t:.6},"ch":"{ch}","d":"{d}"}}"#)
}

fn header(sid: &str) -> String {
    format!(r#"{{"sid":"{sid}","hdr":{{"width":80,"height":24}}}}"#)
}

fn units(s: &str) -> Vec<u32> {
    s.chars().map(u32::from).collect()
}

fn read(path: &Path, s: &str) -> Vec<Event> {
    events_for_sid(path, &units(s)).expect("events")
}

fn times(events: &[Event]) -> Vec<f64> {
    events.iter().map(|e| e.t).collect()
}

fn append(path: &Path, bytes: &[u8]) {
    let mut f = OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .expect("open");
    f.write_all(bytes).expect("append");
}

#[test]
fn reads_one_session_and_skips_headers() {
    let dir = scratch("basic");
    let path = dir.join("s.jsonl");
    let body = [
        header(SID),
        line(SID, 1.0, "i", "l"),
        header(OTHER),
        line(OTHER, 1.5, "o", "x"),
        line(SID, 2.0, "o", "ls\\r\\n"),
        "garbage".to_owned(),
        String::new(),
    ]
    .join("\n");
    std::fs::write(&path, body).expect("write");
    let events = read(&path, SID);
    assert_eq!(times(&events), vec![1.0, 2.0]);
    assert_eq!(
        events.get(1).map(|e| (e.channel, e.data.clone())),
        Some((Channel::Output, sid("ls\r\n")))
    );
    assert_eq!(times(&read(&path, OTHER)), vec![1.5]);
    assert!(read(&path, "nobody").is_empty());
}

#[test]
fn cr_only_and_crlf_endings() {
    let dir = scratch("cr");
    let path = dir.join("s.jsonl");
    let body = format!(
        "{}\r{}\r\n{}\r",
        line(SID, 1.0, "i", "a"),
        line(SID, 2.0, "i", "b"),
        line(SID, 3.0, "i", "c")
    );
    std::fs::write(&path, body).expect("write");
    assert_eq!(times(&read(&path, SID)), vec![1.0, 2.0, 3.0]);
}

#[test]
fn bom_on_first_line_skips_it() {
    let dir = scratch("bom");
    let path = dir.join("s.jsonl");
    let body = format!(
        "\u{feff}{}\n{}\n",
        line(SID, 1.0, "i", "a"),
        line(SID, 2.0, "i", "b")
    );
    std::fs::write(&path, body).expect("write");
    assert_eq!(times(&read(&path, SID)), vec![2.0]);
}

#[test]
fn torn_tail_is_ignored_and_complete_tail_is_read() {
    let dir = scratch("tail");
    let path = dir.join("s.jsonl");
    let full = line(SID, 2.0, "o", "done");
    let torn = full.get(..full.len() - 3).expect("prefix");
    std::fs::write(&path, format!("{}\n{torn}", line(SID, 1.0, "i", "a"))).expect("write");
    assert_eq!(times(&read(&path, SID)), vec![1.0]);
    append(&path, full.get(full.len() - 3..).expect("rest").as_bytes());
    assert_eq!(
        times(&read(&path, SID)),
        vec![1.0, 2.0],
        "complete unterminated tail counts"
    );
    append(&path, b"\n");
    assert_eq!(
        times(&read(&path, SID)),
        vec![1.0, 2.0],
        "once terminated, still once"
    );
    let summary = sessions(&path).expect("sessions");
    assert_eq!(summary.len(), 1);
    assert_eq!(summary.first().map(|s| (s.inputs, s.outputs)), Some((1, 1)));
}

#[test]
fn incremental_growth_reads_each_event_once() {
    let dir = scratch("grow");
    let path = dir.join("s.jsonl");
    std::fs::write(&path, "").expect("write");
    let mut want = Vec::new();
    for round in 0..20 {
        let mut chunk = String::new();
        for k in 0..5 {
            let t = f64::from(round * 5 + k);
            want.push(t);
            chunk.push_str(&line(SID, t, "o", "x"));
            chunk.push('\n');
            chunk.push_str(&line(OTHER, t, "i", "y"));
            chunk.push('\n');
        }
        append(&path, chunk.as_bytes());
        assert_eq!(times(&read(&path, SID)), want);
    }
}

#[test]
fn shrink_or_replace_rebuilds() {
    let dir = scratch("replace");
    let path = dir.join("s.jsonl");
    let three: String = (1..=3)
        .map(|t| line(SID, f64::from(t), "i", "a") + "\n")
        .collect();
    std::fs::write(&path, &three).expect("write");
    assert_eq!(read(&path, SID).len(), 3);

    // Truncated in place and rewritten shorter: same inode, smaller size.
    std::fs::write(&path, line(SID, 9.0, "i", "z") + "\n").expect("rewrite");
    assert_eq!(times(&read(&path, SID)), vec![9.0]);

    // Replaced by rename: new inode, longer.
    let tmp = dir.join("new.jsonl");
    let four: String = (10..=13)
        .map(|t| line(OTHER, f64::from(t), "o", "b") + "\n")
        .collect();
    std::fs::write(&tmp, four).expect("write");
    std::fs::rename(&tmp, &path).expect("rename");
    assert!(read(&path, SID).is_empty());
    assert_eq!(read(&path, OTHER).len(), 4);

    // Rewritten in place, same length, different content.
    let same_len: String = (10..=13)
        .map(|t| line(SID, f64::from(t), "o", "b") + "\n")
        .collect();
    let mut f = OpenOptions::new().write(true).open(&path).expect("open");
    f.write_all(same_len.as_bytes()).expect("overwrite");
    drop(f);
    assert_eq!(read(&path, SID).len(), 4);
}

#[test]
fn concurrent_appender_never_yields_torn_or_duplicate_events() {
    let dir = scratch("race");
    let path = dir.join("s.jsonl");
    std::fs::write(&path, "").expect("write");
    let total = 3000;
    let writer_path = path.clone();
    let writer = std::thread::spawn(move || {
        let mut f = OpenOptions::new()
            .append(true)
            .open(&writer_path)
            .expect("open");
        for i in 0..total {
            let l = line(SID, f64::from(i), "o", &"p".repeat(i as usize % 300)) + "\n";
            let bytes = l.as_bytes();
            // Write in two pieces so readers see torn lines.
            let cut = bytes.len() / 2;
            f.write_all(bytes.get(..cut).unwrap_or_default())
                .expect("write");
            f.flush().expect("flush");
            f.write_all(bytes.get(cut..).unwrap_or_default())
                .expect("write");
        }
    });
    let mut last_len = 0;
    loop {
        let done = writer.is_finished();
        let events = read(&path, SID);
        let ts = times(&events);
        let want: Vec<f64> = (0..ts.len()).map(|i| i as f64).collect();
        assert_eq!(ts, want, "events in order, each once");
        for (i, e) in events.iter().enumerate() {
            assert_eq!(e.data.py_len(), i % 300, "payload intact");
        }
        assert!(ts.len() >= last_len);
        last_len = ts.len();
        if done {
            break;
        }
    }
    writer.join().expect("writer");
    assert_eq!(read(&path, SID).len(), total as usize);
}

#[test]
fn oversize_line_is_skipped() {
    let dir = scratch("oversize");
    let path = dir.join("s.jsonl");
    let big = line(SID, 2.0, "o", &"x".repeat(1 << 21));
    let body = format!(
        "{}\n{big}\n{}\n",
        line(SID, 1.0, "i", "a"),
        line(SID, 3.0, "i", "b")
    );
    std::fs::write(&path, body).expect("write");
    assert_eq!(times(&read(&path, SID)), vec![1.0, 3.0]);
    let summary = sessions(&path).expect("sessions");
    assert_eq!(summary.first().map(|s| s.inputs + s.outputs), Some(2));
}

#[test]
fn refuses_what_is_not_a_regular_file() {
    let dir = scratch("kinds");
    assert!(matches!(
        events_for_sid(&dir.join("missing.jsonl"), &units(SID)),
        Err(ShardError::NotFound { .. })
    ));
    assert!(matches!(
        events_for_sid(&dir, &units(SID)),
        Err(ShardError::NotAFile {
            kind: FileKind::Directory,
            ..
        })
    ));
    let fifo = dir.join("fifo.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        assert!(matches!(
            sessions(&fifo),
            Err(ShardError::NotAFile {
                kind: FileKind::Fifo,
                ..
            })
        ));
    }
}

/// (sid, inputs, outputs, first t, last t).
type Summary = (Text, usize, usize, Option<f64>, Option<f64>);

#[test]
fn sessions_summarise_in_first_appearance_order() {
    let dir = scratch("sessions");
    let path = dir.join("s.jsonl");
    let body = [
        header(OTHER),
        line(SID, 5.0, "i", "a"),
        line(OTHER, 2.0, "o", "b"),
        line(SID, 4.0, "o", "c"),
        line(SID, 6.0, "i", "d"),
        r#"{"sid":"x","t":NaN,"ch":"i"}"#.to_owned(),
    ]
    .join("\n");
    std::fs::write(&path, body + "\n").expect("write");
    let got: Vec<Summary> = sessions(&path)
        .expect("sessions")
        .into_iter()
        .map(|s| (s.sid, s.inputs, s.outputs, s.first_t, s.last_t))
        .collect();
    assert_eq!(
        got,
        vec![
            (sid(OTHER), 0, 1, Some(2.0), Some(2.0)),
            (sid(SID), 2, 1, Some(5.0), Some(6.0)),
            (sid("x"), 0, 0, None, None),
        ]
    );
}

#[test]
fn find_shard_prefers_newest_name() {
    let dir = scratch("find");
    let write = |name: &str, sids: &[&str]| {
        let body: String = sids.iter().map(|s| line(s, 1.0, "i", "a") + "\n").collect();
        File::create(dir.join(name))
            .and_then(|mut f| f.write_all(body.as_bytes()))
            .expect("write");
    };
    write("sessions-2026-05-01.jsonl", &[SID, OTHER]);
    write("sessions-2026-05-02.jsonl", &[SID]);
    write("sessions-2026-05-03.jsonl.bak", &[SID, OTHER]);
    write("sessions-2026-5-04.jsonl", &[OTHER]);
    std::fs::create_dir(dir.join("sessions-2026-05-09.jsonl")).expect("dir");
    let found = |s: &str| find_shard_with_sid(&dir, &units(s)).expect("find");
    assert_eq!(found(SID), Some(dir.join("sessions-2026-05-02.jsonl")));
    assert_eq!(found(OTHER), Some(dir.join("sessions-2026-05-01.jsonl")));
    assert_eq!(found("nobody"), None);
    assert_eq!(
        find_shard_with_sid(&dir.join("missing"), &units(SID)).expect("find"),
        None
    );
}

#[test]
fn raw_bytes_in_sid_and_escaped_sid_key() {
    let dir = scratch("rawsid");
    let path = dir.join("s.jsonl");
    let mut body = Vec::new();
    body.extend_from_slice(b"{\"sid\":\"s\xe9\",\"t\":1,\"ch\":\"i\",\"d\":\"\xff\"}\n");
    body.extend_from_slice(b"{\"\\u0073id\":\"s\\udce9\",\"t\":2,\"ch\":\"o\"}\n");
    body.extend_from_slice(
        format!("{{\"sid\":\"{SID}\",\"t\":3,\"ch\":\"i\",\"sid\":\"s\\udce9\"}}\n").as_bytes(),
    );
    std::fs::write(&path, body).expect("write");
    let events = events_for_sid(&path, &[0x73, 0xDCE9]).expect("events");
    assert_eq!(times(&events), vec![1.0, 2.0, 3.0]);
    assert_eq!(
        events.first().map(|e| e.data.clone()),
        Some(Text::Bytes(vec![0xFF]))
    );
    assert!(read(&path, SID).is_empty(), "the last sid key wins");
}
