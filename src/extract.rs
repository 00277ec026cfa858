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
    // A start whose sum with the session's times is not finite (a header
    // timestamp near 1e308) counts as unknown: windows stay relative and
    // finite rather than becoming infinite.
    let start = options.start_epoch.filter(|s| {
        s.is_finite() && (s + window.start).is_finite() && (s + window.end).is_finite()
    });
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Channel;
    use crate::text::Text;

    /// A session of `commands` typed commands, each echoed keystroke by
    /// keystroke, with coloured output, an error now and then and a prompt.
    fn typed_session(commands: usize) -> Vec<Event> {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            seed >> 33
        };
        let words = [
            "ls -la",
            "cat /etc/passwd",
            "uname -a",
            "wget x | sh",
            "cd /tmp",
        ];
        let mut t = 0.0;
        let mut events = Vec::new();
        let mut push = |t: f64, channel, data: &[u8]| {
            events.push(Event {
                t,
                channel,
                data: Text::Bytes(data.to_vec()),
            });
        };
        for i in 0..commands {
            let word = words[next() as usize % words.len()];
            for b in word.bytes().chain([b'\r']) {
                t += 0.05 + (next() % 300) as f64 / 1000.0;
                push(t, Channel::Input, &[b]);
                push(t + 0.001, Channel::Output, &[b]);
            }
            t += 0.01;
            let out: &[u8] = if i % 7 == 0 {
                b"bash: foo: command not found\r\n"
            } else {
                b"\x1b[01;34mdrwxr-xr-x\x1b[0m 2 root root 4096 .\r\n"
            };
            push(t, Channel::Output, out);
            push(t + 0.002, Channel::Output, b"root@host:~# ");
            t += (next() % 5000) as f64 / 1000.0;
        }
        events
    }

    #[test]
    fn parallel_build_and_features_match_the_sequential_ones() {
        let events = typed_session(1_200);
        assert!(events.len() >= crate::context::PARALLEL_MIN_EVENTS);
        let sequential = SessionContext::build_with(&events, false);
        let parallel = SessionContext::build_with(&events, true);
        assert_eq!(format!("{sequential:?}"), format!("{parallel:?}"));
        let want = features::extract_all_with(&sequential, false);
        assert!(
            want.len() >= 30,
            "most primitives fire here: {}",
            want.len()
        );
        assert_eq!(features::extract_all_with(&parallel, true), want);
        assert_eq!(extract(&events).observations, want);
    }

    #[test]
    fn a_start_that_overflows_the_window_counts_as_unknown() {
        // Found by a hostile tester: a start of 1e308 and a `t` of 1e308 sum
        // to infinity.
        let ev = |t, channel, data: &[u8]| Event {
            t,
            channel,
            data: Text::Bytes(data.to_vec()),
        };
        let events = vec![
            ev(1.0, Channel::Output, b"# "),
            ev(1.5, Channel::Input, b"ls\r"),
            ev(1e308, Channel::Output, b"x"),
        ];
        let run = |start_epoch| {
            extract_with(
                &events,
                Options {
                    extended: true,
                    start_epoch,
                },
            )
        };
        let unknown = run(None);
        assert_eq!((unknown.window.start, unknown.window.end), (1.0, 1e308));
        for start in [1e308, f64::MAX, f64::INFINITY, f64::NAN] {
            let got = run(Some(start));
            assert_eq!((got.window.start, got.window.end), (1.0, 1e308), "{start}");
            assert_eq!(got.observations, unknown.observations, "{start}");
        }
    }

    #[test]
    fn commands_outside_python_datetime_have_no_hour() {
        // A start of 1e300 keeps the windows finite (epoch seconds), but no
        // command falls in years 1..=9999, so no circadian histogram.
        let events = typed_session(40);
        let run = |start| {
            extract_with(
                &events,
                Options {
                    extended: true,
                    start_epoch: Some(start),
                },
            )
        };
        let circadian = |e: &Extraction| {
            e.observations
                .iter()
                .filter(|o| o.primitive.starts_with("temporal.circadian"))
                .count()
        };
        let far = run(1e300);
        assert_eq!(far.window.start, 1e300 + events[0].t);
        assert_eq!(circadian(&far), 0);
        // 2024-05-01: the three histograms.
        assert_eq!(circadian(&run(1_714_600_000.0)), 3);
    }
}
