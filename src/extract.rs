//! One session in, its observations out: context, then every primitive.

use crate::context::SessionContext;
use crate::event::Event;
use crate::features;
use crate::observation::{Observation, Window};

/// The engine's result for one session.
#[derive(Clone, Debug, PartialEq)]
pub struct Extraction {
    /// The window every observation carries.
    pub window: Window,

    /// Observations in the reference's emission order.
    pub observations: Vec<Observation>,
}

/// What to emit beyond the reference.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Options {
    /// Also emit behave-shell 0.1.4's five primitives, and give windows in
    /// epoch seconds when the start time is known.
    pub extended: bool,

    /// The session's start, Unix seconds (the shard header's `timestamp`).
    pub start_epoch: Option<f64>,
}

/// Extracts one session's observations from its events (in file order),
/// exactly as the reference does.
pub fn extract(events: &[Event]) -> Extraction {
    extract_with(events, Options::default())
}

/// [`extract`] with options. Without `extended` the output is the
/// reference's whatever the start time; with it, the five extra primitives
/// follow the 38 and the window is `start + t` when the start is known.
pub fn extract_with(events: &[Event], options: Options) -> Extraction {
    let ctx = SessionContext::build(events);
    let mut window = Window {
        start: ctx.t_start,
        end: ctx.t_end,
    };
    if !options.extended {
        return Extraction {
            window,
            observations: features::extract_all(&ctx),
        };
    }
    let start = options.start_epoch.filter(|s| s.is_finite());
    if let Some(start) = start {
        window = Window {
            start: start + window.start,
            end: start + window.end,
        };
    }
    Extraction {
        window,
        observations: features::extract_extended(&ctx, start),
    }
}
