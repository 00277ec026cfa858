//! What the engine emits: a primitive, its value and a confidence. The
//! window, source and evidence pointer are per session and added by the
//! caller (see [`crate::extract`]), as the reference's `make_observation` does.

/// A primitive's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// One of the registry's fixed labels.
    Label(&'static str),

    /// A computed string: the 16-hex-digit SimHash or a BCP-47 tag.
    Computed(String),

    /// An array of numbers (the extended circadian primitives).
    Numbers(Vec<f64>),
}

impl Value {
    /// The value as a string slice; `None` for numbers.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Label(s) => Some(s),
            Value::Computed(s) => Some(s),
            Value::Numbers(_) => None,
        }
    }
}

/// One emitted observation, before the session-wide fields are attached.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Fully qualified primitive name, e.g. `motor.input_modality`.
    pub primitive: &'static str,

    /// The measured value.
    pub value: Value,

    /// The reference's confidence for that value.
    pub confidence: f64,
}

impl Observation {
    /// An observation with a registry label.
    pub fn label(primitive: &'static str, value: &'static str, confidence: f64) -> Self {
        Observation {
            primitive,
            value: Value::Label(value),
            confidence,
        }
    }
}

/// The session's measurement window in seconds since session start:
/// `(t of the first event in file order, max(0.0, every t))`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    /// Start, seconds.
    pub start: f64,

    /// End, seconds; never below `start`.
    pub end: f64,
}
