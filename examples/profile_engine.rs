//! Profiling harness: builds the benchmark's interactive session and runs the
//! full extraction over it, for `valgrind --tool=callgrind` or `perf`.
//!
//! ```text
//! cargo build --release --example profile_engine
//! valgrind --tool=callgrind target/release/examples/profile_engine 8000 1
//! ```
//!
//! Arguments: the number of commands (default 8,000) and of repetitions
//! (default 1). It prints the event and payload byte counts, the
//! observation count and the mean wall time per extraction.

use std::io::Write;
use std::time::Instant;

use behave_shell_native::extract::extract;

#[path = "../benches/common/session.rs"]
mod session;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let commands = args.next().and_then(|a| a.parse().ok()).unwrap_or(8_000);
    let repeats: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);

    let events = session::interactive_session(commands, 0x5EED);
    let bytes: usize = events.iter().map(|e| e.data.to_bytes().len()).sum();
    let started = Instant::now();
    let mut observations = 0;
    for _ in 0..repeats {
        observations = std::hint::black_box(extract(&events)).observations.len();
    }
    let per_run = started.elapsed() / repeats.max(1);

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} events ({bytes} payload bytes), {observations} observations, {per_run:?} per extraction",
        events.len()
    )
}
