//! The event stream one session is made of.

use crate::text::Text;

/// Which side of the terminal an event belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    /// `"ch":"i"`: what the attacker sent (keystrokes or pastes).
    Input,

    /// `"ch":"o"`: what the decoy printed.
    Output,

    /// Any other kind handed to the extractor from Python: it counts toward
    /// the session window, as in the reference, and is otherwise ignored.
    /// The shard decoder never produces it.
    Other,
}

impl Channel {
    /// The shard's one-letter code, as the reference's event tuples carry it.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Input => "i",
            Channel::Output => "o",
            Channel::Other => "?",
        }
    }
}

/// One recorded event: `(t, kind, data)` in the reference's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Seconds since the session started, as the shard wrote it.
    pub t: f64,

    /// Input or output.
    pub channel: Channel,

    /// The payload, bytes intact.
    pub data: Text,
}
