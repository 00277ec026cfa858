//! Reading DECNET session shards: one JSON object per line, many sessions
//! interleaved, appended to while being read.
//!
//! The reference reads a session by decoding every line of the day's shard
//! and keeping those whose `sid` matches. Here [`index`] remembers which
//! lines belong to which sid, [`events_for_sid`] reads only those lines with
//! positioned reads, and [`decode`] applies the reference's `json` and
//! event rules to each. The results are the reference's, line for line,
//! except where it fails (see [`decode::SkipReason`]):
//!
//! * a `t` that is NaN, infinite or an integer too large for a float skips
//!   the line (the reference yields NaN statistics or raises);
//! * any nesting depth is accepted (the reference raises `RecursionError`);
//! * a line longer than [`index::max_line`] bytes (default
//!   [`index::MAX_LINE`]) is skipped unread;
//! * the unterminated last line is used only when it is a complete JSON
//!   object, so a line the recorder is still writing never yields an event.

pub mod decode;
pub mod error;
pub mod header;
pub mod index;
pub mod scan;
pub(crate) mod shape;

pub use decode::{DecodedLine, Record, Sid, SkipReason, decode_line, parse_record};
pub use error::{FileKind, ShardError};
pub use header::SessionHeader;

use crate::event::{Channel, Event};
use crate::text::{Text, Unit};
use decode::canonical_text;
use index::{Span, max_line, open_shard, with_index};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Results of this module.
pub type Result<T, E = ShardError> = std::result::Result<T, E>;

/// One session's totals, as [`sessions`] reports them.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSummary {
    /// The session id.
    pub sid: Text,

    /// Accepted input events.
    pub inputs: usize,

    /// Accepted output events.
    pub outputs: usize,

    /// `t` of the first accepted event in file order.
    pub first_t: Option<f64>,

    /// `t` of the last accepted event in file order (not the maximum).
    pub last_t: Option<f64>,
}

/// Reads coalesce spans closer than this into one read.
const MAX_GAP: u64 = 64 << 10;

/// Upper bound on one coalesced read (a longer line is read alone). Small
/// enough that a worker per core holds little; big enough that the
/// read calls cost nothing next to decoding.
const MAX_READ: u64 = 1 << 20;

/// The events of one session, in file order, exactly as the reference's
/// `_events_for_sid` returns them (with the documented departures). `sid`
/// is the Python code points of the wanted sid.
///
/// # Errors
///
/// [`ShardError`] when the shard is missing, not a regular file or
/// unreadable.
pub fn events_for_sid(path: &Path, sid: &[Unit]) -> Result<Vec<Event>> {
    Ok(plan_canonical(path, Some(&[canonical_text(sid)]))?.read(0))
}

/// The session's first header line (`None` when it has none) and its
/// events, as [`events_for_sid`] reads them.
///
/// # Errors
///
/// As [`events_for_sid`].
pub fn load_session(path: &Path, sid: &[Unit]) -> Result<(Option<SessionHeader>, Vec<Event>)> {
    Ok(plan_canonical(path, Some(&[canonical_text(sid)]))?.read_session(0))
}

/// What to read for some sessions of one shard, fixed by one index refresh
/// and one read of the tail: each session's line spans, the open file, and
/// the tail line if it is a complete object. [`ReadPlan::read`] takes
/// `&self` and does positioned reads only, so sessions can be read from
/// many threads at once.
#[derive(Debug)]
pub struct ReadPlan {
    path: PathBuf,
    file: File,
    sessions: Vec<(Text, Vec<Span>)>,

    /// The unterminated last line and its offset, when it parses.
    tail: Option<(u64, Vec<u8>)>,
}

/// The read plan for the given sids (Python code points, in that order),
/// or for every sid of the shard in first-appearance order.
///
/// # Errors
///
/// [`ShardError`] when the shard is missing, not a regular file or
/// unreadable.
pub fn plan(path: &Path, sids: Option<&[Vec<Unit>]>) -> Result<ReadPlan> {
    let wanted: Option<Vec<Text>> =
        sids.map(|list| list.iter().map(|s| canonical_text(s)).collect());
    plan_canonical(path, wanted.as_deref())
}

/// [`plan`] for canonical sids.
fn plan_canonical(path: &Path, wanted: Option<&[Text]>) -> Result<ReadPlan> {
    let (file, mut sessions, tail) = with_index(path, |index, shard| {
        let sids = wanted.map_or_else(|| index.sids().to_vec(), <[Text]>::to_vec);
        let sessions: Vec<(Text, Vec<Span>)> = sids
            .into_iter()
            .map(|sid| {
                let spans = index.spans(&sid).to_vec();
                (sid, spans)
            })
            .collect();
        (
            shard.file.try_clone(),
            sessions,
            (index.indexed_end(), shard.meta.len()),
        )
    })?;
    let file = file.map_err(|e| ShardError::from_io(path, e))?;
    let tail = read_tail(&file, path, tail.0, tail.1).and_then(|line| {
        if parse_record(&line).is_ok() {
            Some((tail.0, line))
        } else {
            log::debug!(
                "shard tail at byte {} skipped: {}",
                tail.0,
                SkipReason::TornTail
            );
            None
        }
    });
    // The tail is never indexed: a sid seen only there is missing from an
    // every-session plan until it is added here.
    if wanted.is_none()
        && let Some(Ok(rec)) = tail.as_ref().map(|(_, line)| parse_record(line))
        && let Sid::Str(sid) = rec.sid()
        && !sessions.iter().any(|(known, _)| *known == sid)
    {
        sessions.push((sid, Vec::new()));
    }
    Ok(ReadPlan {
        path: path.to_path_buf(),
        file,
        sessions,
        tail,
    })
}

impl ReadPlan {
    /// How many sessions the plan holds.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// True when the plan holds no session.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// The canonical sid of session `i`.
    pub fn sid(&self, i: usize) -> Option<&Text> {
        self.sessions.get(i).map(|(sid, _)| sid)
    }

    /// Bytes of the shard session `i`'s indexed lines take up (its tail
    /// line not counted): a cost estimate for scheduling.
    pub fn session_bytes(&self, i: usize) -> u64 {
        self.sessions.get(i).map_or(0, |(_, spans)| {
            spans.iter().map(|span| u64::from(span.len)).sum()
        })
    }

    /// The events of session `i` in file order (none when `i` is out of
    /// range). Only the session's own lines are read, with positioned
    /// reads of nearby lines coalesced; a file that shrank since the plan
    /// was made yields what is still there.
    pub fn read(&self, i: usize) -> Vec<Event> {
        self.read_session(i).1
    }

    /// Session `i`'s first header (if it has one) and its events, as
    /// [`ReadPlan::read`] reads them.
    pub fn read_session(&self, i: usize) -> (Option<SessionHeader>, Vec<Event>) {
        let Some((sid, spans)) = self.sessions.get(i) else {
            return (None, Vec::new());
        };
        let mut events = Vec::with_capacity(spans.len());
        let mut header = None;
        let mut take = |offset: u64, line: &[u8]| match accept(line, sid) {
            Ok(event) => events.push(event),
            Err(reason) => {
                if reason == SkipReason::Header && header.is_none() {
                    header = parse_record(line)
                        .ok()
                        .and_then(|rec| rec.hdr_json().map(SessionHeader::parse));
                }
                log::debug!("shard line at byte {offset} skipped: {reason}");
            }
        };
        // One buffer for every group: a group is at most `MAX_READ` bytes
        // unless a single line is longer.
        let mut buf = Vec::new();
        let mut shrunk = false;
        for group in coalesce(spans) {
            let (start, end) = (group.first_offset, group.end);
            buf.clear();
            buf.resize(usize::try_from(end - start).unwrap_or(0), 0);
            let got = read_available(&self.file, &mut buf, start);
            if got < buf.len() {
                // The file shrank under us: the lines still wholly there are
                // read, what is gone is not there to read.
                log::debug!(
                    "shard {} changed while reading: {} of {} bytes at {start}",
                    self.path.display(),
                    got,
                    buf.len()
                );
                buf.truncate(got);
                shrunk = true;
            }
            for span in group.spans {
                let from = usize::try_from(span.offset - start).unwrap_or(usize::MAX);
                if let Some(line) = buf.get(from..from.saturating_add(span.len as usize)) {
                    take(span.offset, line);
                }
            }
            if shrunk {
                break;
            }
        }
        if let Some((offset, line)) = &self.tail
            && !shrunk
        {
            // The tail is the last line of the file, so it comes last.
            if let Ok(rec) = parse_record(line)
                && rec.sid_is(sid)
            {
                take(*offset, line);
            }
        }
        (header, events)
    }
}

/// Reads `buf.len()` bytes at `offset`, or fewer when the file ends first
/// or a read fails; returns how many were read.
fn read_available(file: &std::fs::File, buf: &mut [u8], offset: u64) -> usize {
    let mut got = 0;
    while let Some(rest) = buf.get_mut(got..).filter(|r| !r.is_empty()) {
        match scan::read_some_at(file, rest, offset + got as u64) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    got
}

/// The reference's per-line filter: the sid matches, no header, an event.
fn accept(line: &[u8], sid: &Text) -> Result<Event, SkipReason> {
    let rec = parse_record(line)?;
    if !rec.sid_is(sid) {
        return Err(SkipReason::SidMismatch);
    }
    rec.event()
}

/// Spans read with one positioned read.
struct Group<'a> {
    first_offset: u64,
    end: u64,
    spans: &'a [Span],
}

/// Groups spans (in file order) so that nearby lines share a read.
fn coalesce(spans: &[Span]) -> Vec<Group<'_>> {
    let mut groups = Vec::new();
    let mut from = 0;
    while let Some(first) = spans.get(from) {
        let mut end = first.offset + u64::from(first.len);
        let mut to = from + 1;
        while let Some(next) = spans.get(to) {
            let next_end = next.offset + u64::from(next.len);
            if next.offset < end
                || next.offset - end > MAX_GAP
                || next_end - first.offset > MAX_READ
            {
                break;
            }
            end = next_end;
            to += 1;
        }
        groups.push(Group {
            first_offset: first.offset,
            end,
            spans: spans.get(from..to).unwrap_or_default(),
        });
        from = to;
    }
    groups
}

/// The unterminated tail `file[start..end]`, unless empty or too long.
fn read_tail(file: &std::fs::File, path: &Path, start: u64, end: u64) -> Option<Vec<u8>> {
    let len = usize::try_from(end.checked_sub(start)?).ok()?;
    if len == 0 {
        return None;
    }
    if len > max_line() {
        log::warn!(
            "shard {} tail at byte {start} is {len} bytes long; skipped",
            path.display()
        );
        return None;
    }
    let mut buf = vec![0u8; len];
    file.read_exact_at(&mut buf, start).ok()?;
    Some(buf)
}

/// Every session of a shard with its accepted input and output counts and
/// first and last `t`, sids in order of first appearance (a sid appears
/// with its first valid JSON object line, header lines included).
///
/// # Errors
///
/// [`ShardError`] when the shard is missing, not a regular file or
/// unreadable.
pub fn sessions(path: &Path) -> Result<Vec<SessionSummary>> {
    let shard = open_shard(path)?;
    let size = shard.meta.len();
    let mut out: Vec<SessionSummary> = Vec::new();
    let mut table = index::SidTable::default();
    // Skips are logged as the reads log them, so `sessions` alone shows
    // them too.
    let mut tally = |offset: u64, line: &[u8], tail: bool| {
        let rec = match parse_record(line) {
            Ok(rec) => rec,
            Err(_) if tail => {
                log::debug!("shard tail at byte {offset} skipped: torn tail");
                return;
            }
            Err(reason) => {
                log::debug!("shard line at byte {offset} skipped: {reason}");
                return;
            }
        };
        let slot = match (rec.sid_raw(), rec.sid()) {
            (Some(raw), _) => table.slot_bytes(raw),
            (None, Sid::Str(sid)) => table.slot_text(sid),
            (None, _) => {
                log::debug!("shard line at byte {offset} skipped: no string sid");
                return;
            }
        };
        if slot == out.len()
            && let Some(sid) = table.sid(slot)
        {
            out.push(SessionSummary {
                sid: sid.clone(),
                inputs: 0,
                outputs: 0,
                first_t: None,
                last_t: None,
            });
        }
        let (t, channel) = match rec.event_head() {
            Ok(head) => head,
            Err(reason) => {
                log::debug!("shard line at byte {offset} skipped: {reason}");
                return;
            }
        };
        let Some(summary) = out.get_mut(slot) else {
            return;
        };
        match channel {
            Channel::Input => summary.inputs += 1,
            Channel::Output => summary.outputs += 1,
            Channel::Other => {}
        }
        summary.first_t.get_or_insert(t);
        summary.last_t = Some(t);
    };
    let end = scan::stream_lines(
        &shard.file,
        0,
        size,
        max_line(),
        |offset, line| tally(offset, line, false),
        |offset, len| log::warn!("shard line at byte {offset} is {len} bytes long; skipped"),
    )
    .map_err(|e| ShardError::from_io(path, e))?;
    if let Some(line) = read_tail(&shard.file, path, end.tail_offset, end.end) {
        tally(end.tail_offset, &line, true);
    }
    Ok(out)
}

/// True for `sessions-YYYY-MM-DD.jsonl` (ASCII digits; the reference's
/// `\d` would also take other Unicode digits, which the recorder never
/// writes).
fn is_shard_name(name: &[u8]) -> bool {
    let Some(rest) = name.strip_prefix(b"sessions-") else {
        return false;
    };
    let Some(date) = rest.strip_suffix(b".jsonl") else {
        return false;
    };
    date.len() == 10
        && date.iter().enumerate().all(|(i, &b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
}

/// The newest `sessions-YYYY-MM-DD.jsonl` in `dir` (by name, descending)
/// whose index holds a line with `sid` (Python code points). A missing or unreadable directory
/// gives `None`, and unreadable shards are passed over, as in the reference.
///
/// # Errors
///
/// None at present; the `Result` leaves room for errors callers must see.
pub fn find_shard_with_sid(dir: &Path, sid: &[Unit]) -> Result<Option<PathBuf>> {
    let want = canonical_text(sid);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(None);
    };
    let mut shards: Vec<PathBuf> = entries
        .filter_map(std::result::Result::ok)
        .filter(|e| is_shard_name(e.file_name().as_encoded_bytes()))
        .map(|e| e.path())
        .collect();
    shards.sort_unstable_by(|a, b| b.file_name().cmp(&a.file_name()));
    for shard in shards {
        match with_index(&shard, |index, _| !index.spans(&want).is_empty()) {
            Ok(true) => return Ok(Some(shard)),
            Ok(false) => {}
            Err(e) => log::debug!("shard passed over: {e}"),
        }
    }
    Ok(None)
}

/// The reference's `parse_shard_line` on a Python `str` given as code
/// points: `None` for headers and anything that is not an event.
pub fn parse_shard_line(line: &[Unit]) -> Option<Event> {
    decode::parse_shard_line(line).ok()
}
