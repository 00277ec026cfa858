//! Parity with the reference over the shared corpus: for every session in
//! every `*.expected.json`, the events read here must hash like the
//! reference's `json.dumps([[t, kind, data], ...], ensure_ascii=True,
//! separators=(",", ":"))`.

use behave_shell_native::event::Event;
use behave_shell_native::shard::decode::canonical_text;
use behave_shell_native::shard::{events_for_sid, sessions};
use behave_shell_native::text::Text;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Sessions where the product departs from the expected file on purpose
/// (non-finite or huge `t`, or nesting the reference cannot parse): the
/// events the reference reads once those lines are dropped, computed by
/// running the reference's reading rules with those lines filtered out and
/// the recursion limit lifted. (shard, sid, events, sha256)
const DEPARTURES: &[(&str, &str, usize, &str)] = &[
    (
        "hostile.jsonl",
        "27078a00-d916-44bc-9e8d-b879cdc51ea5",
        65,
        "8eb5d2ff692d116a233485dac739f1f59d9a000b070775b39aeec3d80f2772aa",
    ),
    (
        "hostile.jsonl",
        "309e017e-18f8-4ec3-b65e-d5cdfffa0d2e",
        65,
        "8eb5d2ff692d116a233485dac739f1f59d9a000b070775b39aeec3d80f2772aa",
    ),
    (
        "hostile.jsonl",
        "6fc735c8-5673-49fe-8aca-0d198ac3bb83",
        65,
        "8eb5d2ff692d116a233485dac739f1f59d9a000b070775b39aeec3d80f2772aa",
    ),
    (
        "hostile.jsonl",
        "a1f6f9b4-1f50-4a0b-ac4a-897d7043c92f",
        65,
        "8eb5d2ff692d116a233485dac739f1f59d9a000b070775b39aeec3d80f2772aa",
    ),
    (
        "hostile.jsonl",
        "a2c4bd3a-dca6-4c81-bcd0-be9730ac911c",
        65,
        "8eb5d2ff692d116a233485dac739f1f59d9a000b070775b39aeec3d80f2772aa",
    ),
    (
        "repro_deep_nesting.jsonl",
        "5d0c6f4e-2b7a-4c1e-9a3d-0f1e2d3c4b5a",
        1,
        "efac4dd2e3056fa36259bf5fe2f29b424a08a9f3f82539153e7ff44ec53fe501",
    ),
    (
        "repro_deep_nesting.jsonl",
        "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        4,
        "18dc4e3d114bed0c34a2ccaf3372649df44bf7fbabf284a25c89abec14f0e6ec",
    ),
    (
        "repro_huge_int_t.jsonl",
        "5d0c6f4e-2b7a-4c1e-9a3d-0f1e2d3c4b5a",
        0,
        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
    ),
    (
        "repro_infinite_t.jsonl",
        "5d0c6f4e-2b7a-4c1e-9a3d-0f1e2d3c4b5a",
        1,
        "1a29f1bfeed4733c989e86920bd320c161c09477a947aeb22962a2ab2e634c7b",
    ),
];

/// Python's `repr(float)`: shortest round-trip digits, positional for
/// decimal exponents in -4..16, else `d.ddde+XX`.
fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // `{:e}` gives the shortest round-trip digits as `d.ddde<exp>`.
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa
        .strip_prefix('-')
        .map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if (-4..16).contains(&exp) {
        let point = exp + 1;
        let body = if point <= 0 {
            format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
        } else {
            let point = point as usize;
            if digits.len() > point {
                format!("{}.{}", &digits[..point], &digits[point..])
            } else {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            }
        };
        format!("{sign}{body}")
    } else {
        let frac = &digits[1..];
        let head = if frac.is_empty() {
            digits[..1].to_owned()
        } else {
            format!("{}.{frac}", &digits[..1])
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{head}e{esign}{:02}", exp.unsigned_abs())
    }
}

/// `json.dumps(str, ensure_ascii=True)`.
fn py_json_str(out: &mut String, text: &Text) {
    out.push('"');
    for u in text.units() {
        match u {
            0x22 => out.push_str("\\\""),
            0x5C => out.push_str("\\\\"),
            0x0A => out.push_str("\\n"),
            0x0D => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0C => out.push_str("\\f"),
            0x20..=0x7E => out.push(char::from_u32(u).unwrap_or('?')),
            0x10000.. => {
                let v = u - 0x10000;
                let _ = write!(
                    out,
                    "\\u{:04x}\\u{:04x}",
                    0xD800 + (v >> 10),
                    0xDC00 + (v & 0x3FF)
                );
            }
            _ => {
                let _ = write!(out, "\\u{u:04x}");
            }
        }
    }
    out.push('"');
}

fn events_sha(events: &[Event]) -> String {
    let mut s = String::from("[");
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('[');
        s.push_str(&py_float_repr(e.t));
        s.push_str(",\"");
        s.push_str(e.channel.code());
        s.push_str("\",");
        py_json_str(&mut s, &e.data);
        s.push(']');
    }
    s.push(']');
    Sha256::digest(s.as_bytes())
        .iter()
        .fold(String::new(), |mut acc, b| {
            let _ = write!(acc, "{b:02x}");
            acc
        })
}

/// Replaces `NaN`/`Infinity`/`-Infinity` tokens outside strings with `null`
/// and surrogate escapes inside strings with a private-use stand-in (see
/// [`sid_text`]), so serde_json accepts Python's output.
fn lenient(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_str = false;
    let mut escape = false;
    let mut rest = json;
    while let Some(c) = rest.chars().next() {
        if in_str {
            // serde_json refuses lone surrogate escapes, which observation
            // values may hold; only sids and counts are read here.
            if !escape
                && let Some(hex) = rest.strip_prefix("\\u").and_then(|r| r.get(..4))
                && u32::from_str_radix(hex, 16).is_ok_and(|u| (0xD800..0xE000).contains(&u))
            {
                let u = u32::from_str_radix(hex, 16).unwrap_or(0xD800);
                out.push(char::from_u32(MARK + u - 0xD800).unwrap_or('?'));
                rest = &rest[6..];
                continue;
            }
            out.push(c);
            if escape {
                escape = false;
            } else if c == '\\' {
                escape = true;
            } else if c == '"' {
                in_str = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        let mut replaced = false;
        for token in ["-Infinity", "Infinity", "NaN"] {
            if let Some(after) = rest.strip_prefix(token) {
                out.push_str("null");
                rest = after;
                replaced = true;
                break;
            }
        }
        if !replaced {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Where [`lenient`] puts surrogate `U+D800 + k`: `MARK + k`.
const MARK: u32 = 0xF0000;

/// A sid from the expected file as Python's `json.loads` would give it:
/// stand-ins back to surrogates, and high + low pairs combined.
fn sid_text(sid: &str) -> Text {
    let raw: Vec<u32> = sid
        .chars()
        .map(|c| {
            let u = u32::from(c);
            if (MARK..MARK + 0x800).contains(&u) {
                u - MARK + 0xD800
            } else {
                u
            }
        })
        .collect();
    let mut units = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&u) = raw.get(i) {
        if let Some(&lo) = raw.get(i + 1)
            && (0xD800..0xDC00).contains(&u)
            && (0xDC00..0xE000).contains(&lo)
        {
            units.push(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
            i += 2;
        } else {
            units.push(u);
            i += 1;
        }
    }
    canonical_text(&units)
}

fn corpus_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    dir.is_dir().then_some(dir)
}

#[test]
#[expect(
    clippy::print_stderr,
    reason = "a skipped corpus and the parity tally must be visible"
)]
fn corpus_parity() {
    let Some(dir) = corpus_dir() else {
        eprintln!("corpus not found at ../shared/corpus; skipping");
        return;
    };
    let mut expected_files = Vec::new();
    for sub in ["synthetic", "real"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.to_string_lossy().ends_with(".expected.json") {
                expected_files.push(p);
            }
        }
    }
    expected_files.sort();
    assert!(!expected_files.is_empty());

    let (mut matched, mut departed, mut total) = (0, 0, 0);
    let mut failures = Vec::new();
    for exp_path in &expected_files {
        let text = std::fs::read_to_string(exp_path).expect("expected file");
        let doc: serde_json::Value = serde_json::from_str(&lenient(&text)).expect("expected json");
        let shard_name = doc["shard"].as_str().expect("shard name");
        let shard = exp_path.with_file_name(shard_name);
        let summaries = sessions(&shard).expect("sessions");
        let mut expected_sids = Vec::new();
        for s in doc["sessions"].as_array().expect("sessions") {
            total += 1;
            let sid = s["sid"].as_str().expect("sid");
            let sid_t = sid_text(sid);
            expected_sids.push(sid_t.clone());
            let events = events_for_sid(&shard, &sid_t.units().collect::<Vec<_>>())
                .unwrap_or_else(|e| panic!("{shard_name} {sid}: {e}"));
            assert!(
                events.iter().all(|e| e.t.is_finite()),
                "{shard_name} {sid}: non-finite t"
            );
            let summary = summaries.iter().find(|x| x.sid == sid_t);
            let counted = summary.map_or(0, |x| x.inputs + x.outputs);
            assert_eq!(
                counted,
                events.len(),
                "{shard_name} {sid}: sessions() count"
            );

            let sha = events_sha(&events);
            let want = DEPARTURES
                .iter()
                .find(|(f, s, _, _)| *f == shard_name && *s == sid)
                .map(|&(_, _, n, h)| (Some(n), h.to_owned()));
            let is_departure = want.is_some();
            let want = want.or_else(|| {
                Some((
                    s["events"].as_u64().map(|n| n as usize),
                    s["events_sha256"].as_str()?.to_owned(),
                ))
            });
            match want {
                Some((Some(n), h)) if n == events.len() && h == sha => {
                    if is_departure {
                        departed += 1;
                    } else {
                        matched += 1;
                    }
                }
                Some((n, _)) => failures.push(format!(
                    "{shard_name} {sid}: {} events vs expected {n:?}",
                    events.len()
                )),
                None => failures.push(format!("{shard_name} {sid}: no expectation")),
            }
        }
        let got_sids: Vec<Text> = summaries.iter().map(|x| x.sid.clone()).collect();
        assert_eq!(got_sids, expected_sids, "{shard_name}: session order");
    }
    eprintln!(
        "corpus: {matched} sessions match the reference, {departed} match the documented departures, of {total}"
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn float_repr_matches_python() {
    for (x, want) in [
        (1.0, "1.0"),
        (-0.0, "-0.0"),
        (123.0, "123.0"),
        (0.1, "0.1"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (1e16, "1e+16"),
        (1.5e16, "1.5e+16"),
        (1e15, "1000000000000000.0"),
        (12.345678, "12.345678"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"),
    ] {
        assert_eq!(py_float_repr(x), want);
    }
}
