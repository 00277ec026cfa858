//! `environmental.*`: the shell, terminal, locale and keyboard behind the
//! session.

use std::sync::LazyLock;

use memchr::memmem;
use regex::bytes::Regex;

use crate::context::output::{AnsiStripper, is_space, skeleton};
use crate::context::{PromptLine, SessionContext};
use crate::observation::{Observation, Value};
use crate::pychar;
use crate::text::Text;
use crate::thresholds::*;

/// The shell a prompt line suggests.
fn shell_of(prompt: &PromptLine) -> &'static str {
    match prompt.suffix {
        b'%' => "zsh",
        b'>' => {
            let line = &prompt.raw_line;
            let start = line
                .iter()
                .position(|&b| !is_space(b))
                .unwrap_or(line.len());
            if line.get(start..).is_some_and(|l| l.starts_with(b"PS ")) {
                "powershell"
            } else if memmem::find(line, b"C:\\").is_some() || memmem::find(line, b"c:\\").is_some()
            {
                "cmd.exe"
            } else {
                // Bash's PS2, Python's `>>> ` and `mysql> ` land here too.
                "fish"
            }
        }
        _ => "bash",
    }
}

/// `environmental.shell_type`: the most common shell across prompt lines
/// (ties: the one seen first).
pub fn shell_type(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.prompt_lines.is_empty() {
        return None;
    }
    let mut votes: Vec<(&'static str, usize)> = Vec::new();
    for p in &ctx.prompt_lines {
        let shell = shell_of(p);
        match votes.iter_mut().find(|(s, _)| *s == shell) {
            Some(entry) => entry.1 += 1,
            None => votes.push((shell, 1)),
        }
    }
    let best = votes.iter().map(|v| v.1).max().unwrap_or(0);
    let value = votes.iter().find(|v| v.1 == best).map_or("bash", |v| v.0);
    let confidence = if ctx.prompt_lines.len() < SHELL_TYPE_MIN_PROMPTS {
        0.40
    } else {
        0.75
    };
    Some(Observation::label(
        "environmental.shell_type",
        value,
        confidence,
    ))
}

const TMUX_MARKERS: [&[u8]; 3] = [b"\x1bPtmux;", b"\x1b[?1004", b"\x1b]2;tmux"];
const SCREEN_MARKERS: [&[u8]; 2] = [b"\x1bP=", b"\x1b]83;"];

/// `environmental.terminal_multiplexer`: tmux or screen escape markers in
/// the raw (unstripped) output of any single event; tmux wins when both.
pub fn terminal_multiplexer(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let (mut tmux, mut screen) = (false, false);
    for ev in &ctx.output_events {
        // Every marker starts with ESC, and a skeleton keeps ASCII bytes
        // where they are: without an ESC there is nothing to find.
        if let Text::Bytes(bytes) = &ev.data
            && memchr::memchr(0x1B, bytes).is_none()
        {
            continue;
        }
        let skel = skeleton(&ev.data);
        tmux = tmux
            || TMUX_MARKERS
                .iter()
                .any(|m| memmem::find(&skel, m).is_some());
        screen = screen
            || SCREEN_MARKERS
                .iter()
                .any(|m| memmem::find(&skel, m).is_some());
        if tmux && screen {
            break;
        }
    }
    let (value, confidence) = if tmux {
        ("tmux", 0.85)
    } else if screen {
        ("screen", 0.85)
    } else {
        ("none", 0.55)
    };
    Some(Observation::label(
        "environmental.terminal_multiplexer",
        value,
        confidence,
    ))
}

/// `KEY=VALUE` for the three locale variables, as the reference matches it.
static LOCALE_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?-u)(LC_ALL|LANG|LC_CTYPE)=([A-Za-z]{2,3}(?:_[A-Za-z]{2,3})?(?:\.[A-Za-z0-9-]+)?(?:@[A-Za-z0-9]+)?|C|POSIX)",
    )
    .ok()
});

/// A POSIX locale value as a BCP-47 tag (`en_US.UTF-8` → `en-US`, `C` and
/// `POSIX` → `und`), or `None` when malformed.
fn to_bcp47(value: &[u8]) -> Option<String> {
    if value == b"C" || value == b"POSIX" {
        return Some("und".to_owned());
    }
    let base = value.split(|&b| b == b'.').next()?;
    let base = base.split(|&b| b == b'@').next()?;
    let mut parts = base.split(|&b| b == b'_');
    let lang = parts.next()?;
    if lang.len() < 2 || !lang.iter().all(u8::is_ascii_alphabetic) {
        return None;
    }
    let lang = String::from_utf8_lossy(lang).to_ascii_lowercase();
    match parts.next() {
        None => Some(lang),
        Some(region) if !region.is_empty() && region.iter().all(u8::is_ascii_alphabetic) => {
            let region = String::from_utf8_lossy(region).to_ascii_uppercase();
            Some(format!("{lang}-{region}"))
        }
        Some(_) => None,
    }
}

fn key_priority(key: &[u8]) -> u8 {
    match key {
        b"LC_ALL" => 3,
        b"LANG" => 2,
        _ => 1,
    }
}

/// `environmental.locale`: the highest-priority locale variable (LC_ALL,
/// then LANG, then LC_CTYPE) printed anywhere in the stripped output,
/// first occurrence winning; echoed input counts, as in the reference.
pub fn locale(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() || ctx.output_events.iter().all(|e| e.data.is_empty()) {
        return None;
    }
    let re = LOCALE_RE.as_ref()?;
    let mut text = Vec::new();
    let mut stripper = AnsiStripper::default();
    for ev in &ctx.output_events {
        stripper.feed(&skeleton(&ev.data), &mut text);
    }
    stripper.finish(&mut text);

    let mut best: Option<(u8, String)> = None;
    for caps in re.captures_iter(&text) {
        let (Some(key), Some(val)) = (caps.get(1), caps.get(2)) else {
            continue;
        };
        let priority = key_priority(key.as_bytes());
        if best.as_ref().is_some_and(|(p, _)| priority <= *p) {
            continue;
        }
        if let Some(tag) = to_bcp47(val.as_bytes())
            && tag.len() >= LOCALE_MIN_VALUE_LENGTH
        {
            best = Some((priority, tag));
        }
    }
    let (_, tag) = best?;
    Some(Observation {
        primitive: "environmental.locale",
        value: Value::Computed(tag),
        confidence: 0.80,
    })
}

/// `environmental.keyboard_layout`: English-bigram saturation and the rates
/// of `q`, `z` and `y` among typed letters. Needs 200 typed letters.
pub fn keyboard_layout(ctx: &SessionContext<'_>) -> Option<Observation> {
    let typed = &ctx.typed;
    let letters = typed.letter_count;
    if letters < LAYOUT_MIN_TYPED_LETTERS {
        return None;
    }
    let total_bigrams: usize = typed.bigrams.iter().map(|b| b.1).sum();
    let english: usize = typed
        .bigrams
        .iter()
        .filter(|(pair, _)| LAYOUT_TOP_ENG_BIGRAMS.contains(&pair))
        .map(|b| b.1)
        .sum();
    let saturation = if total_bigrams > 0 {
        english as f64 / total_bigrams as f64
    } else {
        0.0
    };
    let rate = |letter: u8| {
        let n = typed
            .unigrams
            .iter()
            .find(|(l, _)| *l == letter)
            .map_or(0, |u| u.1);
        n as f64 / letters as f64
    };
    let value = if rate(b'q') > LAYOUT_AZERTY_Q_MIN && saturation < LAYOUT_AZERTY_ENG_MAX {
        "azerty"
    } else if rate(b'z') > LAYOUT_QWERTZ_Z_MIN && rate(b'y') < LAYOUT_QWERTZ_Y_MAX {
        "qwertz"
    } else if saturation >= LAYOUT_QWERTY_ENG_MIN {
        "qwerty"
    } else {
        "other"
    };
    let confidence = if letters < LAYOUT_FULL_CONFIDENCE_LETTERS {
        0.40
    } else {
        0.55
    };
    Some(Observation::label(
        "environmental.keyboard_layout",
        value,
        confidence,
    ))
}

/// `environmental.numpad_usage`: four single-digit keystrokes in a row (among
/// digit keystrokes) each within 50 ms. Needs 50 typed code points.
pub fn numpad_usage(ctx: &SessionContext<'_>) -> Option<Observation> {
    if ctx.commands.is_empty() {
        return None;
    }
    let mut typed_chars = 0;
    let mut digit_ts = Vec::new();
    for ev in ctx.typed_events() {
        typed_chars += ev.data.py_len();
        let mut units = ev.data.units();
        if let (Some(u), None) = (units.next(), units.next())
            && pychar::is_digit(u)
        {
            digit_ts.push(ev.t);
        }
    }
    if typed_chars < NUMPAD_MIN_TYPED_CHARS {
        return None;
    }
    let detected = digit_ts
        .windows(NUMPAD_RUN_MIN)
        .any(|run| run.windows(2).all(|w| w[1] - w[0] <= NUMPAD_FAST_IAT_S));
    let value = if detected { "detected" } else { "not_detected" };
    Some(Observation::label(
        "environmental.numpad_usage",
        value,
        0.50,
    ))
}
