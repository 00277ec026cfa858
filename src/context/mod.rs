//! The session context: everything the features read, built once.
//!
//! Field names follow the reference's `SessionContext` so a reader can hold
//! the two side by side. The build is linear in the number of events (see
//! [`span`] for how command windows avoid the reference's rescans).

pub mod input;
pub mod output;
pub mod span;

use std::cell::OnceCell;

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
    pub(crate) burst_cv_median: OnceCell<Option<f64>>,
}

impl<'a> SessionContext<'a> {
    /// Builds the context. Events with a non-finite `t` are left out (the
    /// reference turns them into NaN statistics or crashes; the rule here
    /// is "as if those lines were not there").
    pub fn build(events: &'a [Event]) -> Self {
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

        ctx.iats = input::input_iats(&ctx.input_events);
        (ctx.paste_bursts, ctx.paste_event_count) = input::paste_bursts(&ctx.input_events);
        ctx.typing_bursts = input::typing_bursts(&ctx.iats);
        ctx.corrections = input::corrections(&ctx.input_events);
        ctx.commands = input::segment_commands(&ctx.input_events);
        ctx.annotate_outputs();
        ctx.inter_cmd_iats = ctx
            .commands
            .windows(2)
            .map(|w| (w[1].start_ts - w[0].end_ts).max(0.0))
            .collect();
        ctx.intra_command_iats = ctx.per_command_iats();
        ctx.typed = input::typed_text(&ctx.input_events);
        ctx
    }

    /// Fills each command's output fields, `output_per_cmd` and the prompt
    /// lines. Command `i`'s window is `[end_ts(i), start_ts(i + 1))`, the last
    /// one open-ended; `output_per_cmd[i]` is the same window's count.
    fn annotate_outputs(&mut self) {
        let spans = TimeSpans::new(self.output_events.iter().map(|e| e.t).collect());
        let starts: Vec<f64> = self.commands.iter().map(|c| c.start_ts).collect();
        let count = self.commands.len();
        for (i, cmd) in self.commands.iter_mut().enumerate() {
            let hi = starts.get(i + 1).copied().unwrap_or(f64::INFINITY);
            let mut scan = output::WindowScan::default();
            for idx in spans.select(cmd.end_ts, hi).indices() {
                if let Some(ev) = self.output_events.get(idx) {
                    scan.push(ev.t, &ev.data);
                }
            }
            let report = scan.finish();
            cmd.errored = report.errored;
            cmd.output_bytes = report.output_chars;
            cmd.followed_by_prompt = !report.prompts.is_empty();
            if i + 1 < count {
                self.output_per_cmd.push(report.output_chars);
            }
            self.prompt_lines.extend(report.prompts);
        }
    }

    /// Gaps between the input events whose t lies in each command's
    /// `[start_ts, end_ts)`, in file order.
    fn per_command_iats(&self) -> Vec<Vec<f64>> {
        let spans = TimeSpans::new(self.input_events.iter().map(|e| e.t).collect());
        self.commands
            .iter()
            .map(|cmd| {
                let ts: Vec<f64> = spans
                    .select(cmd.start_ts, cmd.end_ts)
                    .indices()
                    .filter_map(|i| self.input_events.get(i).map(|e| e.t))
                    .collect();
                ts.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect()
            })
            .collect()
    }

    /// Typed (non-paste) input events.
    pub fn typed_events(&self) -> impl Iterator<Item = &&'a Event> {
        self.input_events
            .iter()
            .filter(|e| e.data.py_len() < PASTE_MIN_CHARS_PER_EVENT)
    }
}
