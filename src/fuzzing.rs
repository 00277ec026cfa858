//! Harnesses shared by the cargo-fuzz targets (`fuzz/`) and the corpus
//! replay test (`tests/rust_fuzz_corpus_replay.rs`), so both drive exactly
//! the same code paths. Each takes arbitrary bytes and panics when an
//! invariant breaks: that is how the fuzzer reports it. Not part of the API.

use crate::event::{Channel, Event};
use crate::extract::extract;
use crate::shard::{
    self, Record, SessionSummary, Sid, decode, decode::canonical_text, index, parse_record,
    scan::Lines, shape,
};
use crate::text::{Text, Unit};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Target (a): the line scanner and the decoder on arbitrary bytes.
///
/// # Panics
///
/// When the lines do not tile the input, a decoded `t` is not finite, a
/// decoded text is not in canonical form, or the two decoding paths (raw
/// line, Python `str`) disagree on a line the raw path accepts.
pub fn scan_decode(data: &[u8]) {
    let mut lines = Lines::new(data);
    let mut expect_at = 0;
    for (offset, line) in lines.by_ref() {
        assert_eq!(offset, expect_at, "lines must tile the input");
        assert_eq!(data.get(offset..offset + line.len()), Some(line));
        let after = offset + line.len();
        expect_at = after
            + match data.get(after..after + 2) {
                Some(b"\r\n") => 2,
                _ => 1,
            };
        check_shape(
            data.get(offset..).unwrap_or_default(),
            line,
            expect_at - offset,
        );
        check_line(line);
    }
    assert_eq!(lines.tail_offset(), expect_at);
    assert_eq!(
        shape::first_line(lines.tail()),
        None,
        "the index's split of the tail"
    );
    check_line(lines.tail());

    // The `str` path with arbitrary code points, lone surrogates included.
    let units: Vec<Unit> = data
        .chunks_exact(2)
        .map(|c| Unit::from(u16::from_le_bytes([c[0], c[1]])))
        .collect();
    if let Ok(event) = decode::parse_shard_line(&units) {
        check_event(&event);
    }
    assert_eq!(Text::from_units(&units).units().collect::<Vec<_>>(), units);
}

/// The index's line splitter ends the line at `rest`'s start where `Lines`
/// does, and a line it calls recorder-shaped, with a checked sid, has that
/// sid when it parses.
fn check_shape(rest: &[u8], line: &[u8], next: usize) {
    let first = shape::first_line(rest).expect("the index's split finds the line");
    assert_eq!(
        (first.len, first.next),
        (line.len(), next),
        "the index's split"
    );
    let sid = shape::leading_sid(line).filter(|sid| shape::sid_chars_ok(sid));
    if let (true, Some(sid), Ok(rec)) = (first.shaped, sid, parse_record(line)) {
        assert_eq!(
            rec.sid(),
            Sid::Str(Text::Bytes(sid.to_vec())),
            "a shaped line's sid"
        );
    }
}

fn check_line(line: &[u8]) {
    let Ok(rec) = parse_record(line) else {
        return;
    };
    if let Sid::Str(sid) = rec.sid() {
        assert!(rec.sid_is(&sid), "a record's own sid must match it");
        assert_canonical(&sid);
    }
    let _ = rec.hdr_json();
    let event = rec.event();
    if let Ok(e) = &event {
        check_event(e);
        assert_eq!(rec.event_head(), Ok((e.t, e.channel)));
        // What the reference's second parse (`parse_shard_line` on the
        // surrogateescape-decoded line) gives must agree.
        let again = decode::parse_shard_line_bytes(line);
        assert_eq!(again.as_ref(), Ok(e), "raw and str paths disagree");
    }
    let decoded = decode::decode_line(line);
    assert_eq!(decoded.map(|d| d.event), Ok(event));
}

fn check_event(e: &Event) {
    assert!(e.t.is_finite(), "decoded t must be finite: {}", e.t);
    assert_ne!(e.channel, Channel::Other);
    assert_canonical(&e.data);
}

fn assert_canonical(text: &Text) {
    let units: Vec<Unit> = text.units().collect();
    assert_eq!(&canonical_text(&units), text, "text not canonical");
}

/// Target (b): a shard file written in two steps (so the cached index is
/// built, then extended), read through the index and checked against a
/// plain reading of every line.
///
/// The first byte picks where the file is split, the second the line limit
/// (the default, or a small one so long lines are exercised).
///
/// # Panics
///
/// When `sessions`, `events_for_sid`, the every-session read plan or
/// `extract_shard` disagree with the plain reading (or each other), or a
/// shard call fails on a regular file.
pub fn shard_file(data: &[u8]) {
    let split = data
        .first()
        .map_or(0, |&b| data.len() * usize::from(b) / 255);
    let limit = match data.get(1) {
        Some(&b) if b >= 0xC0 => usize::from(b - 0xBF) * 8,
        _ => index::MAX_LINE,
    };
    index::set_max_line(limit);
    let scratch = Scratch::new();
    let path = scratch.path.as_path();

    std::fs::write(path, data.get(..split).unwrap_or_default()).expect("write scratch shard");
    check_shard(path, data.get(..split).unwrap_or_default(), data, limit);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("reopen scratch shard");
    file.write_all(data.get(split..).unwrap_or_default())
        .expect("append to scratch shard");
    drop(file);
    check_shard(path, data, data, limit);

    let summaries = shard::sessions(path).expect("sessions");
    let plan = shard::plan(path, None).expect("plan");
    let planned: Vec<&Text> = (0..plan.len()).filter_map(|i| plan.sid(i)).collect();
    let listed: Vec<&Text> = summaries.iter().map(|s| &s.sid).collect();
    assert_eq!(planned, listed, "every-session plan sids");
    for (i, s) in summaries.iter().enumerate() {
        assert_eq!(plan.read(i).len(), s.inputs + s.outputs, "plan read {i}");
    }
    // The whole-shard extraction wakes the worker pool, which costs more
    // than the rest of this harness: one input in sixty-four.
    if data.first().is_some_and(|b| b % 64 == 0) {
        let all = crate::batch::extract_shard(path, None, None, false).expect("extract_shard");
        let got: Vec<Text> = all
            .iter()
            .map(|(sid, _, _)| Text::from_units(sid))
            .collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), listed, "extract_shard sids");
        for ((_, count, extraction), s) in all.iter().zip(&summaries) {
            assert_eq!(*count, s.inputs + s.outputs, "extract_shard count");
            check_extraction(extraction);
        }
    }
}

fn check_shard(path: &Path, content: &[u8], data: &[u8], limit: usize) {
    let (want_sessions, want_events) = plain_read(content, limit);
    // Large shards are indexed in pieces on several threads; any split
    // must give what one pass gives.
    let file = std::fs::File::open(path).expect("open scratch shard");
    let size = content.len() as u64;
    let one = index::ShardIndex::build_in(&file, size, 1).expect("index");
    let split = index::ShardIndex::build_in(&file, size, 3).expect("index in pieces");
    assert_eq!(one.sids(), split.sids(), "sids of a split index");
    assert_eq!(
        one.indexed_end(),
        split.indexed_end(),
        "end of a split index"
    );
    for sid in one.sids() {
        assert_eq!(one.spans(sid), split.spans(sid), "spans of a split index");
    }
    let got = shard::sessions(path).expect("sessions");
    assert_eq!(got, want_sessions, "sessions");
    // Every session goes through the same index; reading the first few and
    // the last covers it without a file read per session of a busy input.
    let last = want_sessions.len().saturating_sub(1);
    let sampled = want_sessions
        .iter()
        .zip(&want_events)
        .enumerate()
        .filter(|&(i, _)| i < 3 || i == last)
        .map(|(_, pair)| pair);
    for (summary, events) in sampled {
        let units: Vec<Unit> = summary.sid.units().collect();
        let got = shard::events_for_sid(path, &units).expect("events_for_sid");
        assert_eq!(&got, events, "events_for_sid");
    }
    // A sid taken from the input, present or not.
    let probe: Vec<Unit> = data
        .iter()
        .skip(2)
        .take(8)
        .map(|&b| Unit::from(b))
        .collect();
    let want = canonical_text(&probe);
    let expected = want_sessions
        .iter()
        .position(|s| s.sid == want)
        .and_then(|i| want_events.get(i))
        .cloned()
        .unwrap_or_default();
    let got = shard::events_for_sid(path, &probe).expect("events_for_sid probe");
    assert_eq!(got, expected, "events_for_sid probe");
}

/// What a plain reading of every line gives: the reference's loop, with
/// the reader's documented rules (long lines and torn tails skipped).
fn plain_read(content: &[u8], limit: usize) -> (Vec<SessionSummary>, Vec<Vec<Event>>) {
    let mut lines = Lines::new(content);
    let mut complete: Vec<&[u8]> = lines.by_ref().map(|(_, line)| line).collect();
    complete.push(lines.tail());
    let mut sessions: Vec<SessionSummary> = Vec::new();
    let mut events: Vec<Vec<Event>> = Vec::new();
    for line in complete.into_iter().filter(|l| l.len() <= limit) {
        let Ok(rec) = parse_record(line) else {
            continue;
        };
        let Sid::Str(sid) = rec.sid() else {
            continue;
        };
        let slot = match sessions.iter().position(|s| s.sid == sid) {
            Some(slot) => slot,
            None => {
                sessions.push(SessionSummary {
                    sid,
                    inputs: 0,
                    outputs: 0,
                    first_t: None,
                    last_t: None,
                });
                events.push(Vec::new());
                sessions.len() - 1
            }
        };
        tally(&rec, sessions.get_mut(slot), events.get_mut(slot));
    }
    (sessions, events)
}

fn tally(rec: &Record<'_>, summary: Option<&mut SessionSummary>, events: Option<&mut Vec<Event>>) {
    let (Ok(event), Some(summary), Some(events)) = (rec.event(), summary, events) else {
        return;
    };
    match event.channel {
        Channel::Input => summary.inputs += 1,
        Channel::Output => summary.outputs += 1,
        Channel::Other => {}
    }
    summary.first_t.get_or_insert(event.t);
    summary.last_t = Some(event.t);
    events.push(event);
}

/// A scratch shard path, unique per call, removed on drop.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let shm = Path::new("/dev/shm");
        let dir = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("bsn-fuzz-{}-{n}.jsonl", std::process::id());
        Scratch {
            path: dir.join(name),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Target (c): the context build and every feature on an event stream
/// derived from the bytes (see [`events_from_bytes`]).
///
/// # Panics
///
/// When the window is not finite or starts after it ends, or a confidence
/// is not a finite number in `[0, 1]`.
pub fn extract_events(data: &[u8]) {
    let events = events_from_bytes(data);
    check_extraction(&extract(&events));
}

fn check_extraction(x: &crate::extract::Extraction) {
    let w = x.window;
    assert!(w.start.is_finite() && w.end.is_finite(), "window {w:?}");
    assert!(w.start <= w.end, "window {w:?}");
    for o in &x.observations {
        assert!(
            o.confidence.is_finite() && (0.0..=1.0).contains(&o.confidence),
            "{} confidence {}",
            o.primitive,
            o.confidence
        );
        assert!(o.value.as_str() != Some(""), "{} empty value", o.primitive);
    }
}

/// Special timestamps an event may carry.
const SPECIAL_T: [f64; 14] = [
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    -0.0,
    0.0,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    5e-324,
    1e300,
    -1e300,
    1e-7,
    0.5,
    3.0e7,
];

/// Events from bytes, one per tag byte: the low two bits pick the channel
/// (input twice as likely, and "other"), the next three how `t` moves
/// (small steps forwards or backwards, repeats, special values such as NaN
/// and ±inf, negative, or any 8-byte float), bit 5 whether the payload is
/// bytes or 16-bit code points (lone surrogates included), and the byte
/// after the time its length.
pub fn events_from_bytes(data: &[u8]) -> Vec<Event> {
    let mut rest = data;
    let mut take = |n: usize| -> &[u8] {
        let n = n.min(rest.len());
        let (head, tail) = rest.split_at(n);
        rest = tail;
        head
    };
    let mut base = 0.0_f64;
    let mut events = Vec::new();
    while let Some(&tag) = take(1).first() {
        let channel = match tag & 3 {
            1 => Channel::Output,
            3 => Channel::Other,
            _ => Channel::Input,
        };
        let arg_byte = take(1).first().copied().unwrap_or(0);
        let arg = f64::from(arg_byte);
        let t = match (tag >> 2) & 7 {
            0..=2 => base + arg / 64.0,
            3 => base - arg / 64.0,
            4 => SPECIAL_T
                .get(usize::from(arg_byte) % SPECIAL_T.len())
                .copied()
                .unwrap_or(0.0),
            5 => {
                let mut raw = [0u8; 8];
                let got = take(8);
                raw.get_mut(..got.len())
                    .unwrap_or_default()
                    .copy_from_slice(got);
                f64::from_le_bytes(raw)
            }
            6 => -arg,
            _ => base,
        };
        if t.is_finite() {
            base = t;
        }
        let len = usize::from(take(1).first().copied().unwrap_or(0));
        let data = if tag & 0x20 == 0 {
            Text::Bytes(take(len).to_vec())
        } else {
            let units: Vec<Unit> = take(len * 2)
                .chunks_exact(2)
                .map(|c| Unit::from(u16::from_le_bytes([c[0], c[1]])))
                .collect();
            Text::from_units(&units)
        };
        events.push(Event { t, channel, data });
    }
    events
}
