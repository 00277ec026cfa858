//! Splitting a shard into lines the way Python's universal newlines do.
//!
//! `\n`, `\r\n` and a lone `\r` each end a line; nothing else does (`\x85`,
//! U+2028 and `\x1c`..`\x1e` split lines for `str.splitlines()` but not for a
//! file opened in text mode, which is how the reference reads). Bytes after
//! the last terminator are the *tail*: the writer may still be appending to
//! it, so it is reported apart and never treated as a complete line here.

use memchr::memchr2;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;

/// Lines of an in-memory buffer. Yields `(offset, line)` for every
/// terminated line, the terminator excluded; [`Lines::tail_offset`] then
/// says where the unterminated rest begins.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Lines<'a> {
    /// Lines of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Lines { buf, pos: 0 }
    }

    /// Where the unterminated tail starts (`buf.len()` when there is none).
    /// Meaningful once the iterator is exhausted.
    pub fn tail_offset(&self) -> usize {
        self.pos
    }

    /// The unterminated tail, once the iterator is exhausted.
    pub fn tail(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or_default()
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.buf.get(self.pos..)?;
        let (len, next) = first_line(rest)?;
        let start = self.pos;
        self.pos += next;
        Some((start, rest.get(..len)?))
    }
}

/// The first line of `rest`: its length (terminator excluded) and where the
/// next line starts; `None` when `rest` holds no terminator.
pub fn first_line(rest: &[u8]) -> Option<(usize, usize)> {
    Some(ended_at(rest, memchr2(b'\n', b'\r', rest)?))
}

/// The line of `rest` whose terminator is at `k` (the first `\n` or `\r`):
/// its length and where the next line starts.
pub(crate) fn ended_at(rest: &[u8], k: usize) -> (usize, usize) {
    // A CR at the very end of the buffer ends its line (Python, reading the
    // file now, would say so too). If an LF follows later, it reads as an
    // empty line, which every caller skips.
    let crlf = rest.get(k) == Some(&b'\r') && rest.get(k + 1) == Some(&b'\n');
    (k, k + if crlf { 2 } else { 1 })
}

/// How a streamed pass over a file ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamEnd {
    /// File offset just past the last terminator: where the tail starts.
    pub tail_offset: u64,

    /// Where the read stopped (the size given, or earlier if the file
    /// turned out shorter).
    pub end: u64,
}

/// Bytes read per positioned read when streaming a file.
const CHUNK: usize = 4 << 20;

/// Streams the terminated lines of `file[start..end]` to `on_line` as
/// `(file offset, line)`, holding at most one chunk plus one line. A line
/// longer than `max_line` is dropped without being held; `on_oversize` gets
/// its offset and length. The tail is not passed on: its start is returned.
///
/// # Errors
///
/// An I/O error from a read.
pub fn stream_lines(
    file: &File,
    start: u64,
    end: u64,
    max_line: usize,
    mut on_line: impl FnMut(u64, &[u8]),
    on_oversize: impl FnMut(u64, u64),
) -> io::Result<StreamEnd> {
    let split = |rest: &[u8]| first_line(rest).map(|(len, next)| (len, next, ()));
    stream_split(
        file,
        start,
        end,
        max_line,
        split,
        |offset, line, ()| on_line(offset, line),
        on_oversize,
    )
}

/// [`stream_lines`] with the line splitter given: `split(rest)` must end
/// the first line of `rest` exactly where [`first_line`] does, and may say
/// something of the line (`S`) on the way, passed on to `on_line`.
pub(crate) fn stream_split<S>(
    file: &File,
    start: u64,
    end: u64,
    max_line: usize,
    mut split: impl FnMut(&[u8]) -> Option<(usize, usize, S)>,
    mut on_line: impl FnMut(u64, &[u8], S),
    mut on_oversize: impl FnMut(u64, u64),
) -> io::Result<StreamEnd> {
    let cap = CHUNK.max(max_line.saturating_mul(2).saturating_add(1 << 16));
    // No bigger than the range: a small refresh must not zero megabytes.
    let cap = cap.min(usize::try_from(end.saturating_sub(start)).unwrap_or(usize::MAX));
    let mut buf = vec![0u8; cap];
    // `buf[..filled]` holds unscanned bytes; `buf_base` is the file offset
    // of `buf[0]`.
    let mut filled = 0usize;
    let mut buf_base = start;
    let mut read_at = start;
    // Set while dropping an oversize line: the offset where it began.
    let mut skipping: Option<u64> = None;

    while read_at < end {
        let want = usize::try_from(end - read_at)
            .unwrap_or(usize::MAX)
            .min(cap - filled);
        let dest = buf.get_mut(filled..filled + want).unwrap_or_default();
        let got = read_some_at(file, dest, read_at)?;
        if got == 0 {
            break;
        }
        read_at += got as u64;
        filled += got;
        let data = buf.get(..filled).unwrap_or_default();

        let mut pos = 0;
        while let Some((len, next, said)) = split(data.get(pos..).unwrap_or_default()) {
            let line = data.get(pos..pos + len).unwrap_or_default();
            let offset = buf_base + pos as u64;
            pos += next;
            if let Some(began) = skipping.take() {
                on_oversize(began, offset + line.len() as u64 - began);
            } else if line.len() > max_line {
                on_oversize(offset, line.len() as u64);
            } else {
                on_line(offset, line, said);
            }
        }
        let keep_from = pos;
        let keep = filled - keep_from;
        if skipping.is_none() && keep > max_line {
            skipping = Some(buf_base + keep_from as u64);
        }
        if skipping.is_some() {
            // Drop the partial oversize line; only its start is remembered.
            buf_base += filled as u64;
            filled = 0;
        } else {
            buf.copy_within(keep_from..filled, 0);
            buf_base += keep_from as u64;
            filled = keep;
        }
    }
    let tail_offset = skipping.unwrap_or(buf_base);
    Ok(StreamEnd {
        tail_offset,
        end: read_at,
    })
}

/// One positioned read, retrying on interruption.
pub(crate) fn read_some_at(file: &File, dest: &mut [u8], offset: u64) -> io::Result<usize> {
    loop {
        match file.read_at(dest, offset) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(buf: &[u8]) -> (Vec<(usize, Vec<u8>)>, usize) {
        let mut lines = Lines::new(buf);
        let out = lines.by_ref().map(|(o, l)| (o, l.to_vec())).collect();
        (out, lines.tail_offset())
    }

    #[test]
    fn universal_newlines() {
        let (lines, tail) = split(b"a\nb\r\nc\rd\x85e\xe2\x80\xa8f\x1cg\n\nh");
        let want: Vec<(usize, Vec<u8>)> = vec![
            (0, b"a".to_vec()),
            (2, b"b".to_vec()),
            (5, b"c".to_vec()),
            (7, b"d\x85e\xe2\x80\xa8f\x1cg".to_vec()),
            (17, b"".to_vec()),
        ];
        assert_eq!(lines, want);
        assert_eq!(tail, 18);
    }

    #[test]
    fn cr_only_endings() {
        let (lines, tail) = split(b"x\ry\r");
        assert_eq!(lines, vec![(0, b"x".to_vec()), (2, b"y".to_vec())]);
        assert_eq!(tail, 4);
    }

    #[test]
    fn no_terminator_is_all_tail() {
        let (lines, tail) = split(b"abc");
        assert!(lines.is_empty());
        assert_eq!(tail, 0);
    }
}
