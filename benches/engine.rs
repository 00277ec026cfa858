//! The engine on realistic interactive sessions: building the context, and
//! the full extraction (context plus the 38 primitives), at 200, 2,000 and
//! 8,000 commands. The sessions are generated in code (see
//! `common/session.rs`), the same on every run.
//!
//! ```text
//! cargo bench --bench engine               # full run
//! cargo bench --bench engine -- --quick    # about a minute
//! ```

use std::hint::black_box;

use behave_shell_native::context::SessionContext;
use behave_shell_native::extract::extract;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

#[path = "common/session.rs"]
mod session;

/// Commands per session, and the observations each session must produce:
/// every primitive has enough data to speak at these sizes.
const SIZES: [(usize, usize); 3] = [(200, 38), (2_000, 38), (8_000, 38)];

fn engine(c: &mut Criterion) {
    let mut group = c.benchmark_group("engine");
    group.sample_size(20);
    for (commands, expected) in SIZES {
        let events = session::interactive_session(commands, 0x5EED);
        let observed = extract(&events).observations.len();
        assert_eq!(observed, expected, "{commands} commands");
        let ctx = SessionContext::build(&events);
        assert_eq!(
            ctx.commands.len(),
            commands + 1,
            "the closing `exit` counts"
        );

        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_with_input(BenchmarkId::new("context", commands), &events, |b, ev| {
            b.iter(|| SessionContext::build(black_box(ev)).commands.len());
        });
        group.bench_with_input(BenchmarkId::new("extract", commands), &events, |b, ev| {
            b.iter(|| extract(black_box(ev)).observations.len());
        });
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
