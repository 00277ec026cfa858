//! Charikar's 64-bit SimHash, as DECNET's `util/simhash.py` computes it.
//!
//! Each token's 64-bit hash is the first eight bytes of the MD5 of its UTF-8
//! encoding, read big-endian; every bit position then collects `+weight` or
//! `-weight`, and the fingerprint keeps the positions whose total is positive.
//! MD5 here is a content fingerprint the reference chose, not a security
//! primitive.

use md5::{Digest, Md5};

use crate::text::Unit;

/// `simhash64(weighted_tokens)`: the SimHash of tokens with integer weights.
///
/// Tokens with a weight of zero or less are skipped; no tokens (or none with
/// a positive weight) give 0, which callers read as "no signal". Each item
/// counts once, like one key of the reference's mapping, so callers pass
/// distinct tokens. The caller formats the result (the reference's
/// `format(h, "016x")` is `format!("{h:016x}")`).
pub fn simhash64<'a>(tokens: impl IntoIterator<Item = (&'a [Unit], i64)>) -> u64 {
    // Python's ints do not overflow; i128 cannot either for fewer than 2^64
    // tokens of i64 weight.
    let mut totals = [0i128; 64];
    for (token, weight) in tokens {
        if weight <= 0 {
            continue;
        }
        let hash = token_hash(token);
        for (bit, total) in totals.iter_mut().enumerate() {
            if (hash >> bit) & 1 == 1 {
                *total += i128::from(weight);
            } else {
                *total -= i128::from(weight);
            }
        }
    }
    totals
        .iter()
        .enumerate()
        .filter(|&(_, &total)| total > 0)
        .fold(0, |out, (bit, _)| out | (1 << bit))
}

/// `str.encode("utf-8", errors="replace")`: UTF-8, with one `?` for each
/// surrogate code point (lone surrogates and the `U+DC80..=U+DCFF` escapes
/// of undecodable bytes alike), as CPython's encoder replaces them.
///
/// A unit above `U+10FFFF` cannot come from Python; it is written as `?` too
/// rather than dropped.
pub fn encode_replace(units: &[Unit]) -> Vec<u8> {
    let mut out = Vec::with_capacity(units.len());
    let mut buf = [0u8; 4];
    for &u in units {
        match char::from_u32(u) {
            Some(c) => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
            None => out.push(b'?'),
        }
    }
    out
}

/// The first eight bytes of `md5(encode_replace(token))`, big-endian.
fn token_hash(token: &[Unit]) -> u64 {
    let digest = Md5::digest(encode_replace(token));
    let mut head = [0u8; 8];
    for (slot, &byte) in head.iter_mut().zip(digest.iter()) {
        *slot = byte;
    }
    u64::from_be_bytes(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<Unit> {
        s.chars().map(u32::from).collect()
    }

    fn hash(tokens: &[(Vec<Unit>, i64)]) -> String {
        format!(
            "{:016x}",
            simhash64(tokens.iter().map(|(t, w)| (t.as_slice(), *w)))
        )
    }

    // The expected values come from the reference algorithm, run as:
    // python3 -c "
    // import hashlib
    // def simhash64(w):
    //     bits = [0] * 64
    //     for tok, weight in w.items():
    //         if weight <= 0: continue
    //         h = int.from_bytes(hashlib.md5(tok.encode('utf-8', errors='replace')).digest()[:8], 'big')
    //         for i in range(64): bits[i] += weight if (h >> i) & 1 else -weight
    //     return sum(1 << i for i in range(64) if bits[i] > 0)
    // print(format(simhash64({'ab:3': 5, 'bc:2': 1, 'cd:4': 2}), '016x'))"
    // with the dictionary of each case below.

    #[test]
    fn ascii_tokens_match_reference() {
        // {'ab:3': 5, 'bc:2': 1, 'cd:4': 2}
        let tokens = [(units("ab:3"), 5), (units("bc:2"), 1), (units("cd:4"), 2)];
        assert_eq!(hash(&tokens), "76225de7874d275c");
        // {'single': 1}
        assert_eq!(hash(&[(units("single"), 1)]), "dd5c07036f2975ff");
        // {'ls:1': 7, 'l:s': 7}: ties leave the bit clear.
        assert_eq!(
            hash(&[(units("ls:1"), 7), (units("l:s"), 7)]),
            "6110420040fa0200"
        );
    }

    #[test]
    fn non_ascii_tokens_match_reference() {
        // {'é€😀': 1, 'x': 2}
        assert_eq!(
            hash(&[(units("é€😀"), 1), (units("x"), 2)]),
            "9dd4e461268c8034"
        );
    }

    #[test]
    fn surrogates_hash_as_question_marks() {
        // {'a\udce9b': 3, '\ud800\udfff': 1, 'zz': 1}
        let tokens = [
            (vec![0x61, 0xDCE9, 0x62], 3),
            (vec![0xD800, 0xDFFF], 1),
            (units("zz"), 1),
        ];
        assert_eq!(hash(&tokens), "0166d849f21a9d69");
        // python3 -c "print('\udce9\ud800x'.encode('utf-8', 'replace'))"
        assert_eq!(encode_replace(&[0xDCE9, 0xD800, 0x78]), b"??x");
    }

    #[test]
    fn no_positive_weight_gives_zero() {
        // {'only': 0, 'neg': -4} and {}
        assert_eq!(
            hash(&[(units("only"), 0), (units("neg"), -4)]),
            "0000000000000000"
        );
        assert_eq!(simhash64(std::iter::empty()), 0);
    }
}
