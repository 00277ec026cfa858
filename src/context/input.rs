//! What the input stream alone tells: pastes, typing gaps, corrections,
//! commands and the typed-letter statistics.
//!
//! Each function is one linear walk over the input events, named for the
//! reference step it reproduces.

use sha2::{Digest, Sha256};

use crate::event::Event;
use crate::lexicon::{LEXEME_MAX_LEN, Lexeme, TokenHash, match_lexeme};
use crate::pychar;
use crate::text::{Unit, units_to_bytes};
use crate::thresholds::{
    IKI_THINK_MAX_S, LAYOUT_BIGRAM_TOP_N, PASTE_BURST_MAX_IAT_S, PASTE_MIN_CHARS_PER_EVENT,
    SHORTCUT_CTRL_BYTES, TYPING_BURST_MIN_IATS,
};

/// A run of paste events close together.
#[derive(Clone, Debug, PartialEq)]
pub struct PasteBurst {
    /// First paste's t.
    pub start_ts: f64,
    /// Last paste's t.
    pub end_ts: f64,
    /// Code points pasted.
    pub char_count: usize,
    /// Paste events in the burst.
    pub event_count: usize,
}

/// Gaps between consecutive input events, never negative.
pub fn input_iats(inputs: &[&Event]) -> Vec<f64> {
    inputs
        .windows(2)
        .map(|w| (w[1].t - w[0].t).max(0.0))
        .collect()
}

/// Groups paste events (payloads of at least four code points) into bursts;
/// also returns how many paste events there were.
pub fn paste_bursts(inputs: &[&Event]) -> (Vec<PasteBurst>, usize) {
    let mut bursts = Vec::new();
    let mut current: Option<PasteBurst> = None;
    let mut pastes = 0;
    let mut last_t: Option<f64> = None;
    for ev in inputs {
        let len = ev.data.py_len();
        if len >= PASTE_MIN_CHARS_PER_EVENT {
            pastes += 1;
            let gap_breaks = last_t.is_some_and(|last| ev.t - last > PASTE_BURST_MAX_IAT_S);
            if current.is_none() || gap_breaks {
                bursts.extend(current.take());
                current = Some(PasteBurst {
                    start_ts: ev.t,
                    end_ts: ev.t,
                    char_count: 0,
                    event_count: 0,
                });
            }
            if let Some(burst) = current.as_mut() {
                burst.end_ts = ev.t;
                burst.char_count += len;
                burst.event_count += 1;
            }
        } else {
            bursts.extend(current.take());
        }
        last_t = Some(ev.t);
    }
    bursts.extend(current);
    (bursts, pastes)
}

/// Splits the input gaps at think pauses; bursts with fewer than three gaps
/// are dropped.
pub fn typing_bursts(iats: &[f64]) -> Vec<Vec<f64>> {
    let mut bursts: Vec<Vec<f64>> = vec![Vec::new()];
    for &x in iats {
        if x > IKI_THINK_MAX_S {
            if bursts.last().is_some_and(|b| !b.is_empty()) {
                bursts.push(Vec::new());
            }
        } else if let Some(last) = bursts.last_mut() {
            last.push(x);
        }
    }
    bursts.retain(|b| b.len() >= TYPING_BURST_MIN_IATS);
    bursts
}

/// Backspace and kill-line signals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Corrections {
    /// DEL (0x7f) and BS (0x08) keystrokes.
    pub backspace_count: usize,
    /// Gap between each backspace and the last non-backspace key before it.
    pub backspace_iats: Vec<f64>,
    /// ^U and ^W keystrokes.
    pub kill_line_count: usize,
}

/// Walks every input code point for backspaces and kill-lines.
pub fn corrections(inputs: &[&Event]) -> Corrections {
    let mut out = Corrections::default();
    let mut last_key_t: Option<f64> = None;
    for ev in inputs {
        for u in ev.data.units() {
            match u {
                0x7F | 0x08 => {
                    out.backspace_count += 1;
                    if let Some(last) = last_key_t {
                        out.backspace_iats.push((ev.t - last).max(0.0));
                    }
                }
                0x15 | 0x17 => {
                    out.kill_line_count += 1;
                    last_key_t = Some(ev.t);
                }
                _ => last_key_t = Some(ev.t),
            }
        }
    }
    out
}

/// One command line, cut from the input at `\r` or `\n`.
///
/// Only the first token's SHA-256 is kept, never the text.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    /// t of the event holding its first character.
    pub start_ts: f64,
    /// t of the event holding the `\r`/`\n` that ran it.
    pub end_ts: f64,
    /// SHA-256 of the first whitespace-delimited token (of `""` when none).
    pub first_token_hash: TokenHash,
    /// Tab keystrokes.
    pub tab_count: usize,
    /// Readline shortcut control bytes.
    pub shortcut_count: usize,
    /// `|` characters.
    pub pipe_count: usize,
    /// Whether its output window held an error fingerprint.
    pub errored: bool,
    /// Code points of output in its window.
    pub output_bytes: usize,
    /// Whether a prompt line followed it.
    pub followed_by_prompt: bool,
}

/// Cuts the input into commands.
///
/// The reference hashes `token.encode("utf-8")` and raises on any surrogate,
/// losing the session (one 8-bit byte typed first is enough). Here the token
/// is hashed as bytes: a raw byte as itself and a lone surrogate from a `\u`
/// escape in its three-byte form. For valid UTF-8 tokens that is exactly the
/// reference's hash.
pub fn segment_commands(inputs: &[&Event]) -> Vec<Command> {
    let mut commands = Vec::new();
    let mut buffered = 0usize;
    let mut start_ts = 0.0;
    let mut token: Vec<Unit> = Vec::new();
    let mut token_done = false;
    let (mut tabs, mut shortcuts, mut pipes) = (0, 0, 0);

    for ev in inputs {
        for u in ev.data.units() {
            if u == u32::from(b'\r') || u == u32::from(b'\n') {
                if buffered > 0 {
                    commands.push(Command {
                        start_ts,
                        end_ts: ev.t,
                        first_token_hash: Sha256::digest(units_to_bytes(&token)).into(),
                        tab_count: tabs,
                        shortcut_count: shortcuts,
                        pipe_count: pipes,
                        errored: false,
                        output_bytes: 0,
                        followed_by_prompt: false,
                    });
                }
                buffered = 0;
                token.clear();
                token_done = false;
                (tabs, shortcuts, pipes) = (0, 0, 0);
                continue;
            }
            if buffered == 0 {
                start_ts = ev.t;
            }
            buffered += 1;
            if pychar::is_space(u) {
                token_done |= !token.is_empty();
            } else if !token_done {
                token.push(u);
            }
            if u == u32::from(b'\t') {
                tabs += 1;
            } else if u == u32::from(b'|') {
                pipes += 1;
            } else if SHORTCUT_CTRL_BYTES.contains(&u) {
                shortcuts += 1;
            }
        }
    }
    commands
}

/// Typed-letter histograms and the lexical counters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TypedText {
    /// Lowercase ASCII letter → count, in first-seen order.
    pub unigrams: Vec<(u8, usize)>,
    /// Letter pairs → count: the top 64 by count (ties in first-seen order)
    /// when there are more.
    pub bigrams: Vec<([u8; 2], usize)>,
    /// ASCII letters typed (not pasted).
    pub letter_count: usize,
    pub obscenity_hits: usize,
    pub positive_lex_hits: usize,
    pub negative_lex_hits: usize,
    /// Longest run of uppercase ASCII letters.
    pub caps_run_max: usize,
    /// Longest run of `!`.
    pub bang_run_max: usize,
}

/// Walks typed (non-paste) input once for the letter and lexeme counters.
pub fn typed_text(inputs: &[&Event]) -> TypedText {
    let mut walk = TypedWalk::default();
    for ev in inputs {
        if ev.data.py_len() >= PASTE_MIN_CHARS_PER_EVENT {
            walk.paste_boundary();
        } else {
            for u in ev.data.units() {
                walk.unit(u);
            }
        }
    }
    walk.flush_word();
    walk.finish()
}

#[derive(Default)]
struct TypedWalk {
    out: TypedText,
    unigram_slot: [Option<usize>; 26],
    bigram_slot: Vec<Option<usize>>,
    last_letter: Option<u8>,
    word: Vec<u8>,
    caps_run: usize,
    bang_run: usize,
}

impl TypedWalk {
    fn paste_boundary(&mut self) {
        self.last_letter = None;
        self.flush_word();
        self.caps_run = 0;
        self.bang_run = 0;
    }

    fn unit(&mut self, u: Unit) {
        let ascii = u8::try_from(u).ok().filter(u8::is_ascii);
        if ascii.is_some_and(|b| b.is_ascii_uppercase()) {
            self.caps_run += 1;
            self.out.caps_run_max = self.out.caps_run_max.max(self.caps_run);
        } else {
            self.caps_run = 0;
        }
        if u == u32::from(b'!') {
            self.bang_run += 1;
            self.out.bang_run_max = self.out.bang_run_max.max(self.bang_run);
        } else {
            self.bang_run = 0;
        }
        match ascii.filter(u8::is_ascii_alphabetic) {
            Some(b) => self.letter(b.to_ascii_lowercase()),
            None => {
                self.last_letter = None;
                self.flush_word();
            }
        }
    }

    fn letter(&mut self, lower: u8) {
        let idx = usize::from(lower - b'a');
        match self.unigram_slot.get(idx).copied().flatten() {
            Some(slot) => bump(&mut self.out.unigrams, slot),
            None => {
                if let Some(s) = self.unigram_slot.get_mut(idx) {
                    *s = Some(self.out.unigrams.len());
                }
                self.out.unigrams.push((lower, 1));
            }
        }
        self.out.letter_count += 1;
        if let Some(prev) = self.last_letter {
            self.bigram(prev, lower);
        }
        self.last_letter = Some(lower);
        self.word.push(lower);
        if self.word.len() > LEXEME_MAX_LEN {
            self.word.remove(0);
        }
    }

    fn bigram(&mut self, a: u8, b: u8) {
        if self.bigram_slot.is_empty() {
            self.bigram_slot = vec![None; 26 * 26];
        }
        let idx = usize::from(a - b'a') * 26 + usize::from(b - b'a');
        match self.bigram_slot.get(idx).copied().flatten() {
            Some(slot) => bump(&mut self.out.bigrams, slot),
            None => {
                if let Some(s) = self.bigram_slot.get_mut(idx) {
                    *s = Some(self.out.bigrams.len());
                }
                self.out.bigrams.push(([a, b], 1));
            }
        }
    }

    fn flush_word(&mut self) {
        match match_lexeme(&self.word) {
            Some(Lexeme::Obscenity) => self.out.obscenity_hits += 1,
            Some(Lexeme::Positive) => self.out.positive_lex_hits += 1,
            Some(Lexeme::Negative) => self.out.negative_lex_hits += 1,
            None => {}
        }
        self.word.clear();
    }

    fn finish(mut self) -> TypedText {
        if self.out.bigrams.len() > LAYOUT_BIGRAM_TOP_N {
            // Stable: equal counts keep first-seen order, as Python's sort does.
            self.out.bigrams.sort_by_key(|b| std::cmp::Reverse(b.1));
            self.out.bigrams.truncate(LAYOUT_BIGRAM_TOP_N);
        }
        self.out
    }
}

fn bump<K>(counts: &mut [(K, usize)], slot: usize) {
    if let Some(entry) = counts.get_mut(slot) {
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Channel;
    use crate::lexicon::hash_word;
    use crate::text::Text;

    fn ev(t: f64, data: &[u8]) -> Event {
        Event {
            t,
            channel: Channel::Input,
            data: Text::Bytes(data.to_vec()),
        }
    }

    fn commands(evs: &[Event]) -> Vec<Command> {
        let refs: Vec<&Event> = evs.iter().collect();
        segment_commands(&refs)
    }

    #[test]
    fn crlf_gives_one_command_and_first_token_is_hashed() {
        let c = commands(&[ev(1.0, b"  ls -la\r\n")]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].first_token_hash, hash_word("ls"));
    }

    #[test]
    fn whitespace_only_command_hashes_the_empty_token() {
        // \x1c is whitespace to Python's str.split().
        let c = commands(&[ev(1.0, b" \x1c\r")]);
        assert_eq!(c[0].first_token_hash, hash_word(""));
    }

    #[test]
    fn raw_byte_token_hashes_its_bytes() {
        let c = commands(&[ev(1.0, b"\xe9cho\r")]);
        let expected: TokenHash = Sha256::digest(b"\xe9cho").into();
        assert_eq!(c[0].first_token_hash, expected);
    }

    #[test]
    fn unterminated_buffer_is_no_command() {
        assert!(commands(&[ev(1.0, b"ls")]).is_empty());
    }

    #[test]
    fn counters_follow_the_command() {
        let c = commands(&[ev(1.0, b"a\t|\x01|\r"), ev(2.0, b"b\r")]);
        assert_eq!(
            (c[0].tab_count, c[0].pipe_count, c[0].shortcut_count),
            (1, 2, 1)
        );
        assert_eq!((c[1].tab_count, c[1].pipe_count), (0, 0));
    }

    #[test]
    fn bursts_split_at_think_pauses() {
        let b = typing_bursts(&[0.1, 0.1, 0.1, 2.0, 0.2, 0.2, 1.6, 1.7, 0.1, 0.1, 0.1]);
        assert_eq!(b, vec![vec![0.1, 0.1, 0.1], vec![0.1, 0.1, 0.1]]);
    }
}
