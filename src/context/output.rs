//! Reading the output stream: ANSI stripping, error fingerprints, prompt lines.
//!
//! Every pattern the reference runs over output is ASCII, apart from the
//! Unicode-aware `\s` and `\w` of its prompt test. So output is walked as a
//! *skeleton*: one byte per Python code point, the code point itself when it
//! is ASCII and a class byte otherwise ([`OTHER`], [`SPACE`], [`WORD`]). An
//! ASCII payload is its own skeleton, so the common case copies nothing, and
//! counts over the skeleton are counts over code points, as in Python.
//!
//! The reference concatenates a window's payloads before matching, so escape
//! sequences and lines run across event boundaries; the state machines here
//! are fed event after event to do the same.

use std::borrow::Cow;
use std::sync::LazyLock;

use memchr::memmem;

use crate::pychar;
use crate::text::Text;
use crate::thresholds::PROMPT_LINE_MAX_CHARS;

/// Skeleton byte of a non-ASCII code point that is neither space nor word.
pub const OTHER: u8 = 0x80;
/// Skeleton byte of a non-ASCII whitespace code point (Python `str.isspace`).
pub const SPACE: u8 = 0x81;
/// Skeleton byte of a non-ASCII code point matched by Python's `\w`.
pub const WORD: u8 = 0x82;

const ESC: u8 = 0x1B;
const BEL: u8 = 0x07;

/// The payload's skeleton: one byte per code point.
pub fn skeleton(text: &Text) -> Cow<'_, [u8]> {
    if let Text::Bytes(bytes) = text
        && bytes.is_ascii()
    {
        return Cow::Borrowed(bytes);
    }
    Cow::Owned(text.units().map(skeleton_byte).collect())
}

fn skeleton_byte(u: u32) -> u8 {
    if u < 0x80 {
        u as u8
    } else if pychar::is_space(u) {
        SPACE
    } else if pychar::is_word(u) {
        WORD
    } else {
        OTHER
    }
}

/// Class bit of a skeleton byte that Python's `str.isspace` accepts.
const SPACE_CLASS: u8 = 1;
/// Class bit of a skeleton byte that Python's `re` `\w` matches.
const WORD_CLASS: u8 = 2;

/// The class bits of every skeleton byte. The prompt test asks these of
/// every output byte, so they are one table lookup rather than calls into
/// [`pychar`]; the tests check the table against it.
static CLASSES: [u8; 256] = skeleton_classes();

const fn skeleton_classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < table.len() {
        // `pychar::is_space` and `pychar::is_word` below 0x80.
        let space = matches!(b, 0x09..=0x0D | 0x1C..=0x20) || b == SPACE as usize;
        let word =
            matches!(b, 0x30..=0x39 | 0x41..=0x5A | 0x5F | 0x61..=0x7A) || b == WORD as usize;
        table[b] = (space as u8 * SPACE_CLASS) | (word as u8 * WORD_CLASS);
        b += 1;
    }
    table
}

fn class(b: u8) -> u8 {
    CLASSES.get(usize::from(b)).copied().unwrap_or(0)
}

/// Python `str.isspace` on a skeleton byte.
pub fn is_space(b: u8) -> bool {
    class(b) & SPACE_CLASS != 0
}

/// Python `re`'s `\w` on a skeleton byte.
fn is_word(b: u8) -> bool {
    class(b) & WORD_CLASS != 0
}

/// What the user@host test counts as part of a name: `[\w.-]`.
fn is_wordish(b: u8) -> bool {
    is_word(b) || b == b'.' || b == b'-'
}

/// Where stripped output goes.
pub trait Sink {
    /// One code point (as a skeleton byte) that survived stripping.
    fn put(&mut self, b: u8);

    /// A run of code points that survived stripping: the same as [`put`]
    /// for each in turn, which is what the default does.
    ///
    /// [`put`]: Sink::put
    fn put_run(&mut self, run: &[u8]) {
        for &b in run {
            self.put(b);
        }
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, b: u8) {
        self.push(b);
    }

    fn put_run(&mut self, run: &[u8]) {
        self.extend_from_slice(run);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AnsiState {
    Text,
    Esc,
    /// Inside `ESC [`; `intermediate` once a 0x20-0x2F byte was seen.
    Csi {
        intermediate: bool,
    },
    Osc,
    /// An ESC inside an OSC string: `ESC \` ends it, anything else ends it
    /// before the ESC.
    OscEsc,
}

/// The reference's escape-sequence remover (`strip_ansi`), as a streaming
/// state machine with the same matches as its regular expression:
/// `ESC [ [0-?]* [ -/]* [@-~]` (CSI), `ESC ] [^BEL ESC]* (BEL | ESC \)?` (OSC,
/// which runs to the end of the text when unterminated), and `ESC` followed
/// by one of `@`-`Z` or `\`-`_`. An ESC that starts none of them is kept.
pub struct AnsiStripper {
    state: AnsiState,
    /// The bytes of a CSI in progress, from `[`: emitted if it fails.
    pending: Vec<u8>,
}

impl Default for AnsiStripper {
    fn default() -> Self {
        AnsiStripper {
            state: AnsiState::Text,
            pending: Vec::new(),
        }
    }
}

impl AnsiStripper {
    /// Feeds a run of skeleton bytes.
    ///
    /// Plain text passes to the sink as whole runs up to the next ESC, and
    /// an OSC body is skipped up to the next BEL or ESC; only escape
    /// sequences themselves are stepped through byte by byte.
    pub fn feed(&mut self, bytes: &[u8], sink: &mut impl Sink) {
        let mut rest = bytes;
        loop {
            match self.state {
                AnsiState::Text => {
                    let end = memchr::memchr(ESC, rest).unwrap_or(rest.len());
                    let (run, after) = rest.split_at_checked(end).unwrap_or((rest, &[]));
                    if !run.is_empty() {
                        sink.put_run(run);
                    }
                    rest = after;
                }
                AnsiState::Osc => {
                    let end = memchr::memchr2(BEL, ESC, rest).unwrap_or(rest.len());
                    rest = rest.get(end..).unwrap_or_default();
                }
                _ => {}
            }
            let Some((&b, after)) = rest.split_first() else {
                break;
            };
            self.step(b, sink);
            rest = after;
        }
    }

    fn step(&mut self, b: u8, sink: &mut impl Sink) {
        match self.state {
            AnsiState::Text => {
                if b == ESC {
                    self.state = AnsiState::Esc;
                } else {
                    sink.put(b);
                }
            }
            AnsiState::Esc => match b {
                b'[' => {
                    self.pending.clear();
                    self.pending.push(b);
                    self.state = AnsiState::Csi {
                        intermediate: false,
                    };
                }
                b']' => self.state = AnsiState::Osc,
                0x40..=0x5A | 0x5C..=0x5F => self.state = AnsiState::Text,
                _ => {
                    // No match at this ESC: keep it, rescan from the next byte.
                    sink.put(ESC);
                    self.state = AnsiState::Text;
                    self.step(b, sink);
                }
            },
            AnsiState::Csi { intermediate } => match b {
                0x30..=0x3F if !intermediate => self.pending.push(b),
                0x20..=0x2F => {
                    self.pending.push(b);
                    self.state = AnsiState::Csi { intermediate: true };
                }
                0x40..=0x7E => self.state = AnsiState::Text,
                _ => {
                    // The CSI failed: the ESC and what followed it are text.
                    // None of the pending bytes is an ESC, so they pass as is.
                    sink.put(ESC);
                    for &p in &self.pending {
                        sink.put(p);
                    }
                    self.state = AnsiState::Text;
                    self.step(b, sink);
                }
            },
            AnsiState::Osc => match b {
                BEL => self.state = AnsiState::Text,
                ESC => self.state = AnsiState::OscEsc,
                _ => {}
            },
            AnsiState::OscEsc => {
                if b == b'\\' {
                    self.state = AnsiState::Text;
                } else {
                    self.state = AnsiState::Esc;
                    self.step(b, sink);
                }
            }
        }
    }

    /// Ends the text: a dangling ESC or failed CSI is kept, an open OSC dropped.
    pub fn finish(&mut self, sink: &mut impl Sink) {
        match self.state {
            AnsiState::Esc | AnsiState::OscEsc => sink.put(ESC),
            AnsiState::Csi { .. } => {
                sink.put(ESC);
                for &p in &self.pending {
                    sink.put(p);
                }
            }
            AnsiState::Text | AnsiState::Osc => {}
        }
        self.state = AnsiState::Text;
        self.pending.clear();
    }
}

/// The reference's canonical shell error fingerprints.
const ERROR_PATTERNS: [&[u8]; 6] = [
    b"command not found",
    b"No such file or directory",
    b"Permission denied",
    b": cannot ",
    b"Operation not permitted",
    b"syntax error near unexpected token",
];
const LONGEST_PATTERN: usize = 34;

/// Streaming search for any error fingerprint.
///
/// Only the last [`LONGEST_PATTERN`] bytes can end a match, so they are kept
/// in a fixed buffer twice that size, slid down when it fills: no allocation
/// per window.
struct ErrorMatcher {
    tail: [u8; 2 * LONGEST_PATTERN],
    len: usize,
    found: bool,
}

impl Default for ErrorMatcher {
    fn default() -> Self {
        ErrorMatcher {
            tail: [0; 2 * LONGEST_PATTERN],
            len: 0,
            found: false,
        }
    }
}

/// The fingerprints as prebuilt searchers, for long runs of output.
static ERROR_FINDERS: LazyLock<[memmem::Finder<'static>; 6]> =
    LazyLock::new(|| ERROR_PATTERNS.map(memmem::Finder::new));

impl ErrorMatcher {
    /// Feeds a run: byte by byte when short; otherwise the seam with what
    /// came before, then the run itself, are searched with [`ERROR_FINDERS`].
    fn put_run(&mut self, run: &[u8]) {
        const SEAM: usize = LONGEST_PATTERN - 1;
        if self.found {
            return;
        }
        let (Some(head), Some(last)) = (run.get(..SEAM), run.len().checked_sub(SEAM)) else {
            for &b in run {
                self.put(b);
            }
            return;
        };
        // A match across the seam starts in the last SEAM bytes seen and
        // ends in the first SEAM bytes of the run. One lying wholly in what
        // was seen would have been found already.
        let seen = self.tail.get(..self.len).unwrap_or_default();
        let before = seen
            .get(seen.len().saturating_sub(SEAM)..)
            .unwrap_or_default();
        let mut buf = [0u8; 2 * SEAM];
        let joined = before.len() + SEAM;
        if let Some(dst) = buf.get_mut(..before.len()) {
            dst.copy_from_slice(before);
        }
        if let Some(dst) = buf.get_mut(before.len()..joined) {
            dst.copy_from_slice(head);
        }
        let seam = buf.get(..joined).unwrap_or_default();
        self.found = ERROR_FINDERS
            .iter()
            .any(|f| f.find(seam).is_some() || f.find(run).is_some());

        // Keep the run's last SEAM bytes for the next seam.
        if let (Some(dst), Some(src)) = (self.tail.get_mut(..SEAM), run.get(last..)) {
            dst.copy_from_slice(src);
            self.len = SEAM;
        }
    }

    fn put(&mut self, b: u8) {
        if self.found {
            return;
        }
        if self.len == self.tail.len() {
            self.tail.copy_within(LONGEST_PATTERN.., 0);
            self.len = LONGEST_PATTERN;
        }
        if let Some(slot) = self.tail.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
        let tail = self.tail.get(..self.len).unwrap_or_default();
        self.found = ERROR_PATTERNS
            .iter()
            .any(|p| p.last() == Some(&b) && tail.ends_with(p));
    }
}

/// One prompt line seen in the output.
#[derive(Clone, Debug, PartialEq)]
pub struct PromptLine {
    /// Timestamp of the last output event of the window it was seen in.
    pub ts: f64,

    /// The prompt character: one of `$ # % >`.
    pub suffix: u8,

    /// The line, stripped and cut to its last [`PROMPT_LINE_MAX_CHARS`] code
    /// points, as a skeleton.
    pub raw_line: Vec<u8>,
}

impl PromptLine {
    /// True for `#`, the root prompt.
    pub fn is_root(&self) -> bool {
        self.suffix == b'#'
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum PsPrefix {
    #[default]
    Leading,
    P,
    Ps,
    Matched,
    Failed,
}

impl PsPrefix {
    /// The state after byte `b` (`space`: whether it is whitespace).
    /// `Matched` and `Failed` never change again.
    fn step(self, b: u8, space: bool) -> Self {
        match (self, b) {
            (PsPrefix::Leading, b'P') => PsPrefix::P,
            (PsPrefix::Leading, _) if space => PsPrefix::Leading,
            (PsPrefix::P, b'S') => PsPrefix::Ps,
            (PsPrefix::Ps, _) if space => PsPrefix::Matched,
            (PsPrefix::Matched, _) => PsPrefix::Matched,
            _ => PsPrefix::Failed,
        }
    }

    fn is_final(self) -> bool {
        matches!(self, PsPrefix::Matched | PsPrefix::Failed)
    }
}

/// The prompt test of the reference over one output line, fed byte by byte.
///
/// A line is a prompt when, after `rstrip()`, it ends in `$ # % >` and either
/// the first character after that is a space or the line has a PS1 shape:
/// `user@host` (`[\w.-]+@[\w.-]+`), a leading `PS ` (`^\s*PS\s`), or a drive
/// (`[A-Za-z]:[\\/]`). None of the shape tokens contains whitespace, so they
/// can be searched in the whole line rather than the right-stripped one.
#[derive(Default)]
struct LineScan {
    shape: LineShape,
    /// The last code points up to the last non-space one.
    tail: Ring,
    /// Spaces seen since the last non-space code point.
    spaces: Ring,
}

/// What [`LineScan`] knows about the line so far, apart from its buffers.
#[derive(Clone, Copy, Default)]
struct LineShape {
    any_text: bool,
    last_text: u8,
    after_last_text: Option<u8>,
    prev_wordish: bool,
    at_open: bool,
    user_at_host: bool,
    prev2: u8,
    prev1: u8,
    drive: bool,
    ps: PsPrefix,
}

impl LineScan {
    /// Starts the next line, keeping the buffers (rebuilding the whole
    /// value would rewrite both of them at every newline).
    fn reset(&mut self) {
        self.shape = LineShape::default();
        self.tail.clear();
        self.spaces.clear();
    }

    fn put(&mut self, b: u8) {
        let space = is_space(b);
        let wordish = is_wordish(b);
        let shape = &mut self.shape;

        if shape.at_open && wordish {
            shape.user_at_host = true;
        }
        shape.at_open = b == b'@' && shape.prev_wordish;
        shape.prev_wordish = wordish;

        if (b == b'\\' || b == b'/') && shape.prev1 == b':' && shape.prev2.is_ascii_alphabetic() {
            shape.drive = true;
        }
        shape.prev2 = shape.prev1;
        shape.prev1 = b;

        shape.ps = shape.ps.step(b, space);

        if space {
            if shape.any_text {
                if shape.after_last_text.is_none() {
                    shape.after_last_text = Some(b);
                }
                self.spaces.push(b);
            }
        } else {
            self.tail.extend(&self.spaces);
            self.spaces.clear();
            self.tail.push(b);
            shape.any_text = true;
            shape.last_text = b;
            shape.after_last_text = None;
        }
    }

    /// Feeds a run holding no newline: the same as [`LineScan::put`] for
    /// each byte, but each test looks only where it can change. Output
    /// lines are long and prompts rare, so this is where most output bytes
    /// go.
    fn put_run(&mut self, run: &[u8]) {
        let (Some(&last), Some(&first)) = (run.last(), run.first()) else {
            return;
        };
        if run.len() < 4 {
            for &b in run {
                self.put(b);
            }
            return;
        }
        let before = |i: usize, back: usize, carried: u8| {
            i.checked_sub(back)
                .and_then(|j| run.get(j))
                .copied()
                .unwrap_or(carried)
        };
        let shape = &mut self.shape;

        // The `PS ` prefix is settled by the line's first few bytes.
        for &b in run {
            if shape.ps.is_final() {
                break;
            }
            shape.ps = shape.ps.step(b, is_space(b));
        }

        // user@host: a name byte right after an '@' that follows a name byte.
        if !shape.user_at_host {
            shape.user_at_host = (shape.at_open && is_wordish(first))
                || memchr::memchr_iter(b'@', run).any(|i| {
                    let opened = match i.checked_sub(1).and_then(|j| run.get(j)) {
                        Some(&p) => is_wordish(p),
                        None => shape.prev_wordish,
                    };
                    opened && run.get(i + 1).is_some_and(|&n| is_wordish(n))
                });
        }
        let penultimate_wordish = match run.len().checked_sub(2).and_then(|j| run.get(j)) {
            Some(&p) => is_wordish(p),
            None => shape.prev_wordish,
        };
        shape.at_open = last == b'@' && penultimate_wordish;
        shape.prev_wordish = is_wordish(last);

        // A drive: a letter, ':', then '\' or '/'.
        if !shape.drive {
            let (prev1, prev2) = (shape.prev1, shape.prev2);
            shape.drive = memchr::memchr2_iter(b'\\', b'/', run).any(|i| {
                let p1 = before(i, 1, prev1);
                let p2 = if i == 1 { prev1 } else { before(i, 2, prev2) };
                p1 == b':' && p2.is_ascii_alphabetic()
            });
        }
        shape.prev2 = before(run.len(), 2, shape.prev1);
        shape.prev1 = last;

        // The text so far ends at the run's last non-space byte, if any.
        match run.iter().rposition(|&b| !is_space(b)) {
            Some(end) => {
                // Before any text, leading spaces are not kept.
                let start = if shape.any_text {
                    0
                } else {
                    run.iter().position(|&b| !is_space(b)).unwrap_or(end)
                };
                let text = run.get(start..=end).unwrap_or_default();
                if text.len() >= PROMPT_LINE_MAX_CHARS {
                    self.tail.clear();
                } else {
                    self.tail.extend(&self.spaces);
                }
                self.tail.extend_slice(text);
                let trailing = run.get(end + 1..).unwrap_or_default();
                self.spaces.clear();
                self.spaces.extend_slice(trailing);
                shape.any_text = true;
                shape.last_text = run.get(end).copied().unwrap_or(last);
                shape.after_last_text = trailing.first().copied();
            }
            None => {
                if shape.any_text {
                    shape.after_last_text.get_or_insert(first);
                    self.spaces.extend_slice(run);
                }
            }
        }
    }

    /// The line's prompt character, if the line is a prompt.
    fn prompt_suffix(&self) -> Option<u8> {
        let shape = &self.shape;
        if !shape.any_text || !matches!(shape.last_text, b'$' | b'#' | b'%' | b'>') {
            return None;
        }
        let spaced = shape.after_last_text == Some(b' ');
        let shaped = shape.user_at_host || shape.drive || shape.ps == PsPrefix::Matched;
        (spaced || shaped).then_some(shape.last_text)
    }
}

/// The last [`PROMPT_LINE_MAX_CHARS`] bytes pushed, in a fixed buffer: the
/// line scan runs per byte of output, where a growing deque per line cost
/// an allocation or more per line.
struct Ring {
    buf: [u8; PROMPT_LINE_MAX_CHARS],
    /// Index of the oldest byte.
    start: usize,
    len: usize,
}

impl Default for Ring {
    fn default() -> Self {
        Ring {
            buf: [0; PROMPT_LINE_MAX_CHARS],
            start: 0,
            len: 0,
        }
    }
}

impl Ring {
    fn clear(&mut self) {
        self.start = 0;
        self.len = 0;
    }

    /// Appends `b`, dropping the oldest byte when full.
    fn push(&mut self, b: u8) {
        let at = (self.start + self.len) % PROMPT_LINE_MAX_CHARS;
        if let Some(slot) = self.buf.get_mut(at) {
            *slot = b;
        }
        if self.len == PROMPT_LINE_MAX_CHARS {
            self.start = (self.start + 1) % PROMPT_LINE_MAX_CHARS;
        } else {
            self.len += 1;
        }
    }

    /// Appends every byte of `other`, oldest first.
    fn extend(&mut self, other: &Ring) {
        let (older, newer) = other.halves();
        self.extend_slice(older);
        self.extend_slice(newer);
    }

    /// Appends `bytes` in order, as many [`Ring::push`]es would.
    fn extend_slice(&mut self, bytes: &[u8]) {
        const CAP: usize = PROMPT_LINE_MAX_CHARS;
        // Only the last CAP bytes can survive.
        let bytes = bytes
            .get(bytes.len().saturating_sub(CAP)..)
            .unwrap_or_default();
        let at = (self.start + self.len) % CAP;
        let (to_end, wrapped) = bytes.split_at(bytes.len().min(CAP - at));
        if let Some(dst) = self.buf.get_mut(at..at + to_end.len()) {
            dst.copy_from_slice(to_end);
        }
        if let Some(dst) = self.buf.get_mut(..wrapped.len()) {
            dst.copy_from_slice(wrapped);
        }
        let total = self.len + bytes.len();
        if total > CAP {
            self.start = (self.start + total - CAP) % CAP;
            self.len = CAP;
        } else {
            self.len = total;
        }
    }

    /// The contents as two runs, oldest first.
    fn halves(&self) -> (&[u8], &[u8]) {
        let first = (PROMPT_LINE_MAX_CHARS - self.start).min(self.len);
        let older = self.buf.get(self.start..self.start + first);
        let newer = self.buf.get(..self.len - first);
        (older.unwrap_or_default(), newer.unwrap_or_default())
    }

    fn to_vec(&self) -> Vec<u8> {
        let (older, newer) = self.halves();
        [older, newer].concat()
    }
}

/// What the reference learns from one command's output window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WindowReport {
    /// Code points in the window before stripping (`len` of each payload).
    pub output_chars: usize,

    /// Whether the stripped text holds an error fingerprint.
    pub errored: bool,

    /// Prompt lines in the stripped text.
    pub prompts: Vec<PromptLine>,
}

/// Accumulates one window's payloads.
#[derive(Default)]
pub struct WindowScan {
    stripper: AnsiStripper,
    sink: WindowSink,
    output_chars: usize,
    last_ts: Option<f64>,
}

#[derive(Default)]
struct WindowSink {
    errors: ErrorMatcher,
    line: LineScan,
    prompts: Vec<(u8, Vec<u8>)>,
}

impl Sink for WindowSink {
    fn put(&mut self, b: u8) {
        self.errors.put(b);
        if b == b'\n' {
            self.end_line();
        } else {
            self.line.put(b);
        }
    }

    fn put_run(&mut self, run: &[u8]) {
        self.errors.put_run(run);
        let mut rest = run;
        while let Some(newline) = memchr::memchr(b'\n', rest) {
            let (line, after) = rest.split_at_checked(newline).unwrap_or((rest, &[]));
            self.line.put_run(line);
            self.end_line();
            rest = after.get(1..).unwrap_or_default();
        }
        self.line.put_run(rest);
    }
}

impl WindowSink {
    fn end_line(&mut self) {
        if let Some(suffix) = self.line.prompt_suffix() {
            self.prompts.push((suffix, self.line.tail.to_vec()));
        }
        self.line.reset();
    }
}

impl WindowScan {
    /// Adds one output event of the window.
    pub fn push(&mut self, t: f64, data: &Text) {
        let skel = skeleton(data);
        self.output_chars += skel.len();
        self.stripper.feed(&skel, &mut self.sink);
        self.last_ts = Some(t);
    }

    /// Closes the window.
    pub fn finish(mut self) -> WindowReport {
        let Some(ts) = self.last_ts else {
            return WindowReport::default();
        };
        self.stripper.finish(&mut self.sink);
        self.sink.end_line();
        WindowReport {
            output_chars: self.output_chars,
            errored: self.sink.errors.found,
            prompts: self
                .sink
                .prompts
                .into_iter()
                .map(|(suffix, raw_line)| PromptLine {
                    ts,
                    suffix,
                    raw_line,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut st = AnsiStripper::default();
        st.feed(s, &mut out);
        st.finish(&mut out);
        out
    }

    fn report(chunks: &[&[u8]]) -> WindowReport {
        let mut w = WindowScan::default();
        for (i, c) in chunks.iter().enumerate() {
            w.push(i as f64, &Text::Bytes(c.to_vec()));
        }
        w.finish()
    }

    #[test]
    fn strips_csi_osc_and_two_byte_escapes() {
        assert_eq!(strip(b"a\x1b[01;32mb\x1b[0m"), b"ab");
        assert_eq!(strip(b"\x1b]0;title\x07x"), b"x");
        assert_eq!(strip(b"\x1b]0;title\x1b\\x"), b"x");
        // `=` (0x3D) is below `@`: that ESC stays; `ESC M` goes.
        assert_eq!(strip(b"\x1b=x\x1bMy"), b"\x1b=xy");
    }

    #[test]
    fn failed_sequences_are_kept() {
        // `ESC [` then a byte outside every CSI range: no match at the ESC.
        assert_eq!(strip(b"\x1b[12\x01z"), b"\x1b[12\x01z");
        assert_eq!(strip(b"\x1b[12"), b"\x1b[12");
        assert_eq!(strip(b"x\x1b"), b"x\x1b");
        // `[` (0x5B) is not a two-byte escape; `a` is no escape at all.
        assert_eq!(strip(b"\x1ba"), b"\x1ba");
    }

    #[test]
    fn unterminated_osc_runs_to_the_end() {
        assert_eq!(strip(b"a\x1b]2;xx\nyy"), b"a");
        // An ESC that is not `ESC \` ends the OSC before it.
        assert_eq!(strip(b"\x1b]2;t\x1b[0mz"), b"z");
    }

    #[test]
    fn escape_sequences_span_events() {
        let r = report(&[b"ok\r\nroot@box:~", b"# \x1b[", b"0m"]);
        assert_eq!(r.prompts.len(), 1);
        assert_eq!(r.prompts[0].suffix, b'#');
        assert_eq!(r.prompts[0].raw_line, b"root@box:~#");
    }

    #[test]
    fn prompt_needs_trailing_space_or_shape() {
        assert_eq!(report(&[b"$ "]).prompts.len(), 1);
        assert_eq!(report(&[b"total 5 <none>"]).prompts.len(), 0);
        assert_eq!(report(&[b"user@host>"]).prompts.len(), 1);
        assert_eq!(report(&[b"PS C:\\Users\\x>"]).prompts.len(), 1);
        assert_eq!(report(&[b"  PS\tfoo>"]).prompts.len(), 1);
        assert_eq!(report(&[b"PSfoo>"]).prompts.len(), 0);
        assert_eq!(report(&[b"$\t"]).prompts.len(), 0);
    }

    #[test]
    fn error_fingerprints_match_across_events() {
        assert!(report(&[b"bash: foo: command not", b" found\r\n"]).errored);
        assert!(!report(&[b"all good\r\n$ "]).errored);
        // Stripping comes first, so an escape inside a fingerprint hides nothing.
        assert!(report(&[b"command not\x1b]0;x\x07 found"]).errored);
    }

    #[test]
    fn counts_code_points_before_stripping() {
        let r = report(&[b"\x1b[0m\xe9", "é".as_bytes()]);
        // 4 + 1 (raw byte) + 1 (one code point).
        assert_eq!(r.output_chars, 6);
    }

    #[test]
    fn class_table_agrees_with_pychar() {
        for b in 0..=255u8 {
            let unit = u32::from(b);
            let space = b == SPACE || (b < 0x80 && pychar::is_space(unit));
            let word = b == WORD || (b < 0x80 && pychar::is_word(unit));
            assert_eq!((is_space(b), is_word(b)), (space, word), "byte {b:#04x}");
        }
    }

    /// Splitmix64, for the run-versus-byte comparison below.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) % n as u64) as usize
        }
    }

    /// A stream rich in what the scanners look for: escapes, prompt shapes,
    /// fingerprints, long lines and long runs of spaces.
    fn tricky_stream(rng: &mut Rng) -> Vec<u8> {
        const PIECES: [&[u8]; 24] = [
            b"root@box:~# ",
            b"user@host>",
            b"PS C:\\Users\\x> ",
            b"  PS\tfoo>",
            b"d:/x",
            b"a@",
            b"@b",
            b"bash: x: command not found\r\n",
            b"No such file or directory",
            b"ls: cannot ",
            b"\x1b[01;32m",
            b"\x1b[0m",
            b"\x1b]0;title\x07",
            b"\x1b]2;t\x1b\\",
            b"\x1b[12\x01",
            b"\x1bM",
            b"\x1b",
            b"\r\n",
            b"\n",
            b"$ ",
            b"% ",
            b"\x81\x82\x80",
            b"total 28  drwx------ .",
            b"     \t ",
        ];
        // Half the streams hold no fingerprint, only its halves.
        let fingerprints = rng.below(2) == 0;
        let mut out = Vec::new();
        for _ in 0..rng.below(60) {
            match rng.below(12) {
                0 => out.extend(std::iter::repeat_n(b' ', 200 + rng.below(200))),
                1 => out.extend(std::iter::repeat_n(b'x', 200 + rng.below(200))),
                // Any skeleton byte (ASCII or a class byte), so that the
                // stream is its own skeleton.
                2 => {
                    for _ in 0..rng.below(8) {
                        out.push(rng.below(usize::from(WORD) + 1) as u8);
                    }
                }
                _ => {
                    let piece = PIECES[rng.below(PIECES.len())];
                    let whole = ERROR_PATTERNS
                        .iter()
                        .any(|p| piece.windows(p.len()).any(|w| w == *p));
                    if fingerprints || !whole {
                        out.extend_from_slice(piece);
                    } else {
                        out.extend_from_slice(piece.get(..piece.len() / 2).unwrap_or_default());
                    }
                }
            }
        }
        out
    }

    /// Forwards single bytes only, so the sink's per-byte path is used.
    struct PerByte<'s>(&'s mut WindowSink);

    impl Sink for PerByte<'_> {
        fn put(&mut self, b: u8) {
            self.0.put(b);
        }
    }

    #[test]
    fn runs_scan_exactly_as_single_bytes() {
        let mut rng = Rng(0x5CA9);
        let mut errored = [0; 2];
        for _ in 0..2000 {
            let stream = tricky_stream(&mut rng);
            let mut chunks = Vec::new();
            let mut rest = stream.as_slice();
            while !rest.is_empty() {
                let (chunk, after) = rest.split_at(rest.len().min(1 + rng.below(120)));
                chunks.push(chunk);
                rest = after;
            }

            // Reference: every byte stepped through both state machines.
            let mut stripper = AnsiStripper::default();
            let mut sink = WindowSink::default();
            let mut stripped = Vec::new();
            let mut strip_only = AnsiStripper::default();
            for &b in &stream {
                stripper.step(b, &mut PerByte(&mut sink));
                strip_only.step(b, &mut stripped);
            }
            stripper.finish(&mut PerByte(&mut sink));
            strip_only.finish(&mut stripped);
            sink.end_line();

            // The window scan's own path, given the skeleton bytes directly
            // (class bytes on their own are not valid UTF-8 payloads).
            let mut fast = WindowScan::default();
            for chunk in &chunks {
                fast.stripper.feed(chunk, &mut fast.sink);
            }
            fast.stripper.finish(&mut fast.sink);
            fast.sink.end_line();
            assert_eq!(fast.sink.errors.found, sink.errors.found, "{stream:?}");
            errored[usize::from(sink.errors.found)] += 1;
            assert_eq!(fast.sink.prompts, sink.prompts, "{stream:?}");
            assert_eq!(strip(&stream), stripped, "{stream:?}");
        }
        // Both outcomes of the fingerprint search were exercised.
        assert!(errored.iter().all(|&n| n > 200), "{errored:?}");
    }
}
