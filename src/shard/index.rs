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
use super::scan::{StreamEnd, stream_lines};
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
    if sid.len() != 36 {
        return None;
    }
    let mut padded = [0u8; 40];
    padded.get_mut(..36)?.copy_from_slice(sid);
    let mut key = [0u64; 5];
    for (word, bytes) in key.iter_mut().zip(padded.chunks_exact(8)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(bytes);
        *word = u64::from_le_bytes(w);
    }
    Some(key)
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
    /// passed [`fast_sid`]'s checks go in, so a hit needs no checking.
    /// Concurrent sessions are few and their lines come in runs, so this
    /// spares most lines the hex check and the hash-map probe.
    recent: Vec<(UuidKey, usize)>,
    /// Set in the tables of a parallel build's pieces: the sids of the
    /// recorder-shaped lines that did not parse and whose sid the piece had
    /// not seen yet (see [`index_line`]). Such a line's slot is
    /// [`DEFERRED`] plus its place here.
    deferred: Option<Vec<(UuidKey, SkipReason)>>,
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
        // Word by word: a whole-array `==` becomes a `bcmp` call.
        let same = held.iter().zip(key).all(|(a, b)| a == b);
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
        index.extend_in(file, size, pieces)?;
        Ok(index)
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
        let one_pass = |index: &mut ShardIndex| {
            index_range(
                file,
                &mut index.sids,
                index.indexed_end,
                size,
                index.max_line,
            )
            .map(|(fresh, end)| (vec![fresh], end))
        };
        let (logs, end) = if bounds.len() > 2 {
            match self.index_in_parallel(file, &bounds)? {
                Some(done) => done,
                // The file changed under the split: index it in one piece.
                None => one_pass(self)?,
            }
        } else {
            one_pass(self)?
        };
        // New lines were logged in file order first and are handed out to
        // their sids now, with each sid's list grown once: pushing straight
        // into thousands of growing lists cost 40% of the indexing time.
        let sids = &mut self.sids;
        let mut counts = vec![0usize; sids.spans.len()];
        for entry in logs.iter().flatten() {
            if let Some(c) = counts.get_mut(entry.slot as usize) {
                *c += 1;
            }
        }
        for (spans, &extra) in sids.spans.iter_mut().zip(&counts) {
            spans.reserve(extra);
        }
        // Slots that match no sid (dropped deferred lines) find no list.
        for &Fresh { offset, len, slot } in logs.iter().flatten() {
            if let Some(spans) = sids.spans.get_mut(slot as usize) {
                spans.push(Span { offset, len });
            }
        }
        self.indexed_end = end.tail_offset;
        let guard_len = usize::try_from(self.indexed_end).map_or(GUARD_LEN, |e| e.min(GUARD_LEN));
        let mut guard = vec![0u8; guard_len];
        file.read_exact_at(&mut guard, self.indexed_end - guard_len as u64)?;
        self.guard = guard;
        Ok(())
    }

    /// Indexes the pieces `bounds[i]..bounds[i + 1]` on one scoped thread
    /// each, every piece into a table of its own, then merges the tables in
    /// file order, so sids keep their first-appearance order. `None` when a
    /// piece before the last no longer ends at a line end (the file was
    /// rewritten meanwhile); nothing has been changed then.
    fn index_in_parallel(
        &mut self,
        file: &File,
        bounds: &[u64],
    ) -> std::io::Result<Option<(Vec<Vec<Fresh>>, StreamEnd)>> {
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
                        Ok(Piece {
                            sids,
                            fresh,
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
        let mut logs = Vec::with_capacity(pieces.len());
        let mut stream = None;
        for piece in pieces {
            // A deferred line is kept when its sid was known before the
            // piece began, exactly as a single pass would have kept it.
            let deferred = piece.sids.deferred.unwrap_or_default();
            let known: Vec<Option<u32>> = deferred
                .iter()
                .map(|(key, _)| {
                    let slot = self.sids.by_uuid.get(key)?;
                    u32::try_from(*slot).ok()
                })
                .collect();
            let slots: Vec<u32> = piece
                .sids
                .order
                .into_iter()
                .map(|sid| u32::try_from(self.sids.slot_text(sid)).unwrap_or(u32::MAX))
                .collect();
            // Renumbered in place (no copy of the log); a line left without
            // a sid gets a slot no list has.
            let mut fresh = piece.fresh;
            for f in &mut fresh {
                f.slot = if f.slot & DEFERRED == 0 {
                    slots.get(f.slot as usize).copied().unwrap_or(u32::MAX)
                } else {
                    let at = (f.slot & !DEFERRED) as usize;
                    let slot = known.get(at).copied().flatten();
                    if slot.is_none()
                        && let Some((_, reason)) = deferred.get(at)
                    {
                        // What a single pass logs when it skips the line.
                        log::debug!("shard line at byte {} skipped: {reason}", f.offset);
                    }
                    slot.unwrap_or(u32::MAX)
                };
            }
            logs.push(fresh);
            stream = Some(piece.stream);
        }
        Ok(stream.map(|stream| (logs, stream)))
    }

    /// True when `file` (of length `size`) still starts with what was
    /// indexed: same inode, not shorter, and the bytes before the indexed
    /// end unchanged.
    fn still_valid(&self, file: &File, meta: &Metadata) -> bool {
        if self.dev != meta.dev()
            || self.ino != meta.ino()
            || meta.len() < self.indexed_end
            || self.max_line != max_line()
        {
            return false;
        }
        let mut now = vec![0u8; self.guard.len()];
        let at = self.indexed_end - self.guard.len() as u64;
        file.read_exact_at(&mut now, at).is_ok() && now == self.guard
    }
}

/// One piece of a parallel index build.
struct Piece {
    sids: SidTable,
    fresh: Vec<Fresh>,
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
            let got = file.read_at(chunk, at)?;
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
    let stream = stream_lines(
        file,
        start,
        end,
        max_line,
        |offset, line| {
            if let Some((slot, span)) = index_line(sids, offset, line) {
                fresh.push(Fresh {
                    offset: span.offset,
                    len: span.len,
                    slot,
                });
            }
        },
        |offset, len| log::warn!("shard line at byte {offset} is {len} bytes long; skipped"),
    )?;
    Ok((fresh, stream))
}

/// The sid of a line when it has the recorder's own shape,
/// `{"sid":"<36 hex-or-dash>",...`, and no other top-level `sid` key can
/// follow. Any later key that unescapes to `sid` ends in `id"`, `9d"`
/// (`\u0069d`) or `64"` (`\u0064`); if no quote in the rest of the line is
/// preceded by one of those, the first key is the only `sid`. Otherwise the
/// caller falls back to a full parse. ([`index_line`] runs the same steps
/// with [`SidTable::recent`] in between.)
#[cfg(test)]
fn fast_sid(line: &[u8]) -> Option<&[u8]> {
    let sid = leading_sid(line)?;
    (sid_chars_ok(sid) && no_later_sid(line)).then_some(sid)
}

const FAST_PREFIX: &[u8] = b"{\"sid\":\"";
const FAST_SID_LEN: usize = 36;

/// The 36 bytes between `{"sid":"` and the next quote, unchecked.
fn leading_sid(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(FAST_PREFIX)?;
    let sid = rest.get(..FAST_SID_LEN)?;
    (rest.get(FAST_SID_LEN) == Some(&b'"')).then_some(sid)
}

/// Lower-case hex and dashes: no escape can hide in the sid.
fn sid_chars_ok(sid: &[u8]) -> bool {
    sid.iter()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f' | b'-'))
}

/// True when no quote after the leading sid is preceded by `id`, `9d` or
/// `64`; `line` must have passed [`leading_sid`].
fn no_later_sid(line: &[u8]) -> bool {
    // Three shifted views of the rest of the line, folded without early
    // exit so the compiler vectorises the scan.
    let after = FAST_PREFIX.len() + FAST_SID_LEN + 1;
    let Some(n) = line.len().checked_sub(after) else {
        return false;
    };
    let (Some(first), Some(second), Some(third)) = (
        line.get(after - 2..after - 2 + n),
        line.get(after - 1..after - 1 + n),
        line.get(after..),
    ) else {
        return false;
    };
    let may_hold_sid = first
        .iter()
        .zip(second)
        .zip(third)
        .fold(false, |acc, ((&x, &y), &z)| {
            acc | ((z == b'"')
                & (((y == b'd') & ((x == b'i') | (x == b'9'))) | ((y == b'4') & (x == b'6'))))
        });
    !may_hold_sid
}

/// The slot of a line's sid and the line's span, or `None` for a line
/// without a string sid.
fn index_line(sids: &mut SidTable, offset: u64, line: &[u8]) -> Option<(u32, Span)> {
    if line.is_empty() {
        return None;
    }
    let len = u32::try_from(line.len()).ok()?;
    let span = Span { offset, len };
    let fast = leading_sid(line)
        .filter(|_| no_later_sid(line))
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
                log::debug!("shard line at byte {offset} skipped: {reason}");
                return None;
            }
        };
        if let Some(raw) = rec.sid_raw() {
            sids.slot_bytes(raw)
        } else if let Sid::Str(text) = rec.sid() {
            sids.slot_text(text)
        } else {
            log::debug!("shard line at byte {offset} skipped: no string sid");
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
    if !index.still_valid(&shard.file, &shard.meta) {
        if index.indexed_end > 0 {
            log::debug!(
                "shard {} changed identity or shrank; re-indexing",
                path.display()
            );
        }
        *index = ShardIndex {
            dev: shard.meta.dev(),
            ino: shard.meta.ino(),
            max_line: max_line(),
            ..ShardIndex::default()
        };
    }
    let extended = index.extend(&shard.file, shard.meta.len());
    if let Err(e) = extended {
        // A half-extended index would be wrong; start over next time.
        *index = ShardIndex::default();
        return Err(ShardError::from_io(path, e));
    }
    Ok(f(&index, &shard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_sid_takes_canonical_prefix() {
        let line = br#"{"sid":"0123456789abcdef0123456789abcdef0123","t":1.5,"ch":"o","d":"a\"b"}"#;
        assert_eq!(
            fast_sid(line),
            Some(&b"0123456789abcdef0123456789abcdef0123"[..])
        );
    }

    #[test]
    fn fast_sid_defers_when_another_sid_may_follow() {
        let sid = "0123456789abcdef0123456789abcdef0123";
        for rest in [
            r#","sid":"x""#,
            r#","\u0073id":"x""#,
            r#","s\u0069d":"x""#,
            r#","si\u0064":"x""#,
        ] {
            let line = format!(r#"{{"sid":"{sid}"{rest}}}"#);
            assert_eq!(fast_sid(line.as_bytes()), None, "{rest}");
        }
        let upper = r#"{"sid":"0123456789ABCDEF0123456789abcdef0123","t":1}"#;
        assert_eq!(fast_sid(upper.as_bytes()), None);
    }

    /// Sids and spans of `file` indexed in at most `pieces` pieces.
    fn index_in(file: &File, pieces: usize) -> (Vec<Text>, Vec<Vec<Span>>, u64) {
        let size = file.metadata().expect("metadata").len();
        let mut index = ShardIndex {
            max_line: 300,
            ..ShardIndex::default()
        };
        index.extend_in(file, size, pieces).expect("index");
        let spans = index
            .sids()
            .iter()
            .map(|s| index.spans(s).to_vec())
            .collect();
        (index.sids().to_vec(), spans, index.indexed_end())
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
        let spans: Vec<Vec<Span>> = grown
            .sids()
            .iter()
            .map(|s| grown.spans(s).to_vec())
            .collect();
        assert_eq!((grown.sids().to_vec(), spans, grown.indexed_end()), one);
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
            if let Some((slot, span)) = index_line(&mut sids, i as u64 * 100, line.as_bytes())
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
