//! One shard line to a record, with Python's `json` rules.
//!
//! The reference parses each line with `json.loads` (the C scanner, strict
//! mode) and then picks `sid`, `hdr`, `t`, `ch` and `d` out of the resulting
//! dict. This module reproduces that outcome without building the dict: it
//! validates the whole line, remembers where the last occurrence of each
//! interesting top-level key's value sits (duplicate keys: last wins), and
//! decodes only the values a caller asks for.
//!
//! Nested values are validated with an explicit stack, so any depth is
//! accepted and the call stack never grows with the input (the reference
//! raises `RecursionError` there and loses the whole shard).

use crate::event::{Channel, Event};
use crate::text::{Text, Unit, decode_one};
use memchr::{memchr, memchr2};

/// Why a line yields no event. One variant per rule, so callers can log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// The line is not valid JSON under Python's strict rules.
    NotJson,

    /// Valid JSON, but not an object.
    NotObject,

    /// The object's `sid` is not the one asked for (or not a string).
    SidMismatch,

    /// The object has an `hdr` key (whatever its value).
    Header,

    /// No `t` key.
    MissingT,

    /// No `ch` key.
    MissingCh,

    /// `ch` is not exactly `"i"` or `"o"`.
    BadCh,

    /// `t` is not a number (or a bool).
    TNotNumber,

    /// `t` is NaN or infinite (a literal, or a float that overflowed). The
    /// reference keeps such lines and computes NaN statistics; we skip them.
    TNotFinite,

    /// `t` is an integer too large for a float; the reference raises
    /// `OverflowError` and loses the session.
    TTooLarge,

    /// `d` is present and not a string.
    DNotString,

    /// The line is longer than the reader's limit; it was never held.
    Oversize,

    /// An unterminated final line that is not (yet) a complete JSON object.
    TornTail,
}

impl SkipReason {
    /// A short lower-case name for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::NotJson => "not json",
            SkipReason::NotObject => "not an object",
            SkipReason::SidMismatch => "sid mismatch",
            SkipReason::Header => "header line",
            SkipReason::MissingT => "missing t",
            SkipReason::MissingCh => "missing ch",
            SkipReason::BadCh => "ch not i/o",
            SkipReason::TNotNumber => "t not a number",
            SkipReason::TNotFinite => "t not finite",
            SkipReason::TTooLarge => "t too large for a float",
            SkipReason::DNotString => "d not a string",
            SkipReason::Oversize => "line too long",
            SkipReason::TornTail => "torn tail",
        }
    }
}

impl std::fmt::Display for SkipReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// CPython's default `sys.int_info.default_max_str_digits`: `json.loads`
/// raises `ValueError` on an integer literal with more digits than this.
const MAX_INT_DIGITS: usize = 4300;

/// A JSON value, as far as the record needs to know it. Spans index the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// A string; `start..end` is the body between the quotes.
    Str {
        start: usize,
        end: usize,
        escaped: bool,
    },

    /// A number without fraction or exponent (a Python `int`).
    Int {
        start: usize,
        end: usize,
    },

    /// A number with a fraction or exponent (a Python `float`).
    Float {
        start: usize,
        end: usize,
    },

    True,
    False,
    Null,
    NaN,
    Infinity,
    NegInfinity,

    /// An array or object; `start..end` spans it, brackets included.
    Container {
        start: usize,
        end: usize,
    },
}

/// The `sid` of a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sid {
    /// No `sid` key.
    Missing,

    /// A `sid` that is not a string: it never matches.
    NotString,

    /// A string sid, in its canonical [`Text`] form (see [`canonical_text`]).
    Str(Text),
}

/// A validated line: a JSON object with its interesting keys located.
#[derive(Clone, Debug)]
pub struct Record<'a> {
    line: &'a [u8],

    /// Positions of raw lone surrogates that were written as `\u` escapes
    /// when a Python `str` was turned into bytes: they must never pair up.
    synthetic: &'a [usize],

    sid: Option<Value>,
    hdr: Option<Value>,
    t: Option<Value>,
    ch: Option<Value>,
    d: Option<Value>,
}

/// Parses one line (terminator excluded) as the reference's first
/// `json.loads` would: only space, tab, LF and CR may surround the value.
///
/// # Errors
///
/// [`SkipReason::NotJson`] or [`SkipReason::NotObject`].
pub fn parse_record(line: &[u8]) -> Result<Record<'_>, SkipReason> {
    parse_record_with(line, &[])
}

fn parse_record_with<'a>(line: &'a [u8], synthetic: &'a [usize]) -> Result<Record<'a>, SkipReason> {
    let mut p = Parser { b: line, pos: 0 };
    p.ws();
    let mut rec = Record {
        line,
        synthetic,
        sid: None,
        hdr: None,
        t: None,
        ch: None,
        d: None,
    };
    if p.peek() != Some(b'{') {
        // Tell "valid but not an object" from garbage, for the log only.
        p.value().map_err(|()| SkipReason::NotJson)?;
        p.ws();
        return Err(if p.at_end() {
            SkipReason::NotObject
        } else {
            SkipReason::NotJson
        });
    }
    p.pos += 1;
    p.top_object(&mut rec).map_err(|()| SkipReason::NotJson)?;
    p.ws();
    if !p.at_end() {
        return Err(SkipReason::NotJson);
    }
    Ok(rec)
}

impl Record<'_> {
    /// The record's sid.
    pub fn sid(&self) -> Sid {
        match self.sid {
            None => Sid::Missing,
            Some(Value::Str {
                start,
                end,
                escaped,
            }) => Sid::Str(self.text(start, end, escaped)),
            Some(_) => Sid::NotString,
        }
    }

    /// True when the sid is a string equal to `want` (a canonical [`Text`]).
    pub fn sid_is(&self, want: &Text) -> bool {
        match self.sid {
            Some(Value::Str {
                start,
                end,
                escaped: false,
            }) => {
                matches!(want, Text::Bytes(b) if Some(b.as_slice()) == self.line.get(start..end))
            }
            Some(Value::Str {
                start,
                end,
                escaped: true,
            }) => self.text(start, end, true) == *want,
            _ => false,
        }
    }

    /// The raw bytes of an unescaped string sid, without decoding: the
    /// index's cheap path.
    pub(crate) fn sid_raw(&self) -> Option<&[u8]> {
        match self.sid {
            Some(Value::Str {
                start,
                end,
                escaped: false,
            }) => self.line.get(start..end),
            _ => None,
        }
    }

    /// True when the object has an `hdr` key.
    pub fn has_hdr(&self) -> bool {
        self.hdr.is_some()
    }

    /// The raw JSON text of the `hdr` value, for header accessors.
    pub fn hdr_json(&self) -> Option<&[u8]> {
        let (start, end) = match self.hdr? {
            Value::Str { start, end, .. } => (start.saturating_sub(1), end.saturating_add(1)),
            Value::Int { start, end }
            | Value::Float { start, end }
            | Value::Container { start, end } => (start, end),
            _ => return None,
        };
        self.line.get(start..end)
    }

    /// `t` and `ch` of an event, checking every rule but leaving `d`
    /// undecoded (it is only checked to be a string).
    ///
    /// # Errors
    ///
    /// The first rule the record breaks, in the reference's order.
    pub fn event_head(&self) -> Result<(f64, Channel), SkipReason> {
        if self.hdr.is_some() {
            return Err(SkipReason::Header);
        }
        let t = self.t.ok_or(SkipReason::MissingT)?;
        let ch = self.ch.ok_or(SkipReason::MissingCh)?;
        let t = self.number(t)?;
        let channel = match ch {
            Value::Str {
                start,
                end,
                escaped,
            } => match self.text(start, end, escaped) {
                Text::Bytes(b) if b == b"i" => Channel::Input,
                Text::Bytes(b) if b == b"o" => Channel::Output,
                _ => return Err(SkipReason::BadCh),
            },
            _ => return Err(SkipReason::BadCh),
        };
        if !matches!(self.d, None | Some(Value::Str { .. })) {
            return Err(SkipReason::DNotString);
        }
        // Checked last: the reference would only fail here, in `float(t)`.
        if t.is_infinite() && matches!(self.t, Some(Value::Int { .. })) {
            return Err(SkipReason::TTooLarge);
        }
        if !t.is_finite() {
            return Err(SkipReason::TNotFinite);
        }
        Ok((t, channel))
    }

    /// The record as an event.
    ///
    /// # Errors
    ///
    /// As [`Record::event_head`].
    pub fn event(&self) -> Result<Event, SkipReason> {
        let (t, channel) = self.event_head()?;
        let data = match self.d {
            Some(Value::Str {
                start,
                end,
                escaped,
            }) => self.text(start, end, escaped),
            _ => Text::default(),
        };
        Ok(Event { t, channel, data })
    }

    /// `t` as `float(t)` gives it (infinite when an int overflows).
    fn number(&self, v: Value) -> Result<f64, SkipReason> {
        match v {
            Value::True => Ok(1.0),
            Value::False => Ok(0.0),
            Value::NaN => Ok(f64::NAN),
            Value::Infinity => Ok(f64::INFINITY),
            Value::NegInfinity => Ok(f64::NEG_INFINITY),
            // Both parses are correctly rounded, as CPython's are. An int
            // `-0` is the integer 0, hence +0.0: adding 0.0 maps -0.0 there.
            Value::Int { start, end } => Ok(parse_f64(self.line.get(start..end)) + 0.0),
            Value::Float { start, end } => Ok(parse_f64(self.line.get(start..end))),
            _ => Err(SkipReason::TNotNumber),
        }
    }

    fn text(&self, start: usize, end: usize, escaped: bool) -> Text {
        let body = self.line.get(start..end).unwrap_or_default();
        if escaped {
            decode_escaped(body, start, self.synthetic)
        } else {
            Text::Bytes(body.to_vec())
        }
    }
}

/// A validated number token to f64. The grammar was checked, so the parse
/// cannot fail; NaN stands in if it ever did, and is then refused.
fn parse_f64(token: Option<&[u8]>) -> f64 {
    token
        .and_then(|t| std::str::from_utf8(t).ok())
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(f64::NAN)
}

/// A line decoded for callers that want owned values.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedLine {
    /// The line's sid.
    pub sid: Sid,

    /// Whether an `hdr` key is present.
    pub has_hdr: bool,

    /// The event, or why there is none.
    pub event: Result<Event, SkipReason>,
}

/// Decodes one line (terminator excluded).
///
/// # Errors
///
/// [`SkipReason::NotJson`] or [`SkipReason::NotObject`]; the other rules
/// are reported in [`DecodedLine::event`].
pub fn decode_line(line: &[u8]) -> Result<DecodedLine, SkipReason> {
    let rec = parse_record(line)?;
    Ok(DecodedLine {
        sid: rec.sid(),
        has_hdr: rec.has_hdr(),
        event: rec.event(),
    })
}

/// The reference's `parse_shard_line` on a Python `str` given as code
/// points: `str.strip()`, then strict JSON, then the event rules.
///
/// # Errors
///
/// The rule the line breaks.
pub fn parse_shard_line(units: &[Unit]) -> Result<Event, SkipReason> {
    let start = units
        .iter()
        .position(|&u| !crate::pychar::is_space(u))
        .unwrap_or(units.len());
    let end = units
        .iter()
        .rposition(|&u| !crate::pychar::is_space(u))
        .map_or(start, |i| i + 1);
    let units = units.get(start..end).unwrap_or_default();
    let (bytes, synthetic) = units_to_json_bytes(units);
    let rec = parse_record_with(&bytes, &synthetic)?;
    rec.event()
}

/// [`parse_shard_line`] for raw shard bytes (decoded with
/// `surrogateescape`, as the reference's reader does).
///
/// # Errors
///
/// The rule the line breaks.
pub fn parse_shard_line_bytes(line: &[u8]) -> Result<Event, SkipReason> {
    let units: Vec<Unit> = Text::Bytes(line.to_vec()).units().collect();
    parse_shard_line(&units)
}

/// Bytes the decoder can read for a Python `str`. Every lone surrogate is
/// written as a `\u` escape whose position is remembered: inside a string
/// it decodes to the same code point, it must never pair with a
/// neighbouring escape (a raw surrogate does not pair in Python), and
/// outside a string it is invalid either way. Escape-range surrogates too:
/// as raw bytes, `\udcc3\udca9` would read back as the one code point `é`.
fn units_to_json_bytes(units: &[Unit]) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::with_capacity(units.len());
    let mut synthetic = Vec::new();
    for &u in units {
        if (0xD800..=0xDFFF).contains(&u) {
            synthetic.push(out.len());
            out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
        } else {
            out.extend_from_slice(&crate::text::units_to_bytes(&[u]));
        }
    }
    (out, synthetic)
}

/// The canonical [`Text`] for code points: bytes when decoding those bytes
/// with `surrogateescape` gives the same code points back, else the code
/// points. Two canonical texts are equal exactly when their code points
/// are. (Escape-range surrogates next to each other can spell valid UTF-8,
/// e.g. `\udcc3\udca9`, which as bytes would read back as `é`.)
pub fn canonical_text(units: &[Unit]) -> Text {
    match Text::from_units(units) {
        Text::Bytes(b) => {
            let round_trips = Text::Bytes(b).units().eq(units.iter().copied());
            if round_trips {
                Text::from_units(units)
            } else {
                Text::Wide(units.to_vec())
            }
        }
        wide @ Text::Wide(_) => wide,
    }
}

/// Decodes a validated string body that holds escapes. `base` is the
/// body's offset in the line, to look up synthetic escapes.
fn decode_escaped(body: &[u8], base: usize, synthetic: &[usize]) -> Text {
    match decode_escaped_bytes(body, base, synthetic) {
        Some(bytes) => Text::Bytes(bytes),
        None => canonical_text(&decode_escaped_units(body, base, synthetic)),
    }
}

/// The fast decode: straight to bytes. `None` when an escape names a
/// surrogate that stays lone; the caller then goes through code points.
fn decode_escaped_bytes(body: &[u8], base: usize, synthetic: &[usize]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(rest) = body.get(i..) {
        let Some(k) = memchr(b'\\', rest) else {
            out.extend_from_slice(rest);
            break;
        };
        out.extend_from_slice(rest.get(..k).unwrap_or_default());
        i += k;
        let (unit, used) = escape_at(body, i, base, synthetic)?;
        i += used;
        let c = char::from_u32(unit)?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }
    Some(out)
}

/// The general decode, to code points.
fn decode_escaped_units(body: &[u8], base: usize, synthetic: &[usize]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(body.len());
    let mut i = 0;
    while let Some(rest) = body.get(i..) {
        let Some(&b) = rest.first() else { break };
        if b == b'\\' {
            let Some((unit, used)) = escape_at(body, i, base, synthetic) else {
                break;
            };
            out.push(unit);
            i += used;
        } else {
            let Some((unit, used)) = decode_one(rest) else {
                break;
            };
            out.push(unit);
            i += used;
        }
    }
    out
}

/// The code point of the escape at `body[i]` (a backslash) and its length,
/// pairing a high-surrogate escape with an immediately following
/// low-surrogate escape as Python does.
fn escape_at(body: &[u8], i: usize, base: usize, synthetic: &[usize]) -> Option<(Unit, usize)> {
    let unit = match *body.get(i + 1)? {
        b'"' => 0x22,
        b'\\' => 0x5C,
        b'/' => 0x2F,
        b'b' => 0x08,
        b'f' => 0x0C,
        b'n' => 0x0A,
        b'r' => 0x0D,
        b't' => 0x09,
        b'u' => {
            let hi = hex4(body.get(i + 2..i + 6)?)?;
            let is_synthetic = |at: usize| synthetic.binary_search(&(base + at)).is_ok();
            if (0xD800..0xDC00).contains(&hi)
                && !is_synthetic(i)
                && body.get(i + 6..i + 8) == Some(b"\\u")
                && !is_synthetic(i + 6)
                && let Some(lo) = body.get(i + 8..i + 12).and_then(hex4)
                && (0xDC00..0xE000).contains(&lo)
            {
                return Some((0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), 12));
            }
            return Some((hi, 6));
        }
        _ => return None,
    };
    Some((unit, 2))
}

fn hex4(digits: &[u8]) -> Option<Unit> {
    if digits.len() != 4 {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |acc, &d| Some(acc << 4 | char::from(d).to_digit(16)?))
}

/// True when a byte run holds a control character, which strict JSON
/// refuses inside strings. Written as a fold so it vectorises.
fn has_control(run: &[u8]) -> bool {
    run.iter().fold(false, |acc, &b| acc | (b < 0x20))
}

/// The interesting top-level keys.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Sid,
    Hdr,
    T,
    Ch,
    D,
    Other,
}

fn key_of(name: &[u8]) -> Key {
    match name {
        b"sid" => Key::Sid,
        b"hdr" => Key::Hdr,
        b"t" => Key::T,
        b"ch" => Key::Ch,
        b"d" => Key::D,
        _ => Key::Other,
    }
}

/// A strict JSON validator over one line. Every method returns `Err(())`
/// on invalid input; the caller turns that into [`SkipReason::NotJson`].
struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), ()> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(())
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ()> {
        if self.b.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(())
        }
    }

    /// The top-level object's members; the opening brace is consumed.
    fn top_object(&mut self, rec: &mut Record<'_>) -> Result<(), ()> {
        self.ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let key = self.key()?;
            self.ws();
            self.expect(b':')?;
            self.ws();
            let value = self.value()?;
            match key {
                Key::Sid => rec.sid = Some(value),
                Key::Hdr => rec.hdr = Some(value),
                Key::T => rec.t = Some(value),
                Key::Ch => rec.ch = Some(value),
                Key::D => rec.d = Some(value),
                Key::Other => {}
            }
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(()),
            }
        }
    }

    /// A member name, compared after unescaping.
    fn key(&mut self) -> Result<Key, ()> {
        let Value::Str {
            start,
            end,
            escaped,
        } = self.string()?
        else {
            return Err(());
        };
        let body = self.b.get(start..end).unwrap_or_default();
        if !escaped {
            return Ok(key_of(body));
        }
        // Long keys cannot be ours; skip decoding them.
        if body.len() > 18 {
            return Ok(Key::Other);
        }
        Ok(match decode_escaped(body, start, &[]) {
            Text::Bytes(name) => key_of(&name),
            Text::Wide(_) => Key::Other,
        })
    }

    /// A string; the cursor is on the opening quote.
    fn string(&mut self) -> Result<Value, ()> {
        self.expect(b'"')?;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let rest = self.b.get(self.pos..).ok_or(())?;
            let k = memchr2(b'"', b'\\', rest).ok_or(())?;
            if has_control(rest.get(..k).unwrap_or_default()) {
                return Err(());
            }
            self.pos += k;
            if self.peek() == Some(b'"') {
                let end = self.pos;
                self.pos += 1;
                return Ok(Value::Str {
                    start,
                    end,
                    escaped,
                });
            }
            escaped = true;
            match self.b.get(self.pos + 1).copied().ok_or(())? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.pos += 2,
                b'u' => {
                    let digits = self.b.get(self.pos + 2..self.pos + 6).ok_or(())?;
                    if !digits.iter().all(u8::is_ascii_hexdigit) {
                        return Err(());
                    }
                    self.pos += 6;
                }
                _ => return Err(()),
            }
        }
    }

    /// A number, or `-Infinity`; the cursor is on `-` or a digit.
    fn number(&mut self) -> Result<Value, ()> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
            if self.peek() == Some(b'I') {
                self.literal(b"Infinity")?;
                return Ok(Value::NegInfinity);
            }
        }
        let digits_start = self.pos;
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(()),
        }
        let int_digits = self.pos - digits_start;
        let mut is_float = false;
        if self.peek() == Some(b'.') && self.b.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
            self.digits();
            is_float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            let mark = self.pos;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.peek().is_some_and(|b| b.is_ascii_digit()) {
                self.digits();
                is_float = true;
            } else {
                // Python backtracks; the stray `e` then fails as extra data.
                self.pos = mark;
            }
        }
        let end = self.pos;
        if is_float {
            Ok(Value::Float { start, end })
        } else if int_digits > MAX_INT_DIGITS {
            Err(())
        } else {
            Ok(Value::Int { start, end })
        }
    }

    fn digits(&mut self) {
        let rest = self.b.get(self.pos..).unwrap_or_default();
        self.pos += rest.iter().take_while(|b| b.is_ascii_digit()).count();
    }

    /// A scalar, or the start of a container (the cursor is left after the
    /// opening bracket and `None` is returned with the container's kind).
    fn scalar_or_open(&mut self) -> Result<Result<Value, bool>, ()> {
        Ok(Ok(match self.peek().ok_or(())? {
            b'"' => return self.string().map(Ok),
            b'-' | b'0'..=b'9' => return self.number().map(Ok),
            b't' => {
                self.literal(b"true")?;
                Value::True
            }
            b'f' => {
                self.literal(b"false")?;
                Value::False
            }
            b'n' => {
                self.literal(b"null")?;
                Value::Null
            }
            b'N' => {
                self.literal(b"NaN")?;
                Value::NaN
            }
            b'I' => {
                self.literal(b"Infinity")?;
                Value::Infinity
            }
            b'{' => {
                self.pos += 1;
                return Ok(Err(true));
            }
            b'[' => {
                self.pos += 1;
                return Ok(Err(false));
            }
            _ => return Err(()),
        }))
    }

    /// Any value; the cursor is on its first byte. Containers are walked
    /// with an explicit stack (`true` = object), never by recursion.
    fn value(&mut self) -> Result<Value, ()> {
        let start = self.pos;
        let mut stack: Vec<bool> = Vec::new();
        let mut opened = match self.scalar_or_open()? {
            Ok(v) => return Ok(v),
            Err(is_object) => is_object,
        };
        loop {
            // Just after an opening bracket: an empty container, or the
            // first member.
            self.ws();
            let close = if opened { b'}' } else { b']' };
            if self.peek() == Some(close) {
                self.pos += 1;
            } else {
                stack.push(opened);
                if opened {
                    self.member_name()?;
                }
                self.ws();
                match self.scalar_or_open()? {
                    Ok(_) => {}
                    Err(is_object) => {
                        opened = is_object;
                        continue;
                    }
                }
            }
            // After a complete value: close containers or move to the next
            // element until a new container opens or the outermost closes.
            loop {
                let Some(&in_object) = stack.last() else {
                    return Ok(Value::Container {
                        start,
                        end: self.pos,
                    });
                };
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.ws();
                        if in_object {
                            self.member_name()?;
                            self.ws();
                        }
                        if let Err(is_object) = self.scalar_or_open()? {
                            opened = is_object;
                            break;
                        }
                    }
                    Some(b'}') if in_object => {
                        self.pos += 1;
                        stack.pop();
                    }
                    Some(b']') if !in_object => {
                        self.pos += 1;
                        stack.pop();
                    }
                    _ => return Err(()),
                }
            }
        }
    }

    /// `"name" :` inside a nested object, leaving the cursor on the value.
    fn member_name(&mut self) -> Result<(), ()> {
        self.string()?;
        self.ws();
        self.expect(b':')?;
        self.ws();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(line: &str) -> Result<Event, SkipReason> {
        parse_record(line.as_bytes())?.event()
    }

    fn ev_bytes(line: &[u8]) -> Result<Event, SkipReason> {
        parse_record(line)?.event()
    }

    fn data(line: &[u8]) -> Text {
        match ev_bytes(line) {
            Ok(e) => e.data,
            Err(r) => panic!("skipped: {r}"),
        }
    }

    #[test]
    fn plain_event() {
        let e = ev(r#"{"sid":"a","t":1.5,"ch":"o","d":"x\r\n"}"#);
        assert_eq!(
            e,
            Ok(Event {
                t: 1.5,
                channel: Channel::Output,
                data: Text::Bytes(b"x\r\n".to_vec())
            })
        );
    }

    #[test]
    fn each_skip_rule() {
        assert_eq!(ev("{"), Err(SkipReason::NotJson));
        assert_eq!(ev("[1]"), Err(SkipReason::NotObject));
        assert_eq!(ev(r#""x""#), Err(SkipReason::NotObject));
        assert_eq!(
            ev(r#"{"hdr":null,"t":1,"ch":"i"}"#),
            Err(SkipReason::Header)
        );
        assert_eq!(ev(r#"{"ch":"i"}"#), Err(SkipReason::MissingT));
        assert_eq!(ev(r#"{"t":1}"#), Err(SkipReason::MissingCh));
        assert_eq!(ev(r#"{"t":1,"ch":"x"}"#), Err(SkipReason::BadCh));
        assert_eq!(ev(r#"{"t":1,"ch":1}"#), Err(SkipReason::BadCh));
        assert_eq!(ev(r#"{"t":"1","ch":"i"}"#), Err(SkipReason::TNotNumber));
        assert_eq!(ev(r#"{"t":null,"ch":"i"}"#), Err(SkipReason::TNotNumber));
        assert_eq!(ev(r#"{"t":NaN,"ch":"i"}"#), Err(SkipReason::TNotFinite));
        assert_eq!(
            ev(r#"{"t":-Infinity,"ch":"i"}"#),
            Err(SkipReason::TNotFinite)
        );
        assert_eq!(ev(r#"{"t":1e400,"ch":"i"}"#), Err(SkipReason::TNotFinite));
        let huge = format!(r#"{{"t":1{},"ch":"i"}}"#, "0".repeat(400));
        assert_eq!(ev(&huge), Err(SkipReason::TTooLarge));
        assert_eq!(ev(r#"{"t":1,"ch":"i","d":5}"#), Err(SkipReason::DNotString));
        assert_eq!(
            ev(r#"{"t":1,"ch":"i","d":null}"#),
            Err(SkipReason::DNotString)
        );
    }

    #[test]
    fn missing_d_is_empty() {
        let e = ev(r#"{"t":1,"ch":"i"}"#);
        assert_eq!(e.map(|e| e.data), Ok(Text::default()));
    }

    #[test]
    fn bool_t_is_one_or_zero() {
        assert_eq!(ev(r#"{"t":true,"ch":"i"}"#).map(|e| e.t), Ok(1.0));
        assert_eq!(ev(r#"{"t":false,"ch":"i"}"#).map(|e| e.t), Ok(0.0));
    }

    #[test]
    fn int_minus_zero_is_positive_float_minus_zero_is_negative() {
        let int = ev(r#"{"t":-0,"ch":"i"}"#).map(|e| e.t.is_sign_negative());
        let float = ev(r#"{"t":-0.0,"ch":"i"}"#).map(|e| e.t.is_sign_negative());
        assert_eq!(int, Ok(false));
        assert_eq!(float, Ok(true));
    }

    #[test]
    fn int_digit_limit_matches_cpython() {
        let ok = format!(r#"{{"t":1,"ch":"i","x":{}}}"#, "1".repeat(4300));
        let bad = format!(r#"{{"t":1,"ch":"i","x":[{}]}}"#, "1".repeat(4301));
        let float = format!(r#"{{"t":1,"ch":"i","x":{}.0}}"#, "1".repeat(5000));
        assert!(ev(&ok).is_ok());
        assert_eq!(ev(&bad), Err(SkipReason::NotJson));
        assert!(ev(&float).is_ok());
    }

    #[test]
    fn number_grammar() {
        for bad in [
            "01", "1.", ".5", "1e", "+1", "-", "1.e5", "- 1", "0x1", "1e+",
        ] {
            let line = format!(r#"{{"t":{bad},"ch":"i"}}"#);
            assert_eq!(ev(&line), Err(SkipReason::NotJson), "{bad}");
        }
        for (good, want) in [
            ("1E5", 1e5),
            ("-1.5e-3", -1.5e-3),
            ("0.1", 0.1),
            ("12", 12.0),
        ] {
            let line = format!(r#"{{"t":{good},"ch":"i"}}"#);
            assert_eq!(ev(&line).map(|e| e.t), Ok(want), "{good}");
        }
    }

    #[test]
    fn duplicate_keys_last_wins() {
        let rec = parse_record(br#"{"sid":"a","t":1,"ch":"x","sid":"b","ch":"i","t":2}"#);
        let rec = rec.map_err(|r| r.as_str());
        assert_eq!(
            rec.as_ref().map(Record::sid),
            Ok(Sid::Str(Text::Bytes(b"b".to_vec())))
        );
        assert_eq!(
            rec.and_then(|r| r.event().map_err(|r| r.as_str()))
                .map(|e| e.t),
            Ok(2.0)
        );
        assert_eq!(
            ev(r#"{"sid":"a","sid":1,"t":1,"ch":"i"}"#).map(|e| e.t),
            Ok(1.0),
            "sid does not matter to the event"
        );
        let not_str = parse_record(br#"{"sid":"a","sid":1}"#).map(|r| r.sid());
        assert_eq!(not_str, Ok(Sid::NotString));
    }

    #[test]
    fn escaped_keys_match() {
        let rec = parse_record(br#"{"\u0073id":"a","\u0074":1,"c\u0068":"\u0069","\u0064":"z"}"#);
        let rec = rec.map_err(|r| r.as_str());
        assert_eq!(
            rec.as_ref().map(Record::sid),
            Ok(Sid::Str(Text::Bytes(b"a".to_vec())))
        );
        let e = rec.and_then(|r| r.event().map_err(|r| r.as_str()));
        assert_eq!(
            e.map(|e| (e.channel, e.data)),
            Ok((Channel::Input, Text::Bytes(b"z".to_vec())))
        );
        assert_eq!(
            ev(r#"{"h\u0064r":{},"t":1,"ch":"i"}"#),
            Err(SkipReason::Header)
        );
    }

    #[test]
    fn escapes_decode() {
        let d = data(br#"{"t":1,"ch":"o","d":"\"\\\/\b\f\n\r\t\u00e9\u001B"}"#);
        assert_eq!(
            d,
            Text::Bytes("\"\\/\u{8}\u{c}\n\r\té\u{1b}".as_bytes().to_vec())
        );
    }

    #[test]
    fn surrogate_escapes() {
        let pair = data(br#"{"t":1,"ch":"o","d":"\ud83d\ude00"}"#);
        assert_eq!(pair, Text::Bytes("😀".as_bytes().to_vec()));
        let lone = data(br#"{"t":1,"ch":"o","d":"\ud83dx"}"#);
        assert_eq!(lone, Text::Wide(vec![0xD83D, 0x78]));
        let low_first = data(br#"{"t":1,"ch":"o","d":"\ude00\ud83d"}"#);
        assert_eq!(low_first, Text::Wide(vec![0xDE00, 0xD83D]));
        // High escape + escape-range low escape still pair, as in Python.
        let astral = data(br#"{"t":1,"ch":"o","d":"\ud800\udc80"}"#);
        assert_eq!(astral.units().collect::<Vec<_>>(), vec![0x10080]);
    }

    #[test]
    fn escape_range_surrogate_equals_raw_byte() {
        let escaped = data(br#"{"t":1,"ch":"o","d":"\uDCE9"}"#);
        let raw = data(b"{\"t\":1,\"ch\":\"o\",\"d\":\"\xe9\"}");
        assert_eq!(escaped, raw);
        assert_eq!(raw, Text::Bytes(vec![0xE9]));
    }

    #[test]
    fn escape_range_surrogates_that_spell_utf8_stay_code_points() {
        let d = data(br#"{"t":1,"ch":"o","d":"\udcc3\udca9"}"#);
        assert_eq!(d.units().collect::<Vec<_>>(), vec![0xDCC3, 0xDCA9]);
        assert_ne!(d, Text::Bytes("é".as_bytes().to_vec()));
    }

    #[test]
    fn raw_high_bytes_pass_through_including_sid() {
        let line = b"{\"sid\":\"s\xff\xe9\",\"t\":1,\"ch\":\"o\",\"d\":\"\x80\x7f\"}";
        let rec = parse_record(line).map_err(|r| r.as_str());
        assert_eq!(
            rec.as_ref().map(Record::sid),
            Ok(Sid::Str(Text::Bytes(b"s\xff\xe9".to_vec())))
        );
        assert_eq!(data(line), Text::Bytes(b"\x80\x7f".to_vec()));
        let by_escape = canonical_text(&[0x73, 0xDCFF, 0xDCE9]);
        assert!(rec.is_ok_and(|r| r.sid_is(&by_escape)));
    }

    #[test]
    fn control_chars_in_strings_are_invalid() {
        assert_eq!(
            ev("{\"t\":1,\"ch\":\"o\",\"d\":\"a\tb\"}"),
            Err(SkipReason::NotJson)
        );
        assert_eq!(
            ev("{\"t\":1,\"ch\":\"o\",\"d\":\"a\x1fb\"}"),
            Err(SkipReason::NotJson)
        );
        assert_eq!(
            ev("{\"t\":1,\"ch\":\"o\",\"d\":\"a\x00\"}"),
            Err(SkipReason::NotJson)
        );
    }

    #[test]
    fn only_json_whitespace_surrounds() {
        assert!(ev(" \t{\"t\":1,\"ch\":\"o\"}\r\n ").is_ok());
        assert_eq!(
            ev("\u{feff}{\"t\":1,\"ch\":\"o\"}"),
            Err(SkipReason::NotJson)
        );
        assert_eq!(ev("\x0c{\"t\":1,\"ch\":\"o\"}"), Err(SkipReason::NotJson));
        assert_eq!(ev("{\"t\":1,\"ch\":\"o\"}\u{a0}"), Err(SkipReason::NotJson));
        assert_eq!(ev("{\"t\":1,\"ch\":\"o\"} x"), Err(SkipReason::NotJson));
    }

    #[test]
    fn structure_errors() {
        for bad in [
            r#"{"t":1,"ch":"o",}"#,
            r#"{"t":1 "ch":"o"}"#,
            r#"{"t":1,"ch":"o","x":[1,]}"#,
            r#"{"t":1,"ch":"o","x":{"a"}}"#,
            r#"{"t":1,"ch":"o","x":{1:2}}"#,
            r#"{"t":1,"ch":"o","x":[}"#,
            r#"{"t":1,"ch":"o","x":"\x"}"#,
            r#"{"t":1,"ch":"o","x":"\u12g4"}"#,
            r#"{"t":1,"ch":"o","x":tru}"#,
            r#"{"t":1,"ch":"o"}}"#,
            "",
        ] {
            assert_eq!(ev(bad), Err(SkipReason::NotJson), "{bad}");
        }
        let nested = r#"{"t":1,"ch":"o","x":[{"a":[[],{}]},{"b":{"c":[1,"2",null,NaN]}}],"y":{}}"#;
        assert!(ev(nested).is_ok());
    }

    #[test]
    fn deep_nesting_is_iterative() {
        let depth = 100_000;
        let line = format!(
            r#"{{"t":1,"ch":"i","x":{}{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert!(ev(&line).is_ok());
        let objects = format!(
            r#"{{"t":1,"ch":"i","x":{}1{}}}"#,
            "{\"a\":".repeat(depth),
            "}".repeat(depth)
        );
        assert!(ev(&objects).is_ok());
        let unbalanced = format!(r#"{{"t":1,"ch":"i","x":{}}}"#, "[".repeat(depth));
        assert_eq!(ev(&unbalanced), Err(SkipReason::NotJson));
    }

    #[test]
    fn parse_shard_line_strips_python_whitespace() {
        let units: Vec<Unit> = "\u{c}\u{1c} {\"t\":2,\"ch\":\"i\",\"d\":\"a\"}\u{a0}\u{3000}\n"
            .chars()
            .map(u32::from)
            .collect();
        assert_eq!(parse_shard_line(&units).map(|e| e.t), Ok(2.0));
        assert_eq!(parse_shard_line(&[]), Err(SkipReason::NotJson));
        let zwsp: Vec<Unit> = "\u{200b}{\"t\":2,\"ch\":\"i\"}"
            .chars()
            .map(u32::from)
            .collect();
        assert_eq!(parse_shard_line(&zwsp), Err(SkipReason::NotJson));
        assert_eq!(
            parse_shard_line_bytes(b"{\"t\":2,\"ch\":\"o\",\"d\":\"\xe9\"}\r\n").map(|e| e.data),
            Ok(Text::Bytes(vec![0xE9]))
        );
    }

    #[test]
    fn parse_shard_line_raw_surrogates_never_pair() {
        // A raw U+D800 followed by the escape \udc00: two code points in Python.
        let mut units: Vec<Unit> = "{\"t\":1,\"ch\":\"o\",\"d\":\""
            .chars()
            .map(u32::from)
            .collect();
        units.push(0xD800);
        units.extend("\\udc00\"}".chars().map(u32::from));
        let d = parse_shard_line(&units).map(|e| e.data.units().collect::<Vec<_>>());
        assert_eq!(d, Ok(vec![0xD800, 0xDC00]));
        // Outside a string a raw surrogate is invalid.
        let mut outside: Vec<Unit> = "{\"t\":1,\"ch\":\"o\"".chars().map(u32::from).collect();
        outside.push(0xD800);
        outside.push(u32::from('}'));
        assert_eq!(parse_shard_line(&outside), Err(SkipReason::NotJson));
    }

    #[test]
    fn parse_shard_line_escape_range_surrogates_stay_apart() {
        // Found by a hostile tester: `"\udcc3\udca9"` as a `str` is two code
        // points in Python; their raw bytes C3 A9 would spell one (é).
        let line = |d: &[Unit]| -> Vec<Unit> {
            let mut units: Vec<Unit> = "{\"t\":1,\"ch\":\"o\",\"d\":\""
                .chars()
                .map(u32::from)
                .collect();
            units.extend_from_slice(d);
            units.extend("\"}".chars().map(u32::from));
            units
        };
        for d in [
            vec![0xDCC3, 0xDCA9],
            vec![0xDCF0, 0xDC9F, 0xDC98, 0xDC80],
            vec![u32::from('a'), 0xDCE2, 0xDC82, 0xDCAC],
        ] {
            let got = parse_shard_line(&line(&d)).map(|e| e.data.units().collect::<Vec<_>>());
            assert_eq!(got, Ok(d));
        }
        // A lone one is still its raw byte, as the bytes path reads it.
        assert_eq!(
            parse_shard_line(&line(&[0xDCE9])).map(|e| e.data),
            Ok(Text::Bytes(vec![0xE9]))
        );
    }

    #[test]
    fn hdr_json_spans_value() {
        let rec = parse_record(br#"{"sid":"a","hdr":{"width":80}}"#).map_err(|r| r.as_str());
        assert_eq!(
            rec.map(|r| r.hdr_json().map(<[u8]>::to_vec)),
            Ok(Some(br#"{"width":80}"#.to_vec()))
        );
    }
}
