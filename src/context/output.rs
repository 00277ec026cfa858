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
use std::collections::VecDeque;

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

/// Python `str.isspace` on a skeleton byte.
pub fn is_space(b: u8) -> bool {
    b == SPACE || (b < 0x80 && pychar::is_space(u32::from(b)))
}

/// Python `re`'s `\w` on a skeleton byte.
fn is_word(b: u8) -> bool {
    b == WORD || (b < 0x80 && pychar::is_word(u32::from(b)))
}

/// Where stripped output goes.
pub trait Sink {
    /// One code point (as a skeleton byte) that survived stripping.
    fn put(&mut self, b: u8);
}

impl Sink for Vec<u8> {
    fn put(&mut self, b: u8) {
        self.push(b);
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
    pub fn feed(&mut self, bytes: &[u8], sink: &mut impl Sink) {
        for &b in bytes {
            self.step(b, sink);
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
#[derive(Default)]
struct ErrorMatcher {
    tail: Vec<u8>,
    found: bool,
}

impl ErrorMatcher {
    fn put(&mut self, b: u8) {
        if self.found {
            return;
        }
        if self.tail.len() >= 4 * LONGEST_PATTERN {
            self.tail.drain(..self.tail.len() - LONGEST_PATTERN);
        }
        self.tail.push(b);
        self.found = ERROR_PATTERNS
            .iter()
            .any(|p| p.last() == Some(&b) && self.tail.ends_with(p));
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PsPrefix {
    Leading,
    P,
    Ps,
    Matched,
    Failed,
}

/// The prompt test of the reference over one output line, fed byte by byte.
///
/// A line is a prompt when, after `rstrip()`, it ends in `$ # % >` and either
/// the first character after that is a space or the line has a PS1 shape:
/// `user@host` (`[\w.-]+@[\w.-]+`), a leading `PS ` (`^\s*PS\s`), or a drive
/// (`[A-Za-z]:[\\/]`). None of the shape tokens contains whitespace, so they
/// can be searched in the whole line rather than the right-stripped one.
struct LineScan {
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
    /// The last code points up to the last non-space one.
    tail: VecDeque<u8>,
    /// Spaces seen since the last non-space code point.
    spaces: VecDeque<u8>,
}

impl Default for LineScan {
    fn default() -> Self {
        LineScan {
            any_text: false,
            last_text: 0,
            after_last_text: None,
            prev_wordish: false,
            at_open: false,
            user_at_host: false,
            prev2: 0,
            prev1: 0,
            drive: false,
            ps: PsPrefix::Leading,
            tail: VecDeque::new(),
            spaces: VecDeque::new(),
        }
    }
}

impl LineScan {
    fn put(&mut self, b: u8) {
        let space = is_space(b);
        let wordish = is_word(b) || b == b'.' || b == b'-';

        if self.at_open && wordish {
            self.user_at_host = true;
        }
        self.at_open = b == b'@' && self.prev_wordish;
        self.prev_wordish = wordish;

        if (b == b'\\' || b == b'/') && self.prev1 == b':' && self.prev2.is_ascii_alphabetic() {
            self.drive = true;
        }
        self.prev2 = self.prev1;
        self.prev1 = b;

        self.ps = match (self.ps, b) {
            (PsPrefix::Leading, b'P') => PsPrefix::P,
            (PsPrefix::Leading, _) if space => PsPrefix::Leading,
            (PsPrefix::P, b'S') => PsPrefix::Ps,
            (PsPrefix::Ps, _) if space => PsPrefix::Matched,
            (PsPrefix::Matched, _) => PsPrefix::Matched,
            _ => PsPrefix::Failed,
        };

        if space {
            if self.any_text {
                if self.after_last_text.is_none() {
                    self.after_last_text = Some(b);
                }
                push_capped(&mut self.spaces, b);
            }
        } else {
            for s in self.spaces.drain(..) {
                push_capped(&mut self.tail, s);
            }
            push_capped(&mut self.tail, b);
            self.any_text = true;
            self.last_text = b;
            self.after_last_text = None;
        }
    }

    /// The line's prompt character, if the line is a prompt.
    fn prompt_suffix(&self) -> Option<u8> {
        if !self.any_text || !matches!(self.last_text, b'$' | b'#' | b'%' | b'>') {
            return None;
        }
        let spaced = self.after_last_text == Some(b' ');
        let shaped = self.user_at_host || self.drive || self.ps == PsPrefix::Matched;
        (spaced || shaped).then_some(self.last_text)
    }
}

fn push_capped(buf: &mut VecDeque<u8>, b: u8) {
    if buf.len() == PROMPT_LINE_MAX_CHARS {
        buf.pop_front();
    }
    buf.push_back(b);
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
}

impl WindowSink {
    fn end_line(&mut self) {
        let line = std::mem::take(&mut self.line);
        if let Some(suffix) = line.prompt_suffix() {
            self.prompts.push((suffix, line.tail.into_iter().collect()));
        }
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
}
