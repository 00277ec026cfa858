//! The session context: everything the features read, built once.
//!
//! Field names follow the reference's `SessionContext` so a reader can hold
//! the two side by side. The build is linear in the number of events (see
//! [`span`] for how command windows avoid the reference's rescans).

pub mod input;
pub mod output;
pub mod span;

use std::sync::OnceLock;

use rayon::prelude::*;

use crate::event::{Channel, Event};
use crate::thresholds::PASTE_MIN_CHARS_PER_EVENT;
pub use input::{Command, Corrections, PasteBurst, TypedText};
pub use output::PromptLine;
use span::TimeSpans;

/// Precomputed facts about one session.
#[derive(Clone, Debug, Default)]
pub struct SessionContext<'a> {
    /// t of the first event in file order (0.0 without events).
    pub t_start: f64,
    /// `max(0.0, every t)`.
    pub t_end: f64,
    /// `max(0.0, t_end - t_start)`.
    pub duration_s: f64,
    /// Input events in file order.
    pub input_events: Vec<&'a Event>,
    /// Output events in file order.
    pub output_events: Vec<&'a Event>,
    /// Gaps between consecutive input events.
    pub iats: Vec<f64>,
    pub paste_bursts: Vec<PasteBurst>,
    /// Input events of at least four code points.
    pub paste_event_count: usize,
    pub commands: Vec<Command>,
    /// Gap between each command's end and the next one's start.
    pub inter_cmd_iats: Vec<f64>,
    /// Output code points between each command's end and the next one's start.
    pub output_per_cmd: Vec<usize>,
    /// Input gaps split at think pauses (bursts of three gaps or more).
    pub typing_bursts: Vec<Vec<f64>>,
    pub corrections: Corrections,
    /// Gaps between input events inside each command's `[start, end)`.
    pub intra_command_iats: Vec<Vec<f64>>,
    pub prompt_lines: Vec<PromptLine>,
    pub typed: TypedText,
    /// Memo of the median typing-burst CV: two motor primitives need it,
    /// and it costs an exact standard deviation per burst.
    pub(crate) burst_cv_median: OnceLock<Option<f64>>,
}

impl<'a> SessionContext<'a> {
    /// Builds the context. Events with a non-finite `t` are left out (the
    /// reference turns them into NaN statistics or crashes; the rule here
    /// is "as if those lines were not there").
    ///
    /// Sessions of [`PARALLEL_MIN_EVENTS`] events or more build their two
    /// independent halves (commands and their output windows; the keystroke
    /// facts) on two workers, and scan the output windows in parallel.
    pub fn build(events: &'a [Event]) -> Self {
        Self::build_with(events, events.len() >= PARALLEL_MIN_EVENTS)
    }

    /// [`SessionContext::build`], on the rayon workers or not as told.
    pub(crate) fn build_with(events: &'a [Event], parallel: bool) -> Self {
        let mut ctx = SessionContext::default();
        let mut first: Option<f64> = None;
        let mut last = 0.0_f64;
        for ev in events.iter().filter(|e| e.t.is_finite()) {
            first.get_or_insert(ev.t);
            if ev.t > last {
                last = ev.t;
            }
            match ev.channel {
                Channel::Input => ctx.input_events.push(ev),
                Channel::Output => ctx.output_events.push(ev),
                Channel::Other => {}
            }
        }
        ctx.t_start = first.unwrap_or(0.0);
        ctx.t_end = if first.is_some() { last } else { 0.0 };
        ctx.duration_s = (ctx.t_end - ctx.t_start).max(0.0);

        let (inputs, outputs) = (&ctx.input_events, &ctx.output_events);
        let (commands, keys) = join_if(
            parallel,
            || CommandFacts::build(inputs, outputs, parallel),
            || KeyFacts::build(inputs),
        );
        ctx.commands = commands.commands;
        ctx.output_per_cmd = commands.output_per_cmd;
        ctx.prompt_lines = commands.prompt_lines;
        ctx.inter_cmd_iats = commands.inter_cmd_iats;
        ctx.intra_command_iats = commands.intra_command_iats;
        ctx.iats = keys.iats;
        (ctx.paste_bursts, ctx.paste_event_count) = keys.paste_bursts;
        ctx.typing_bursts = keys.typing_bursts;
        ctx.corrections = keys.corrections;
        ctx.typed = keys.typed;
        ctx
    }

    /// Typed (non-paste) input events.
    pub fn typed_events(&self) -> impl Iterator<Item = &&'a Event> {
        self.input_events
            .iter()
            .filter(|e| e.data.py_len() < PASTE_MIN_CHARS_PER_EVENT)
    }
}

/// Sessions from this many events (about 600 commands) up build and
/// extract on two or more workers; below it the handoff costs more than
/// it saves, and a batch already runs sessions side by side.
pub const PARALLEL_MIN_EVENTS: usize = 16_384;

/// `(a(), b())`, on two rayon workers when `parallel`.
pub(crate) fn join_if<A, B, RA, RB>(parallel: bool, a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// The command half of the context: commands, their output windows, and
/// the gaps around and inside them.
struct CommandFacts {
    commands: Vec<Command>,
    output_per_cmd: Vec<usize>,
    prompt_lines: Vec<PromptLine>,
    inter_cmd_iats: Vec<f64>,
    intra_command_iats: Vec<Vec<f64>>,
}

impl CommandFacts {
    fn build(inputs: &[&Event], outputs: &[&Event], parallel: bool) -> Self {
        let mut commands = input::segment_commands(inputs);
        let (output_per_cmd, prompt_lines) = annotate_outputs(&mut commands, outputs, parallel);
        let inter_cmd_iats = commands
            .windows(2)
            .map(|w| (w[1].start_ts - w[0].end_ts).max(0.0))
            .collect();
        let intra_command_iats = per_command_iats(&commands, inputs);
        CommandFacts {
            commands,
            output_per_cmd,
            prompt_lines,
            inter_cmd_iats,
            intra_command_iats,
        }
    }
}

/// The keystroke half: gaps, bursts, corrections and the typed text.
struct KeyFacts {
    iats: Vec<f64>,
    paste_bursts: (Vec<PasteBurst>, usize),
    typing_bursts: Vec<Vec<f64>>,
    corrections: Corrections,
    typed: TypedText,
}

impl KeyFacts {
    fn build(inputs: &[&Event]) -> Self {
        let iats = input::input_iats(inputs);
        KeyFacts {
            paste_bursts: input::paste_bursts(inputs),
            typing_bursts: input::typing_bursts(&iats),
            corrections: input::corrections(inputs),
            typed: input::typed_text(inputs),
            iats,
        }
    }
}

/// Fills each command's output fields and returns `output_per_cmd` and the
/// prompt lines. Command `i`'s window is `[end_ts(i), start_ts(i + 1))`, the
/// last one open-ended; `output_per_cmd[i]` is the same window's count.
fn annotate_outputs(
    commands: &mut [Command],
    outputs: &[&Event],
    parallel: bool,
) -> (Vec<usize>, Vec<PromptLine>) {
    let spans = TimeSpans::new(outputs.iter().map(|e| e.t).collect());
    let bounds: Vec<(f64, f64)> = commands
        .iter()
        .enumerate()
        .map(|(i, cmd)| {
            let next = commands.get(i + 1).map_or(f64::INFINITY, |c| c.start_ts);
            (cmd.end_ts, next)
        })
        .collect();
    let scan = |&(lo, hi): &(f64, f64)| {
        let mut scan = output::WindowScan::default();
        for idx in spans.select(lo, hi).indices() {
            if let Some(ev) = outputs.get(idx) {
                scan.push(ev.t, &ev.data);
            }
        }
        scan.finish()
    };
    let reports: Vec<output::WindowReport> = if parallel {
        bounds.par_iter().map(scan).collect()
    } else {
        bounds.iter().map(scan).collect()
    };

    let count = commands.len();
    let mut output_per_cmd = Vec::with_capacity(count.saturating_sub(1));
    let mut prompt_lines = Vec::new();
    for (i, (cmd, report)) in commands.iter_mut().zip(reports).enumerate() {
        cmd.errored = report.errored;
        cmd.output_bytes = report.output_chars;
        cmd.followed_by_prompt = !report.prompts.is_empty();
        if i + 1 < count {
            output_per_cmd.push(report.output_chars);
        }
        prompt_lines.extend(report.prompts);
    }
    (output_per_cmd, prompt_lines)
}

/// Gaps between the input events whose t lies in each command's
/// `[start_ts, end_ts)`, in file order.
fn per_command_iats(commands: &[Command], inputs: &[&Event]) -> Vec<Vec<f64>> {
    let spans = TimeSpans::new(inputs.iter().map(|e| e.t).collect());
    commands
        .iter()
        .map(|cmd| {
            let ts: Vec<f64> = spans
                .select(cmd.start_ts, cmd.end_ts)
                .indices()
                .filter_map(|i| inputs.get(i).map(|e| e.t))
                .collect();
            ts.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect()
        })
        .collect()
}
