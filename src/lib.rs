//! behave-shell-native: the hot path of DECNET's BEHAVE-SHELL profiler.
//!
//! The data flows one way, one module per step:
//!
//! ```text
//! day shard (bytes) → shard::scan (complete lines) → shard::index (sid → spans)
//!   → shard::decode (one line → Event, or a skip reason)
//!   → context (one linear build per session) → features (38 primitives, fixed order)
//!   → observation (primitive, value, confidence) → python (the PyO3 edge)
//! ```
//!
//! Payload bytes stay bytes until the Python edge; [`text`] is the one place
//! that knows how Python sees them (UTF-8 with `surrogateescape`).

pub mod batch;
pub mod context;
pub mod event;
pub mod extract;
pub mod features;
#[doc(hidden)]
pub mod fuzzing;
pub mod lexicon;
pub mod observation;
pub mod pychar;
pub mod shard;
pub mod simhash;
pub mod stats;
pub mod text;
pub mod thresholds;

#[cfg(feature = "python")]
mod python;
