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

/// Extracts one session's observations from its events (in file order).
pub fn extract(events: &[Event]) -> Extraction {
    let ctx = SessionContext::build(events);
    Extraction {
        window: Window {
            start: ctx.t_start,
            end: ctx.t_end,
        },
        observations: features::extract_all(&ctx),
    }
}
