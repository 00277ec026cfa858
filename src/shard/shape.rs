//! The recorder's own line shape, recognised while looking for the line's
//! end, so the index can trust a line's first `sid` key.
//!
//! JSON lets a key repeat and Python keeps the last, so a line's first
//! `"sid"` is its sid only when no later top-level key unescapes to `sid`.
//! The recorder writes every event as
//! `{"sid":"<36 hex or dash>","t":<number>,"ch":"<tag>","d":"<text>"}`:
//! once the fixed part is checked and the `d` text is known to run to the
//! closing `"}`, its four keys are the only ones. The line end is found by
//! the same search that walks the `d` text (a quote or a line break,
//! whichever comes first), so a long output line is read once. The shape
//! says nothing of the sid's own characters: the index trusts a sid only
//! once [`sid_chars_ok`] (or its cache of checked sids) has passed it, so
//! no escape can hide in it. Any other line gets the general test,
//! [`no_later_sid`].

use super::scan;
use memchr::memchr3;

/// The bytes every recorder line starts with.
const FAST_PREFIX: &[u8] = b"{\"sid\":\"";

/// The length of the recorder's sids (a UUID in text form).
const FAST_SID_LEN: usize = 36;

/// Where the sid's closing quote sits.
const SID_END: usize = FAST_PREFIX.len() + FAST_SID_LEN;

/// The longest `t` number the shape takes; the recorder writes `%.6f`.
const MAX_NUMBER: usize = 40;

/// The longest `ch` tag the shape takes; the recorder writes one letter.
const MAX_TAG: usize = 16;

/// The first line of a buffer: its length (terminator excluded), where the
/// next line starts, and whether it has the recorder's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FirstLine {
    pub(crate) len: usize,
    pub(crate) next: usize,
    pub(crate) shaped: bool,
}

/// The first line of `rest` as universal newlines split it (see
/// [`super::scan`]), or `None` when `rest` holds no line terminator.
/// The line ends where [`super::scan::first_line`] says, always: only the
/// `shaped` flag is new.
pub(crate) fn first_line(rest: &[u8]) -> Option<FirstLine> {
    // The terminator rules live in `scan` alone.
    let ends_at = |k: usize, shaped: bool| {
        let (len, next) = scan::ended_at(rest, k);
        FirstLine { len, next, shaped }
    };
    let plain = |from: usize| {
        let (len, next) = scan::first_line(rest.get(from..)?)?;
        Some(FirstLine {
            len: from + len,
            next: from + next,
            shaped: false,
        })
    };
    // Nothing before `at` is a line break: the fixed part was checked
    // byte by byte, and the search below stops at the first one.
    let Some(mut at) = text_start(rest) else {
        return plain(0);
    };
    loop {
        let k = at + stop_in(rest.get(at..)?)?;
        if rest.get(k) != Some(&b'"') {
            return Some(ends_at(k, false));
        }
        let before = rest.get(..k)?;
        let escaped = before.last() == Some(&b'\\')
            && before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1;
        if escaped {
            // An escaped quote inside the text.
            at = k + 1;
            continue;
        }
        // The text's closing quote: the shape holds when the object closes
        // right after it and the line ends there.
        if rest.get(k + 1) == Some(&b'}') {
            match rest.get(k + 2) {
                Some(b'\n' | b'\r') => return Some(ends_at(k + 2, true)),
                None => return None,
                Some(_) => {}
            }
        }
        return plain(k + 1);
    }
}

/// The first quote or line break in `bytes`. Most texts are a keystroke
/// or two: a short look byte by byte spares them the set-up of the vector
/// search.
fn stop_in(bytes: &[u8]) -> Option<usize> {
    const LOOK: usize = 16;
    for (n, &b) in bytes.iter().enumerate().take(LOOK) {
        if matches!(b, b'"' | b'\n' | b'\r') {
            return Some(n);
        }
    }
    let rest = bytes.get(LOOK..)?;
    Some(LOOK + memchr3(b'"', b'\n', b'\r', rest)?)
}

/// Where the `d` text starts when `rest` begins with the recorder's fixed
/// part: prefix, a sid without control bytes, `","t":`, a number, `,"ch":"`,
/// a tag without quotes, backslashes or control bytes, and `","d":"`.
///
/// The sid's characters are not checked further here: the index takes a
/// sid as it stands only once it is known to be hex and dashes, which
/// rules out an escape in it (see [`sid_chars_ok`]).
fn text_start(rest: &[u8]) -> Option<usize> {
    let sid = leading_sid(rest)?;
    if has_control_byte(sid) {
        return None;
    }
    let after = rest.get(SID_END..)?.strip_prefix(b"\",\"t\":")?;
    let number = run_of(after, MAX_NUMBER, NUMBER)?;
    if number == 0 {
        return None;
    }
    let after = after.get(number..)?.strip_prefix(b",\"ch\":\"")?;
    let tag = run_of(after, MAX_TAG, TAG)?;
    let after = after.get(tag..)?.strip_prefix(b"\",\"d\":\"")?;
    Some(rest.len() - after.len())
}

/// A byte that may appear in the `t` number.
const NUMBER: u8 = 1;

/// A byte that may appear in the `ch` tag: not a quote, a backslash or a
/// control byte.
const TAG: u8 = 2;

/// [`NUMBER`] and [`TAG`] of every byte.
static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        if byte.is_ascii_digit() || matches!(byte, b'.' | b'e' | b'E' | b'+' | b'-') {
            class[b] |= NUMBER;
        }
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            class[b] |= TAG;
        }
        b += 1;
    }
    class
};

/// How many bytes at the start of `bytes` are of `class`, when fewer than
/// `max` are (and the run ends inside `bytes`).
fn run_of(bytes: &[u8], max: usize, class: u8) -> Option<usize> {
    for (n, &b) in bytes.iter().enumerate().take(max) {
        if CLASS[usize::from(b)] & class == 0 {
            return Some(n);
        }
    }
    None
}

/// True when a byte of `bytes` is below 0x20 (a line break among them).
fn has_control_byte(bytes: &[u8]) -> bool {
    // Eight bytes at a time: a byte below 0x20 sets its top bit in
    // `(w - 0x20..) & !w`, and no byte at or above it can.
    const LOW: u64 = 0x2020_2020_2020_2020;
    const TOP: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let mut found = 0u64;
    for word in words.by_ref() {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let w = u64::from_le_bytes(w);
        found |= w.wrapping_sub(LOW) & !w & TOP;
    }
    found != 0 || words.remainder().iter().any(|&b| b < 0x20)
}

/// The 36 bytes between `{"sid":"` and the next quote, unchecked.
pub(crate) fn leading_sid(line: &[u8]) -> Option<&[u8]> {
    let rest = line.strip_prefix(FAST_PREFIX)?;
    let sid = rest.get(..FAST_SID_LEN)?;
    (rest.get(FAST_SID_LEN) == Some(&b'"')).then_some(sid)
}

/// Lower-case hex and dashes: no escape or line break can hide in the sid.
pub(crate) fn sid_chars_ok(sid: &[u8]) -> bool {
    // Folded without early exit so the check is vectorised.
    sid.iter().fold(true, |ok, &b| {
        ok & (b.is_ascii_digit() | (b'a'..=b'f').contains(&b) | (b == b'-'))
    })
}

/// True when no quote after the leading sid is preceded by `id`, `9d` or
/// `64`; `line` must have passed [`leading_sid`]. Any later key that
/// unescapes to `sid` ends in `id"`, `9d"` (`\u0069d`) or `64"` (`\u0064`),
/// so when none is there the first key is the only `sid`.
pub(crate) fn no_later_sid(line: &[u8]) -> bool {
    // Three shifted views of the rest of the line, folded without early
    // exit so the compiler vectorises the scan.
    let after = SID_END + 1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shard::scan::Lines;
    use crate::shard::{Sid, parse_record};
    use crate::text::Text;

    const SID: &str = "0123abcd-4567-89ef-0123-456789abcdef";

    fn line(rest: &str) -> String {
        format!(r#"{{"sid":"{SID}"{rest}"#)
    }

    /// What `first_line` says of the first line of `buf`, and what `Lines`
    /// says of it: they must split alike.
    fn split(buf: &[u8]) -> Option<FirstLine> {
        let got = first_line(buf);
        let mut lines = Lines::new(buf);
        let want = lines.next().map(|(_, l)| (l.len(), lines.tail_offset()));
        assert_eq!(got.map(|f| (f.len, f.next)), want, "{buf:?}");
        got
    }

    #[test]
    fn recorder_lines_are_shaped() {
        for (rest, end) in [
            (
                r#","t":0.004157,"ch":"o","d":"\nThe programs\u001b[0m"}"#,
                "\n",
            ),
            (r#","t":12,"ch":"i","d":""}"#, "\r\n"),
            (r#","t":1e-3,"ch":"r","d":"80x24"}"#, "\r"),
            (r#","t":1.5,"ch":"o","d":"say \"hi\" \\"}"#, "\n"),
            (r#","t":1.5,"ch":"o","d":"uid"}"#, "\n"),
        ] {
            let text = line(rest) + end + "next";
            let first = split(text.as_bytes()).expect("a line");
            assert!(first.shaped, "{text}");
            let rec = parse_record(&text.as_bytes()[..first.len]).expect("valid");
            assert_eq!(rec.sid(), Sid::Str(Text::Bytes(SID.as_bytes().to_vec())));
        }
    }

    #[test]
    fn other_lines_are_not_shaped() {
        for rest in [
            // A second sid key after the text.
            r#","t":1,"ch":"o","d":"x","sid":"b"}"#,
            r#","t":1,"ch":"o","d":"x\\","sid":"b"}"#,
            // Keys in another order or another spacing.
            r#","ch":"o","t":1,"d":"x"}"#,
            r#", "t":1,"ch":"o","d":"x"}"#,
            r#","t":"1","ch":"o","d":"x"}"#,
            r#","t":,"ch":"o","d":"x"}"#,
            r#","t":1,"ch":"o\"","d":"x"}"#,
            // The header, and text that does not close before the break.
            r#","hdr":{"version":2}}"#,
            r#","t":1,"ch":"o","d":"x"} "#,
            r#","t":1,"ch":"o","d":"x"#,
        ] {
            let text = line(rest) + "\n";
            let first = split(text.as_bytes()).expect("a line");
            assert!(!first.shaped, "{text}");
        }
        let broken = "{\"sid\":\"0123abcd-4567-89ef-0123-456789ab\tdef\",\"t\":1,\"ch\":\"o\",\"d\":\"x\"}\n";
        assert!(!split(broken.as_bytes()).expect("a line").shaped);
    }

    #[test]
    fn breaks_anywhere_end_the_line_where_lines_does() {
        let whole = line(r#","t":1.5,"ch":"o","d":"ab\"c"}"#) + "\r\n";
        // A break put at every place, and every cut of the buffer.
        for at in 0..whole.len() {
            for brk in [b'\n', b'\r'] {
                let mut bytes = whole.clone().into_bytes();
                bytes.insert(at, brk);
                split(&bytes);
                for cut in 0..bytes.len() {
                    split(&bytes[..cut]);
                    split(&bytes[cut..]);
                }
            }
        }
    }

    #[test]
    fn incomplete_lines_have_no_end() {
        let text = line(r#","t":1,"ch":"o","d":"x"}"#);
        assert_eq!(split(text.as_bytes()), None);
        assert_eq!(split(&text.as_bytes()[..text.len() - 2]), None);
    }

    #[test]
    fn sid_checks() {
        let text = line(r#","t":1.5,"ch":"o","d":"a\"b"}"#);
        assert_eq!(leading_sid(text.as_bytes()), Some(SID.as_bytes()));
        assert!(no_later_sid(text.as_bytes()));
        for rest in [
            r#","sid":"x""#,
            r#","\u0073id":"x""#,
            r#","s\u0069d":"x""#,
            r#","si\u0064":"x""#,
        ] {
            assert!(!no_later_sid(line(rest).as_bytes()), "{rest}");
        }
        assert!(!sid_chars_ok(b"0123ABCD-4567-89ef-0123-456789abcdef"));
        assert!(!sid_chars_ok(b"0123abcd-4567-89ef-0123-456789abcde\n"));
        assert!(sid_chars_ok(SID.as_bytes()));
    }
}
