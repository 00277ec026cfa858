//! Word lists: first-token vocabularies and the typed-text lexemes.
//!
//! Commands are known only by the SHA-256 of their first token, so every
//! vocabulary here is looked up by hash. The lists are the reference's.

use std::collections::HashMap;
use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// SHA-256 of a command's first token.
pub type TokenHash = [u8; 32];

/// The hash of an ASCII word, as the engine hashes first tokens.
pub fn hash_word(word: &str) -> TokenHash {
    Sha256::digest(word.as_bytes()).into()
}

fn hash_set(words: &[&str]) -> Vec<TokenHash> {
    words.iter().map(|w| hash_word(w)).collect()
}

/// Intent of a command, for `operational.objective`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Intent {
    Destructive,
    Persistence,
    Exfil,
    Lateral,
    Recon,
}

impl Intent {
    /// The registry label.
    pub fn label(self) -> &'static str {
        match self {
            Intent::Destructive => "destructive",
            Intent::Persistence => "persistence",
            Intent::Exfil => "exfil",
            Intent::Lateral => "lateral",
            Intent::Recon => "recon",
        }
    }
}

const RECON: &[&str] = &[
    "ls", "pwd", "whoami", "id", "uname", "ps", "netstat", "ss", "cat", "find", "which", "env",
    "printenv", "hostname", "w", "who", "date", "uptime", "df", "du", "free", "lsof", "lsblk",
];
const EXFIL: &[&str] = &[
    "curl", "wget", "scp", "rsync", "nc", "ncat", "socat", "tar", "base64", "xxd", "python",
    "python3", "openssl",
];
const PERSISTENCE: &[&str] = &[
    "crontab",
    "systemctl",
    "useradd",
    "usermod",
    "passwd",
    "chsh",
    "at",
    "service",
    "chkconfig",
    "update-rc.d",
    "authorized_keys",
];
const LATERAL: &[&str] = &[
    "ssh",
    "telnet",
    "rsh",
    "rlogin",
    "ftp",
    "sftp",
    "mosh",
    "kubectl",
    "docker",
    "psql",
    "mysql",
    "redis-cli",
];
const DESTRUCTIVE: &[&str] = &[
    "rm", "dd", "mkfs", "shred", "wipe", "kill", "pkill", "killall", "truncate", "fdisk",
];

/// First token → intent. A token in several sets takes the first of
/// destructive, persistence, exfil, lateral, recon.
static INTENTS: LazyLock<HashMap<TokenHash, Intent>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    // Inserted lowest precedence first so higher precedence overwrites.
    for (words, intent) in [
        (RECON, Intent::Recon),
        (LATERAL, Intent::Lateral),
        (EXFIL, Intent::Exfil),
        (PERSISTENCE, Intent::Persistence),
        (DESTRUCTIVE, Intent::Destructive),
    ] {
        for w in words {
            map.insert(hash_word(w), intent);
        }
    }
    map
});

/// The intent of a first token, if it has one.
pub fn classify_intent(hash: &TokenHash) -> Option<Intent> {
    INTENTS.get(hash).copied()
}

/// A small set of first-token hashes.
pub struct TokenSet(LazyLock<Vec<TokenHash>>);

impl TokenSet {
    /// True when the hash is in the set.
    pub fn contains(&self, hash: &TokenHash) -> bool {
        self.0.contains(hash)
    }
}

/// History and environment tampering (`operational.opsec_discipline`).
pub static OPSEC_HISTORY: TokenSet = TokenSet(LazyLock::new(|| {
    hash_set(&["history", "unset", "export", "set", "script"])
}));

/// Cleanup vocabulary (`exit_behavior`, `opsec_discipline`, `cleanup_behavior`).
pub static CLEANUP: TokenSet = TokenSet(LazyLock::new(|| {
    hash_set(&["history", "unset", "rm", "shred", "clear", "kill"])
}));

/// Commands that end a shell on purpose.
pub static GRACEFUL_EXIT: TokenSet = TokenSet(LazyLock::new(|| {
    hash_set(&["exit", "logout", "quit", "logoff"])
}));

/// The survey an intruder runs on landing.
pub static LANDING_RITUAL: TokenSet = TokenSet(LazyLock::new(|| {
    hash_set(&["uname", "id", "whoami", "pwd", "hostname", "w", "who"])
}));

/// Reaching for the manual.
pub static HELP_FAMILY: TokenSet = TokenSet(LazyLock::new(|| hash_set(&["man", "help", "info"])));

/// Which lexicon a typed word's tail matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lexeme {
    Obscenity,
    Positive,
    Negative,
}

const POSITIVE: &[&str] = &[
    "thanks", "nice", "cool", "great", "okay", "perfect", "love", "awesome",
];
const NEGATIVE: &[&str] = &[
    "wtf", "damn", "crap", "ugh", "broken", "stupid", "hate", "stuck", "wrong",
];
const OBSCENITY: &[&str] = &[
    "fuck", "fucking", "fucked", "shit", "bitch", "ass", "cunt", "dick", "asshole",
];

/// The longest lexeme; only a word's last this-many letters can match.
pub const LEXEME_MAX_LEN: usize = 7;

/// Matches the longest suffix of `word` (lowercase ASCII letters) that is a
/// lexeme; at equal length obscenity, then positive, then negative.
pub fn match_lexeme(word: &[u8]) -> Option<Lexeme> {
    let longest = word.len().min(LEXEME_MAX_LEN);
    for len in (1..=longest).rev() {
        let suffix = word.get(word.len() - len..)?;
        for (list, kind) in [
            (OBSCENITY, Lexeme::Obscenity),
            (POSITIVE, Lexeme::Positive),
            (NEGATIVE, Lexeme::Negative),
        ] {
            if list.iter().any(|w| w.as_bytes() == suffix) {
                return Some(kind);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_resolves_overlaps() {
        // No word sits in two intent sets today; precedence still decides.
        assert_eq!(classify_intent(&hash_word("rm")), Some(Intent::Destructive));
        assert_eq!(classify_intent(&hash_word("ls")), Some(Intent::Recon));
        assert_eq!(classify_intent(&hash_word("vim")), None);
    }

    #[test]
    fn lexemes_match_as_suffixes() {
        // REFERENCE_NOTES: `sshpass` and `class` end in "ass"; `through` in "ugh".
        assert_eq!(match_lexeme(b"sshpass"), Some(Lexeme::Obscenity));
        assert_eq!(match_lexeme(b"hrough"), Some(Lexeme::Negative));
        assert_eq!(match_lexeme(b"venice"), Some(Lexeme::Positive));
        assert_eq!(match_lexeme(b"fucking"), Some(Lexeme::Obscenity));
        assert_eq!(match_lexeme(b"ls"), None);
    }
}
