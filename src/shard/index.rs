//! The per-shard sid index: sid → spans of its lines, kept up to date as the
//! recorder appends.
//!
//! One pass over the file records, for every terminated line whose sid is a
//! string, the line's span under that sid (header lines included). Indexes
//! are cached per canonical path for the whole process; a later call that
//! finds the same file grown extends the index from where it stopped, and
//! one that finds it replaced or shrunk rebuilds it. The unterminated tail
//! is never indexed: callers re-read it on every call.

use super::ShardError;
use super::decode::{Sid, SkipReason, parse_record};
use super::scan::{StreamEnd, read_some_at, stream_split};
use super::shape::{self, leading_sid, no_later_sid, sid_chars_ok};
use crate::text::{Text, Unit};
use std::collections::HashMap;
use std::fs::{File, Metadata, OpenOptions};
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// Lines longer than this many bytes (terminator excluded) are skipped
/// unread. The recorder chunks payloads at 975 bytes, so real lines are a
/// few kilobytes at most.
pub const MAX_LINE: usize = 1 << 20;

/// The line limit in force; see [`set_max_line`].
static LINE_LIMIT: AtomicUsize = AtomicUsize::new(MAX_LINE);

/// The line limit in force: [`MAX_LINE`] unless [`set_max_line`] changed it.
pub fn max_line() -> usize {
    LINE_LIMIT.load(Ordering::Relaxed)
}

/// Sets the line limit for the whole process (clamped to `1..=u32::MAX`)
/// and returns the previous one. Cached indexes built under another limit
/// are rebuilt on their next use.
pub fn set_max_line(bytes: usize) -> usize {
    let bytes = bytes.clamp(1, u32::MAX as usize);
    LINE_LIMIT.swap(bytes, Ordering::Relaxed)
}

/// How many shard indexes the process keeps.
const CACHE_CAPACITY: usize = 64;

/// Bytes kept from just before the indexed end, re-read on each refresh to
/// notice a file rewritten in place.
const GUARD_LEN: usize = 64;

/// `O_NONBLOCK` on Linux: opening a FIFO that appeared after the type check
/// must not wait for a writer.
const O_NONBLOCK: i32 = 0o4000;

/// One line's place in the shard, terminator excluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the line's first byte.
    pub offset: u64,

    /// Length in bytes, at most [`max_line`].
    pub len: u32,
}

/// A line just indexed, before it joins its sid's list: a [`Span`] with
/// the slot in what would be the tuple's padding, so the log of a 100 MB
/// shard's lines takes 16 bytes a line, not 24.
#[derive(Clone, Copy)]
struct Fresh {
    offset: u64,
    len: u32,
    slot: u32,
}

/// A multiply-rotate hasher over 8-byte words. Sids are chosen by whoever
/// connects, but a collision only costs time, and the table is per shard;
/// SipHash was a third of the indexing time.
#[derive(Clone, Copy, Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in words.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.write(&[b]);
    }

    fn write_u64(&mut self, n: u64) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(K);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A 36-byte sid packed into words (zero-padded).
type UuidKey = [u64; 5];

fn uuid_key(sid: &[u8]) -> Option<UuidKey> {
    let sid: &[u8; 36] = sid.try_into().ok()?;
    // Spelled out word by word: this runs for every line of a shard.
    let word = |at: usize| {
        let mut w = [0u8; 8];
        let take = (36 - at).min(8);
        if let (Some(to), Some(from)) = (w.get_mut(..take), sid.get(at..at + take)) {
            to.copy_from_slice(from);
        }
        u64::from_le_bytes(w)
    };
    Some([word(0), word(8), word(16), word(24), word(32)])
}

type FastMap<K> = HashMap<K, usize, std::hash::BuildHasherDefault<WordHasher>>;

/// Sids in first-appearance order, with their lines.
#[derive(Debug, Default)]
pub(crate) struct SidTable {
    order: Vec<Text>,
    spans: Vec<Vec<Span>>,
    /// The recorder's own 36-byte sids, keyed inline as words (no pointer to
    /// chase, no `memcmp` call).
    by_uuid: FastMap<UuidKey>,
    by_bytes: FastMap<Vec<u8>>,
    by_units: FastMap<Vec<Unit>>,
    /// Recently seen recorder sids, direct-mapped by a hash of their first
    /// word, each with its slot; empty until the first use. Only sids that
    /// passed [`sid_chars_ok`] go in, so a hit needs no checking.
    /// Concurrent sessions are few and their lines come in runs, so this
    /// spares most lines the hex check and the hash-map probe.
    recent: Vec<(UuidKey, usize)>,
    /// Set in the tables of a parallel build's pieces: the sids of the
    /// recorder-shaped lines that did not parse and whose sid the piece had
    /// not seen yet (see [`index_line`]). Such a line's slot is
    /// [`DEFERRED`] plus its place here.
    deferred: Option<Vec<(UuidKey, SkipReason)>>,
    /// Log records of the build, held back until the index lock is
    /// released (see [`Note`]).
    notes: Vec<Note>,
}

/// A log record the index build holds back. Records reach Python logging
/// handlers, and a handler may read the same shard again: emitted while
/// the shard's index lock is held, that read would wait on the lock for
/// ever. [`with_index`] emits them once the lock is released.
#[derive(Debug)]
struct Note {
    level: log::Level,
    text: String,
}

impl Note {
    /// A note of `text()`, made only when `level` is enabled for this
    /// module, so a disabled level costs no formatting.
    fn new(level: log::Level, text: impl FnOnce() -> String) -> Option<Note> {
        log::log_enabled!(level).then(|| Note {
            level,
            text: text(),
        })
    }

    /// Sends the notes to the logger, in order.
    fn emit(notes: Vec<Note>) {
        for note in notes {
            log::log!(note.level, "{}", note.text);
        }
    }
}

impl SidTable {
    /// Holds back a log record of the build (see [`Note`]).
    fn note(&mut self, level: log::Level, text: impl FnOnce() -> String) {
        self.notes.extend(Note::new(level, text));
    }
}

/// Marks a deferred line's slot in a piece's log.
const DEFERRED: u32 = 1 << 31;

/// Entries of [`SidTable::recent`]; a power of two.
const RECENT: usize = 64;

/// Marks an empty [`SidTable::recent`] entry: no slot is that large.
const NO_SLOT: usize = usize::MAX;

impl SidTable {
    pub(crate) fn sid(&self, slot: usize) -> Option<&Text> {
        self.order.get(slot)
    }

    pub(crate) fn slot_bytes(&mut self, sid: &[u8]) -> usize {
        let found = match uuid_key(sid) {
            Some(uuid) => self.by_uuid.get(&uuid),
            None => self.by_bytes.get(sid),
        };
        match found {
            Some(&slot) => slot,
            None => self.push(Text::Bytes(sid.to_vec())),
        }
    }

    /// Where `key` sits in [`SidTable::recent`].
    fn recent_at(key: &UuidKey) -> usize {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let top = key[0].wrapping_mul(K) >> (64 - RECENT.trailing_zeros());
        usize::try_from(top).unwrap_or(0)
    }

    /// The slot of a sid [`SidTable::remember`] was given, if still there.
    fn recent_slot(&self, key: &UuidKey) -> Option<usize> {
        let (held, slot) = self.recent.get(Self::recent_at(key))?;
        // Folded by hand: a whole-array `==` becomes a `bcmp` call.
        let [a0, a1, a2, a3, a4] = *held;
        let [b0, b1, b2, b3, b4] = *key;
        let same = (a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2) | (a3 ^ b3) | (a4 ^ b4) == 0;
        (same && *slot != NO_SLOT).then_some(*slot)
    }

    /// Caches a checked recorder sid's slot.
    fn remember(&mut self, key: UuidKey, slot: usize) {
        if self.recent.is_empty() {
            self.recent = vec![([0; 5], NO_SLOT); RECENT];
        }
        if let Some(entry) = self.recent.get_mut(Self::recent_at(&key)) {
            *entry = (key, slot);
        }
    }

    pub(crate) fn slot_text(&mut self, sid: Text) -> usize {
        match sid {
            Text::Bytes(b) => self.slot_bytes(&b),
            Text::Wide(units) => match self.by_units.get(&units) {
                Some(&slot) => slot,
                None => self.push(Text::Wide(units)),
            },
        }
    }

    fn push(&mut self, sid: Text) -> usize {
        let slot = self.order.len();
        match &sid {
            Text::Bytes(b) => match uuid_key(b) {
                Some(uuid) => self.by_uuid.insert(uuid, slot),
                None => self.by_bytes.insert(b.clone(), slot),
            },
            Text::Wide(u) => self.by_units.insert(u.clone(), slot),
        };
        self.order.push(sid);
        self.spans.push(Vec::new());
        slot
    }

    fn find(&self, sid: &Text) -> Option<usize> {
        match sid {
            Text::Bytes(b) => match uuid_key(b) {
                Some(uuid) => self.by_uuid.get(&uuid).copied(),
                None => self.by_bytes.get(b.as_slice()).copied(),
            },
            Text::Wide(u) => self.by_units.get(u.as_slice()).copied(),
        }
    }

    /// Hands the lines of `log` out to their sids' lists, each list grown
    /// once: pushing straight into thousands of growing lists cost 40% of
    /// the indexing time. Returns the deferred lines, in file order.
    fn distribute(&mut self, log: &[Fresh]) -> Vec<Fresh> {
        let mut counts = vec![0usize; self.spans.len()];
        let mut deferred = Vec::new();
        for entry in log {
            match counts.get_mut(entry.slot as usize) {
                Some(c) => *c += 1,
                None => deferred.push(*entry),
            }
        }
        for (spans, &extra) in self.spans.iter_mut().zip(&counts) {
            spans.reserve(extra);
        }
        for &Fresh { offset, len, slot } in log {
            if let Some(spans) = self.spans.get_mut(slot as usize) {
                spans.push(Span { offset, len });
            }
        }
        deferred
    }

    /// Appends the table of the next piece of a parallel build, whose
    /// deferred lines are `deferred_lines`. A deferred line is kept when its
    /// sid was known before the piece began, exactly as a single pass would
    /// have kept it; otherwise it is logged as a single pass logs it.
    fn append_piece(&mut self, piece: SidTable, deferred_lines: &[Fresh]) {
        self.notes.extend(piece.notes);
        let reasons = piece.deferred.unwrap_or_default();
        let mut kept: Vec<(usize, Span)> = Vec::new();
        for f in deferred_lines {
            let Some((key, reason)) = reasons.get((f.slot & !DEFERRED) as usize) else {
                continue;
            };
            match self.by_uuid.get(key) {
                Some(&slot) => kept.push((
                    slot,
                    Span {
                        offset: f.offset,
                        len: f.len,
                    },
                )),
                None => self.note(log::Level::Debug, || {
                    format!("shard line at byte {} skipped: {reason}", f.offset)
                }),
            }
        }
        // Where the piece's lines will start in each list that gets kept
        // lines: that part is put back in file order at the end.
        let mut touched: Vec<(usize, usize)> = kept
            .iter()
            .map(|&(slot, _)| (slot, self.spans.get(slot).map_or(0, Vec::len)))
            .collect();
        touched.sort_unstable();
        touched.dedup();
        for (sid, mut spans) in piece.order.into_iter().zip(piece.spans) {
            let slot = self.slot_text(sid);
            if let Some(list) = self.spans.get_mut(slot) {
                if list.is_empty() {
                    std::mem::swap(list, &mut spans);
                } else {
                    list.extend_from_slice(&spans);
                }
            }
        }
        for (slot, span) in kept {
            if let Some(list) = self.spans.get_mut(slot) {
                list.push(span);
            }
        }
        for (slot, start) in touched {
            // Two runs in file order each: the stable sort merges them in
            // one pass.
            if let Some(part) = self.spans.get_mut(slot).and_then(|l| l.get_mut(start..)) {
                part.sort_by_key(|span| span.offset);
            }
        }
    }
}

/// The sid index of one shard, valid for the file identity it was built on.
#[derive(Debug, Default)]
pub struct ShardIndex {
    dev: u64,
    ino: u64,

    /// Offset just past the last indexed terminator: where the tail starts.
    indexed_end: u64,

    /// The bytes just before `indexed_end`.
    guard: Vec<u8>,

    /// The file's length and status-change time when it was last indexed:
    /// a write that keeps the length (a copy over it, a redaction) changes
    /// the time but may keep the guard.
    seen: (u64, i64, i64),

    sids: SidTable,

    /// The line limit the index was built under.
    max_line: usize,
}

impl ShardIndex {
    /// Builds an index of `file[..size]` from scratch (no cache involved).
    ///
    /// # Errors
    ///
    /// An I/O error from a read.
    pub fn build(file: &File, size: u64) -> std::io::Result<ShardIndex> {
        Self::build_in(file, size, index_pieces(size))
    }

    /// [`ShardIndex::build`] in at most `pieces` pieces, whatever the size:
    /// for checking that a split build equals one pass.
    pub(crate) fn build_in(file: &File, size: u64, pieces: usize) -> std::io::Result<ShardIndex> {
        let mut index = ShardIndex {
            max_line: max_line(),
            ..ShardIndex::default()
        };
        let built = index.extend_in(file, size, pieces);
        // No lock is held here: the build's records go out at once.
        Note::emit(std::mem::take(&mut index.sids.notes));
        built.map(|()| index)
    }

    /// Sids in first-appearance order.
    pub fn sids(&self) -> &[Text] {
        &self.sids.order
    }

    /// Spans of a sid's lines in file order (empty if the sid is unknown).
    /// `sid` must be canonical (see [`canonical_text`]).
    pub fn spans(&self, sid: &Text) -> &[Span] {
        self.sids
            .find(sid)
            .and_then(|slot| self.sids.spans.get(slot))
            .map_or(&[], Vec::as_slice)
    }

    /// Where the unindexed tail begins.
    pub fn indexed_end(&self) -> u64 {
        self.indexed_end
    }

    /// Indexes the terminated lines of `file[indexed_end..size]`, a large
    /// range in pieces on several threads (see [`index_pieces`]).
    fn extend(&mut self, file: &File, size: u64) -> std::io::Result<()> {
        let pieces = index_pieces(size.saturating_sub(self.indexed_end));
        self.extend_in(file, size, pieces)
    }

    /// [`ShardIndex::extend`] in at most `pieces` pieces.
    fn extend_in(&mut self, file: &File, size: u64, pieces: usize) -> std::io::Result<()> {
        if size <= self.indexed_end {
            return Ok(());
        }
        let bounds = split_at_lines(file, self.indexed_end, size, pieces, self.max_line)?;
        let split = if bounds.len() > 2 {
            self.index_in_parallel(file, &bounds)?
        } else {
            None
        };
        let end = match split {
            Some(end) => end,
            // One piece, or the file changed under the split.
            None => {
                let (fresh, end) =
                    index_range(file, &mut self.sids, self.indexed_end, size, self.max_line)?;
                self.sids.distribute(&fresh);
                end
            }
        };
        self.indexed_end = end.tail_offset;
        let guard_len = usize::try_from(self.indexed_end).map_or(GUARD_LEN, |e| e.min(GUARD_LEN));
        let mut guard = vec![0u8; guard_len];
        file.read_exact_at(&mut guard, self.indexed_end - guard_len as u64)?;
        self.guard = guard;
        Ok(())
    }

    /// Indexes the pieces `bounds[i]..bounds[i + 1]` on one scoped thread
    /// each, every piece into a table of its own, then appends the tables
    /// in file order, so sids keep their first-appearance order. Returns
    /// how the last piece ended, or `None` when a piece before the last no
    /// longer ends at a line end (the file was rewritten meanwhile); nothing
    /// has been changed then.
    fn index_in_parallel(
        &mut self,
        file: &File,
        bounds: &[u64],
    ) -> std::io::Result<Option<StreamEnd>> {
        let max_line = self.max_line;
        let results: Vec<std::io::Result<Piece>> = std::thread::scope(|scope| {
            let workers: Vec<_> = bounds
                .windows(2)
                .map(|w| {
                    let (start, end) = (w[0], w[1]);
                    scope.spawn(move || {
                        let mut sids = SidTable {
                            deferred: Some(Vec::new()),
                            ..SidTable::default()
                        };
                        let (fresh, stream) = index_range(file, &mut sids, start, end, max_line)?;
                        // Each worker hands out its own lines, so the merge
                        // only appends whole lists.
                        let deferred_lines = sids.distribute(&fresh);
                        Ok(Piece {
                            sids,
                            deferred_lines,
                            stream,
                            end,
                        })
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join().unwrap_or_else(|_| {
                        Err(std::io::Error::other("a shard index worker failed"))
                    })
                })
                .collect()
        });
        let pieces = results
            .into_iter()
            .collect::<std::io::Result<Vec<Piece>>>()?;
        let last = pieces.len().saturating_sub(1);
        if pieces
            .iter()
            .take(last)
            .any(|p| p.stream.tail_offset != p.end)
        {
            return Ok(None);
        }
        let mut stream = None;
        for piece in pieces {
            stream = Some(piece.stream);
            self.sids.append_piece(piece.sids, &piece.deferred_lines);
        }
        Ok(stream)
    }

    /// True when `file` (of length `size`) still starts with what was
    /// indexed: same inode, not shorter, and the bytes before the indexed
    /// end unchanged.
    fn still_valid(&self, file: &File, meta: &Metadata) -> bool {
        if self.dev != meta.dev()
            || self.ino != meta.ino()
            || meta.len() < self.indexed_end
            || self.max_line != max_line()
            || (meta.len() == self.seen.0 && seen_of(meta) != self.seen)
        {
            return false;
        }
        let mut now = vec![0u8; self.guard.len()];
        let at = self.indexed_end - self.guard.len() as u64;
        file.read_exact_at(&mut now, at).is_ok() && now == self.guard
    }
}

/// A file's length and status-change time. Appends change both, so only
/// an unchanged length with a changed time says the bytes were rewritten.
/// The time is as fine as the file system keeps it: on kernels without
/// fine-grained timestamps, a rewrite within the same clock tick as the
/// last read can go unseen.
fn seen_of(meta: &Metadata) -> (u64, i64, i64) {
    (meta.len(), meta.ctime(), meta.ctime_nsec())
}

/// One piece of a parallel index build.
struct Piece {
    /// The piece's sids, each with its lines.
    sids: SidTable,
    /// The lines waiting on [`SidTable::deferred`], in file order.
    deferred_lines: Vec<Fresh>,
    stream: StreamEnd,
    /// Where the piece was to end.
    end: u64,
}

/// Bytes each thread gets at least before an index build is split: below
/// that, starting a thread costs more than it saves.
const PIECE_MIN_BYTES: u64 = 8 << 20;

/// At most this many pieces: the build is bound by copying from the page
/// cache, which more threads stop speeding up.
const PIECES_MAX: usize = 4;

/// How many pieces to index `bytes` new bytes in: one per rayon worker of
/// the calling context (so a one-thread pool builds on one core), at most
/// [`PIECES_MAX`], each at least [`PIECE_MIN_BYTES`].
fn index_pieces(bytes: u64) -> usize {
    let by_size = usize::try_from(bytes / PIECE_MIN_BYTES).unwrap_or(PIECES_MAX);
    rayon::current_num_threads()
        .min(PIECES_MAX)
        .min(by_size)
        .max(1)
}

/// Splits `start..end` into up to `pieces` ranges that begin at line starts:
/// each cut goes just after the first `\n` at or past an even share. A
/// cut whose line runs on for more than `max_line` bytes is dropped (the
/// neighbours take that share). Returns the bounds, `start` and `end`
/// included.
fn split_at_lines(
    file: &File,
    start: u64,
    end: u64,
    pieces: usize,
    max_line: usize,
) -> std::io::Result<Vec<u64>> {
    let mut bounds = vec![start];
    let share = (end - start) / pieces.max(1) as u64;
    let mut buf = vec![0u8; 64 << 10];
    for i in 1..pieces as u64 {
        let nominal = start + share * i;
        let floor = bounds.last().copied().unwrap_or(start);
        if nominal <= floor {
            continue;
        }
        let mut at = nominal;
        let limit = nominal.saturating_add(max_line as u64 + 1).min(end);
        while at < limit {
            let want = usize::try_from(limit - at).map_or(buf.len(), |w| w.min(buf.len()));
            let chunk = buf.get_mut(..want).unwrap_or_default();
            let got = read_some_at(file, chunk, at)?;
            if got == 0 {
                break;
            }
            if let Some(k) = memchr::memchr(b'\n', chunk.get(..got).unwrap_or_default()) {
                let cut = at + k as u64 + 1;
                if cut < end {
                    bounds.push(cut);
                }
                break;
            }
            at += got as u64;
        }
    }
    bounds.push(end);
    Ok(bounds)
}

/// Indexes the terminated lines of `file[start..end]` into `sids`, logging
/// each line in file order.
fn index_range(
    file: &File,
    sids: &mut SidTable,
    start: u64,
    end: u64,
    max_line: usize,
) -> std::io::Result<(Vec<Fresh>, StreamEnd)> {
    let mut fresh: Vec<Fresh> = Vec::new();
    let mut oversize: Vec<Note> = Vec::new();
    let split = |rest: &[u8]| shape::first_line(rest).map(|f| (f.len, f.next, f.shaped));
    let stream = stream_split(
        file,
        start,
        end,
        max_line,
        split,
        |offset, line, shaped| {
            if let Some((slot, span)) = index_line(sids, offset, line, shaped) {
                fresh.push(Fresh {
                    offset: span.offset,
                    len: span.len,
                    slot,
                });
            }
        },
        |offset, len| {
            oversize.extend(Note::new(log::Level::Warn, || {
                format!("shard line at byte {offset} is {len} bytes long; skipped")
            }));
        },
    )?;
    sids.notes.append(&mut oversize);
    Ok((fresh, stream))
}

/// The slot of a line's sid and the line's span, or `None` for a line
/// without a string sid. `shaped` says the line has the recorder's own
/// shape (see [`shape`]), whose first key is its only `sid`.
///
/// A line whose leading sid may be its only one is *fast*: a sid seen
/// before, or one whose line parses, is taken as it stands. Any other line
/// is parsed in full.
fn index_line(sids: &mut SidTable, offset: u64, line: &[u8], shaped: bool) -> Option<(u32, Span)> {
    if line.is_empty() {
        return None;
    }
    let len = u32::try_from(line.len()).ok()?;
    let span = Span { offset, len };
    let fast = leading_sid(line)
        .filter(|_| shaped || no_later_sid(line))
        .and_then(|sid| Some((sid, uuid_key(sid)?)));
    let cached = fast.and_then(|(_, key)| sids.recent_slot(&key));
    let slot = if let Some(slot) = cached {
        slot
    } else if let Some((sid, key)) = fast.filter(|(sid, key)| {
        // A sid's first line must be valid JSON, as `sessions` counts it:
        // a garbage line must not make a session appear.
        sid_chars_ok(sid) && (sids.by_uuid.contains_key(key) || parse_record(line).is_ok())
    }) {
        let slot = sids.slot_bytes(sid);
        sids.remember(key, slot);
        slot
    } else {
        let rec = match parse_record(line) {
            Ok(rec) => rec,
            Err(reason) => {
                // Whether a recorder-shaped line that does not parse is
                // kept depends on its sid being known already, which a
                // piece of a parallel build cannot tell: it defers.
                if let (Some(deferred), Some((sid, key))) = (sids.deferred.as_mut(), fast)
                    && sid_chars_ok(sid)
                {
                    let tag = u32::try_from(deferred.len())
                        .ok()
                        .filter(|t| t & DEFERRED == 0)?;
                    deferred.push((key, reason));
                    return Some((DEFERRED | tag, span));
                }
                sids.note(log::Level::Debug, || {
                    format!("shard line at byte {offset} skipped: {reason}")
                });
                return None;
            }
        };
        if let Some(raw) = rec.sid_raw() {
            sids.slot_bytes(raw)
        } else if let Sid::Str(text) = rec.sid() {
            sids.slot_text(text)
        } else {
            sids.note(log::Level::Debug, || {
                format!("shard line at byte {offset} skipped: no string sid")
            });
            return None;
        }
    };
    Some((u32::try_from(slot).ok()?, span))
}

/// A shard opened for reading, checked to be a regular file.
pub(crate) struct OpenShard {
    pub(crate) file: File,
    pub(crate) meta: Metadata,
}

/// Opens a shard, refusing anything but a regular file before opening it
/// (a FIFO would block) and again after (the path may have changed).
pub(crate) fn open_shard(path: &Path) -> Result<OpenShard, ShardError> {
    let pre = std::fs::metadata(path).map_err(|e| ShardError::from_io(path, e))?;
    not_a_file(path, &pre)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)
        .map_err(|e| ShardError::from_io(path, e))?;
    let meta = file.metadata().map_err(|e| ShardError::from_io(path, e))?;
    not_a_file(path, &meta)?;
    Ok(OpenShard { file, meta })
}

fn not_a_file(path: &Path, meta: &Metadata) -> Result<(), ShardError> {
    if meta.is_file() {
        Ok(())
    } else {
        let kind = super::error::FileKind::of(meta.file_type());
        Err(ShardError::NotAFile {
            path: path.to_path_buf(),
            kind,
        })
    }
}

type Entry = Arc<Mutex<ShardIndex>>;

/// Process-wide indexes by canonical path, with a use counter for eviction.
#[derive(Default)]
struct Cache {
    entries: HashMap<PathBuf, (u64, Entry)>,
    tick: u64,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(Mutex::default);

fn cache_entry(key: PathBuf) -> Entry {
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    cache.tick += 1;
    let tick = cache.tick;
    if let Some((used, entry)) = cache.entries.get_mut(&key) {
        *used = tick;
        return Arc::clone(entry);
    }
    if cache.entries.len() >= CACHE_CAPACITY
        && let Some(oldest) = cache
            .entries
            .iter()
            .min_by_key(|(_, (used, _))| *used)
            .map(|(k, _)| k.clone())
    {
        cache.entries.remove(&oldest);
    }
    let entry = Entry::default();
    cache.entries.insert(key, (tick, Arc::clone(&entry)));
    entry
}

/// Opens `path`, brings its cached index up to date with the file as it is
/// now, and runs `f` on the index under its lock. `f` gets the open file
/// and its size at refresh time; it should copy out what it needs and
/// return quickly, leaving reads of line bytes to after the lock.
///
/// # Errors
///
/// [`ShardError`] when the shard cannot be opened or read.
pub(crate) fn with_index<R>(
    path: &Path,
    f: impl FnOnce(&ShardIndex, &OpenShard) -> R,
) -> Result<R, ShardError> {
    let shard = open_shard(path)?;
    let key = std::fs::canonicalize(path).map_err(|e| ShardError::from_io(path, e))?;
    let entry = cache_entry(key);
    let mut index = entry.lock().unwrap_or_else(PoisonError::into_inner);
    let mut notes = Vec::new();
    if !index.still_valid(&shard.file, &shard.meta) {
        if index.indexed_end > 0 {
            notes.extend(Note::new(log::Level::Debug, || {
                format!(
                    "shard {} changed identity, shrank or was rewritten; re-indexing",
                    path.display()
                )
            }));
        }
        *index = ShardIndex {
            dev: shard.meta.dev(),
            ino: shard.meta.ino(),
            max_line: max_line(),
            ..ShardIndex::default()
        };
    }
    let extended = index.extend(&shard.file, shard.meta.len());
    notes.append(&mut index.sids.notes);
    let out = match extended {
        Ok(()) => {
            index.seen = seen_of(&shard.meta);
            Ok(f(&index, &shard))
        }
        Err(e) => {
            // A half-extended index would be wrong; start over next time.
            *index = ShardIndex::default();
            Err(ShardError::from_io(path, e))
        }
    };
    drop(index);
    Note::emit(notes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index's sids, their spans and its end, to compare.
    fn contents(index: &ShardIndex) -> (Vec<Text>, Vec<Vec<Span>>, u64) {
        let spans = index
            .sids()
            .iter()
            .map(|s| index.spans(s).to_vec())
            .collect();
        (index.sids().to_vec(), spans, index.indexed_end())
    }

    /// Sids and spans of `file` indexed in at most `pieces` pieces.
    fn index_in(file: &File, pieces: usize) -> (Vec<Text>, Vec<Vec<Span>>, u64) {
        let size = file.metadata().expect("metadata").len();
        let mut index = ShardIndex {
            max_line: 300,
            ..ShardIndex::default()
        };
        index.extend_in(file, size, pieces).expect("index");
        contents(&index)
    }

    #[test]
    fn pieces_index_exactly_as_one_pass() {
        // Sessions that start in every piece, garbage, headers, CR and CRLF
        // endings, a line over the limit and an unterminated tail.
        let mut text = String::new();
        for i in 0..3_000 {
            let sid = format!("{:08x}-0000-4000-8000-{:012x}", i % 37 + i / 700, i % 5);
            let end = ["\n", "\r\n", "\r"][i % 3];
            match i % 97 {
                0 => text.push_str(&format!(r#"{{"sid":"{sid}","hdr":{{"timestamp":1}}}}"#)),
                1 => text.push_str(&format!(r#"{{"sid":"{sid}","t":1,"ch":"i","#)),
                2 => text.push_str(&"x".repeat(400)),
                3 => text.push_str(&format!(r#"{{"sid":"short-{i}","t":1,"ch":"o","d":""}}"#)),
                _ => text.push_str(&format!(r#"{{"sid":"{sid}","t":{i},"ch":"o","d":"z"}}"#)),
            }
            text.push_str(end);
        }
        text.push_str(r#"{"sid":"tail","t":1"#);
        let path = std::env::temp_dir().join(format!("bsn-pieces-{}", std::process::id()));
        std::fs::write(&path, &text).expect("write shard");
        let file = File::open(&path).expect("open shard");
        let one = index_in(&file, 1);
        assert!(one.0.len() > 40, "sessions found: {}", one.0.len());
        for pieces in [2, 3, 4, 7] {
            assert_eq!(index_in(&file, pieces), one, "{pieces} pieces");
        }
        // Extending an index in pieces: the earlier sids are known then.
        let size = text.len() as u64;
        let mut grown = ShardIndex {
            max_line: 300,
            ..ShardIndex::default()
        };
        grown.extend_in(&file, size / 3, 1).expect("first part");
        grown.extend_in(&file, size, 4).expect("the rest");
        assert_eq!(contents(&grown), one);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn deferred_lines_keep_file_order_in_a_split() {
        // Lines of one length, so the second piece starts at a known line:
        // the cut goes after the line holding the midpoint.
        let a = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
        let b = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
        let good =
            |sid: &str, t: usize| format!(r#"{{"sid":"{sid}","t":1{t:02},"ch":"o","d":"x"}}"#);
        let torn = |sid: &str| format!(r#"{{"sid":"{sid}","t":999,"ch":"o","d":"x"#);
        let width = good(a, 0).len();
        let torn_a = format!("{:<width$}", torn(a));
        let torn_b = format!("{:<width$}", torn(b));
        let mut lines: Vec<String> = (0..10).map(|t| good(a, t)).collect();
        // The second piece opens on a torn line of A (known before it: kept)
        // and one of B (not known: dropped), then A and B go on.
        lines.extend([
            torn_a.clone(),
            torn_b,
            good(a, 10),
            torn_a,
            good(b, 11),
            good(a, 12),
        ]);
        lines.extend((13..16).map(|t| good(a, t)));
        assert!(lines.iter().all(|l| l.len() == width));
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let path = std::env::temp_dir().join(format!("bsn-deferred-{}", std::process::id()));
        std::fs::write(&path, &text).expect("write shard");
        let file = File::open(&path).expect("open shard");
        let size = text.len() as u64;
        let cut = split_at_lines(&file, 0, size, 2, 300).expect("split");
        assert_eq!(cut, vec![0, 10 * (width as u64 + 1), size]);
        let one = index_in(&file, 1);
        assert_eq!(index_in(&file, 2), one);
        let at = |line: u64| line * (width as u64 + 1);
        let a_lines: Vec<u64> = one.1[0].iter().map(|s| s.offset).collect();
        let want: Vec<u64> = (0..11).chain([12, 13]).chain(15..19).map(at).collect();
        assert_eq!(a_lines, want);
        assert_eq!(
            one.1[1].iter().map(|s| s.offset).collect::<Vec<_>>(),
            vec![at(14)]
        );
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn index_maps_lines_to_true_sid() {
        let mut sids = SidTable::default();
        let a = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
        let lines = [
            format!(r#"{{"sid":"{a}","t":1,"ch":"i","d":"x"}}"#),
            format!(r#"{{"sid":"{a}","t":1,"ch":"i","sid":"b"}}"#),
            r#"{"\u0062":1,"si\u0064":"b"}"#.to_owned(),
            r#"{"sid":1,"t":1}"#.to_owned(),
            r#"{"sid":"b""#.to_owned(),
            "{\"sid\":\"\\udcc3\\udca9\"}".to_owned(),
        ];
        for (i, line) in lines.iter().enumerate() {
            if let Some((slot, span)) =
                index_line(&mut sids, i as u64 * 100, line.as_bytes(), false)
                && let Some(spans) = sids.spans.get_mut(slot as usize)
            {
                spans.push(span);
            }
        }
        assert_eq!(sids.order.len(), 3);
        assert_eq!(sids.find(&Text::Bytes(a.as_bytes().to_vec())), Some(0));
        let b_spans = sids
            .find(&Text::Bytes(b"b".to_vec()))
            .and_then(|s| sids.spans.get(s));
        assert_eq!(
            b_spans.map(|v| v.iter().map(|s| s.offset).collect::<Vec<_>>()),
            Some(vec![100, 200])
        );
        assert_eq!(sids.find(&Text::Wide(vec![0xDCC3, 0xDCA9])), Some(2));
    }
}
