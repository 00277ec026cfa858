//! The session header line: `{"sid":…,"hdr":{"version":2,"width":80,
//! "height":24,"timestamp":1714521600,"env":{"TERM":"xterm",…}}}`.
//!
//! Only the extended output uses it (the session's start time). Fields that
//! are missing or of the wrong type are `None`; a header never makes a
//! session unreadable.

use serde_json::Value as Json;

/// What the recorder wrote about a session when it started.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SessionHeader {
    /// Session start, Unix seconds (finite only).
    pub timestamp: Option<f64>,

    /// Terminal width in columns.
    pub width: Option<u64>,

    /// Terminal height in rows.
    pub height: Option<u64>,

    /// `env.TERM`.
    pub term: Option<String>,
}

impl SessionHeader {
    /// Reads the fields out of the raw JSON text of an `hdr` value. Bytes
    /// that are not UTF-8 (only possible inside strings) are replaced for
    /// this purpose, which can only affect `term`.
    pub fn parse(hdr_json: &[u8]) -> SessionHeader {
        let value: Option<Json> = serde_json::from_slice(hdr_json)
            .ok()
            .or_else(|| serde_json::from_str(&String::from_utf8_lossy(hdr_json)).ok());
        let Some(Json::Object(map)) = value else {
            return SessionHeader::default();
        };
        SessionHeader {
            timestamp: map
                .get("timestamp")
                .and_then(Json::as_f64)
                .filter(|t| t.is_finite()),
            width: map.get("width").and_then(Json::as_u64),
            height: map.get("height").and_then(Json::as_u64),
            term: map
                .get("env")
                .and_then(|env| env.get("TERM"))
                .and_then(Json::as_str)
                .map(str::to_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_recorder_header() {
        let h = SessionHeader::parse(
            br#"{"version":2,"width":80,"height":24,"timestamp":1714521600,"env":{"SHELL":"/bin/bash","TERM":"xterm"}}"#,
        );
        assert_eq!(h.timestamp, Some(1_714_521_600.0));
        assert_eq!((h.width, h.height), (Some(80), Some(24)));
        assert_eq!(h.term.as_deref(), Some("xterm"));
    }

    #[test]
    fn odd_headers_give_missing_fields() {
        assert_eq!(SessionHeader::parse(b"null"), SessionHeader::default());
        let h = SessionHeader::parse(br#"{"timestamp":"soon","width":-1,"env":[]}"#);
        assert_eq!(h, SessionHeader::default());
        let h = SessionHeader::parse(b"{\"timestamp\":1.5,\"env\":{\"TERM\":\"x\xe9\"}}");
        assert_eq!(h.timestamp, Some(1.5));
        assert_eq!(h.term.as_deref(), Some("x\u{fffd}"));
    }
}
