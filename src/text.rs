//! Event payloads as Python sees them, kept as the shard's own bytes.
//!
//! DECNET reads shards as UTF-8 with `surrogateescape`, so every byte that is
//! not part of a valid UTF-8 sequence becomes one code point `U+DC80 + byte`.
//! The reference's lengths, walks and comparisons are all over those code
//! points. [`Text`] stores the raw bytes (JSON escapes already decoded) and
//! [`Text::units`] walks them in exactly that code-point model, so nothing is
//! ever replaced or lost, yet every count matches Python's.
//!
//! One input cannot be stored as bytes: a JSON `\uXXXX` escape naming a lone
//! surrogate outside `U+DC80..=U+DCFF` (the range a raw byte maps to). Such a
//! payload is kept as code points ([`Text::Wide`]); it is rare and only
//! hostile writers produce it.

/// One Python code point. A raw undecodable byte `b` is `0xDC00 + b`, as
/// `surrogateescape` makes it.
pub type Unit = u32;

/// First code point of the `surrogateescape` range.
const ESCAPE_BASE: u32 = 0xDC00;

/// An event payload: raw bytes, or code points when bytes cannot carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    /// The payload's bytes; decoded with the `surrogateescape` rule.
    Bytes(Vec<u8>),

    /// Python code points, used only when the payload holds a lone surrogate
    /// that no byte maps to.
    Wide(Vec<Unit>),
}

impl Default for Text {
    fn default() -> Self {
        Text::Bytes(Vec::new())
    }
}

impl Text {
    /// Builds a payload from Python code points, choosing bytes when they can
    /// carry every unit.
    ///
    /// Bytes carry the units only when decoding them gives the units back:
    /// escapes such as `\udcc3\udca9` are two code points in Python, but
    /// their bytes `C3 A9` would decode as one ("é").
    pub fn from_units(units: &[Unit]) -> Text {
        if units.iter().any(|&u| needs_wide(u)) {
            return Text::Wide(units.to_vec());
        }
        let bytes = Text::Bytes(units_to_bytes(units));
        if bytes.units().eq(units.iter().copied()) {
            bytes
        } else {
            Text::Wide(units.to_vec())
        }
    }

    /// Walks the payload as Python code points.
    pub fn units(&self) -> Units<'_> {
        match self {
            Text::Bytes(bytes) => Units::Bytes(bytes),
            Text::Wide(units) => Units::Wide(units.iter()),
        }
    }

    /// `len(data)` in Python: the number of code points.
    pub fn py_len(&self) -> usize {
        match self {
            Text::Bytes(bytes) if bytes.is_ascii() => bytes.len(),
            // Each character of a valid run is one code point and each byte
            // of an invalid run one escape: std splits the runs as
            // `decode_one` walks them (greedy, maximal invalid subparts).
            Text::Bytes(bytes) => bytes
                .utf8_chunks()
                .map(|chunk| chunk.valid().chars().count() + chunk.invalid().len())
                .sum(),
            Text::Wide(units) => units.len(),
        }
    }

    /// True when the payload is empty.
    pub fn is_empty(&self) -> bool {
        match self {
            Text::Bytes(bytes) => bytes.is_empty(),
            Text::Wide(units) => units.is_empty(),
        }
    }

    /// The payload's bytes: the shard's own bytes for [`Text::Bytes`]; for
    /// [`Text::Wide`], `surrogateescape` bytes with any other lone surrogate
    /// written as its three-byte (`surrogatepass`) form.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Text::Bytes(bytes) => bytes.clone(),
            Text::Wide(units) => units_to_bytes(units),
        }
    }
}

/// True for a code point that a single raw byte cannot stand for.
fn needs_wide(u: Unit) -> bool {
    (0xD800..=0xDFFF).contains(&u) && !(0xDC80..=0xDCFF).contains(&u)
}

/// Encodes code points as bytes: UTF-8, raw bytes for the escape range, and
/// the three-byte form for other surrogates (never produced from a shard's
/// raw bytes, only from `\u` escapes).
pub fn units_to_bytes(units: &[Unit]) -> Vec<u8> {
    let mut out = Vec::with_capacity(units.len());
    for &u in units {
        push_unit_bytes(&mut out, u);
    }
    out
}

fn push_unit_bytes(out: &mut Vec<u8>, u: Unit) {
    if (0xDC80..=0xDCFF).contains(&u) {
        out.push((u - ESCAPE_BASE) as u8);
    } else if let Some(c) = char::from_u32(u) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    } else {
        // A surrogate: the generalised UTF-8 form, as `surrogatepass` writes it.
        out.push(0xE0 | (u >> 12) as u8);
        out.push(0x80 | ((u >> 6) & 0x3F) as u8);
        out.push(0x80 | (u & 0x3F) as u8);
    }
}

/// Iterator over a payload's Python code points.
#[derive(Clone, Debug)]
pub enum Units<'a> {
    /// Decoding raw bytes; the slice is what is left to decode.
    Bytes(&'a [u8]),

    /// Already code points.
    Wide(std::slice::Iter<'a, Unit>),
}

impl Iterator for Units<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        match self {
            Units::Wide(it) => it.next().copied(),
            Units::Bytes(rest) => {
                let (unit, used) = decode_one(rest)?;
                *rest = rest.get(used..).unwrap_or_default();
                Some(unit)
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Units::Wide(it) => it.size_hint(),
            Units::Bytes(rest) => (rest.len().div_ceil(4), Some(rest.len())),
        }
    }
}

/// Decodes the first code point of `bytes` the way CPython's UTF-8 decoder
/// with `surrogateescape` does: a valid sequence gives its scalar value, and
/// the first byte of anything else becomes `U+DC80 + byte` on its own (the
/// decoder then resumes at the next byte, which matches CPython's
/// maximal-subpart error ranges since each byte of a range is escaped alone).
pub fn decode_one(bytes: &[u8]) -> Option<(Unit, usize)> {
    let &b0 = bytes.first()?;
    if b0 < 0x80 {
        return Some((u32::from(b0), 1));
    }
    let width = match b0 {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return Some((ESCAPE_BASE + u32::from(b0), 1)),
    };
    if let Some(seq) = bytes.get(..width)
        && let Ok(s) = std::str::from_utf8(seq)
        && let Some(c) = s.chars().next()
    {
        return Some((c as u32, width));
    }
    Some((ESCAPE_BASE + u32::from(b0), 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(bytes: &[u8]) -> Vec<Unit> {
        Text::Bytes(bytes.to_vec()).units().collect()
    }

    #[test]
    fn ascii_and_multibyte_decode_to_scalars() {
        assert_eq!(units("a€".as_bytes()), vec![0x61, 0x20AC]);
    }

    #[test]
    fn py_len_counts_code_points_as_surrogateescape_decodes() {
        // python3 -c "print(len(B.decode('utf-8', 'surrogateescape')))" for
        // each B below.
        let cases: [(&[u8], usize); 10] = [
            (b"abc", 3),
            ("a\u{20ac}".as_bytes(), 2),
            (b"\xe2\x82", 2),
            (b"\xe2\x82A", 3),
            (b"\xed\xa0\x80", 3),
            (b"\xf0\x9f\x98\x80x", 2),
            (b"\xc0\xaf", 2),
            (b"\xf4\x90\x80\x80", 4),
            (b"\xff\xfe\xc3\xa9\xc3", 4),
            (b"", 0),
        ];
        for (bytes, want) in cases {
            let text = Text::Bytes(bytes.to_vec());
            assert_eq!(text.py_len(), want, "{bytes:?}");
            assert_eq!(text.units().count(), want, "{bytes:?}");
        }
    }

    #[test]
    fn invalid_bytes_become_escape_surrogates() {
        // Latin-1 "é" alone is 0xE9: one unit, U+DCE9, as in Python.
        assert_eq!(units(b"\xe9x"), vec![0xDCE9, 0x78]);
    }

    #[test]
    fn split_utf8_character_is_one_unit_per_byte() {
        // "€" is E2 82 AC; cut after two bytes, Python gives two surrogates.
        assert_eq!(units(b"\xe2\x82"), vec![0xDCE2, 0xDC82]);
        assert_eq!(units(b"\xac"), vec![0xDCAC]);
    }

    #[test]
    fn encoded_surrogates_are_not_decoded() {
        // CPython refuses ED A0 80 (an encoded U+D800): three escapes.
        assert_eq!(units(b"\xed\xa0\x80"), vec![0xDCED, 0xDCA0, 0xDC80]);
    }

    #[test]
    fn from_units_keeps_bytes_when_it_can() {
        let t = Text::from_units(&[0x61, 0xDCE9]);
        assert_eq!(t, Text::Bytes(b"a\xe9".to_vec()));
        // Two escapes that spell UTF-8 must stay two code points.
        assert_eq!(
            Text::from_units(&[0xDCC3, 0xDCA9]),
            Text::Wide(vec![0xDCC3, 0xDCA9])
        );
        let w = Text::from_units(&[0xD800]);
        assert_eq!(w, Text::Wide(vec![0xD800]));
        assert_eq!(w.to_bytes(), b"\xed\xa0\x80".to_vec());
        assert_eq!(w.py_len(), 1);
    }
}
