//! Many sessions at once: one index refresh per shard, then every session
//! read and extracted on its own worker thread.
//!
//! Each worker does positioned reads of its own session's lines (see
//! [`ReadPlan::read`]) and keeps only the extraction, so memory grows with
//! the sessions in flight (one per thread), never with the shard. Results
//! come back in a fixed order whatever the scheduling: the order of the
//! sids given, or first appearance in the shard.

use crate::extract::{Extraction, Options, extract_with};
use crate::shard::{self, ReadPlan};
use crate::text::Unit;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// One session's result: its sid (Python code points), how many events it
/// had, and its extraction.
pub type SessionResult = (Vec<Unit>, usize, Extraction);

/// Reads and extracts every session of a shard (in first-appearance order)
/// or the given ones (in the order given), on `threads` worker threads
/// (`None`: one per core). With `extended`, each session's start time comes
/// from its header (see [`Options`]).
///
/// # Errors
///
/// [`shard::ShardError`] when the shard is missing, not a regular file or
/// unreadable.
pub fn extract_shard(
    path: &Path,
    sids: Option<&[Vec<Unit>]>,
    threads: Option<usize>,
    extended: bool,
) -> shard::Result<Vec<SessionResult>> {
    let mut per_shard = run_on(threads, || {
        let plan = shard::plan(path, sids)?;
        Ok(extract_plans(&[plan], extended))
    })?;
    Ok(per_shard.pop().unwrap_or_default())
}

/// [`extract_shard`] over many shards, every session of each: results are
/// grouped per shard in the order of `paths`. The index refreshes run in
/// parallel, then all sessions of all shards share the workers.
///
/// # Errors
///
/// The first [`shard::ShardError`] in the order of `paths`; nothing is
/// extracted then.
pub fn extract_shards(
    paths: &[PathBuf],
    threads: Option<usize>,
    extended: bool,
) -> shard::Result<Vec<Vec<SessionResult>>> {
    run_on(threads, || {
        let plans = paths
            .par_iter()
            .map(|path| shard::plan(path, None))
            .collect::<shard::Result<Vec<ReadPlan>>>()?;
        Ok(extract_plans(&plans, extended))
    })
}

/// Reads and extracts every session of every plan, as one pool of tasks.
fn extract_plans(plans: &[ReadPlan], extended: bool) -> Vec<Vec<SessionResult>> {
    let tasks: Vec<(usize, usize)> = plans
        .iter()
        .enumerate()
        .flat_map(|(p, plan)| (0..plan.len()).map(move |i| (p, i)))
        .collect();
    // `collect` on an indexed parallel iterator keeps the input order.
    let done: Vec<(usize, SessionResult)> = tasks
        .par_iter()
        .filter_map(|&(p, i)| {
            let plan = plans.get(p)?;
            let sid = plan.sid(i)?.units().collect();
            let (header, events) = plan.read_session(i);
            let options = Options {
                extended,
                start_epoch: header.and_then(|h| h.timestamp),
            };
            let extraction = extract_with(&events, options);
            Some((p, (sid, events.len(), extraction)))
        })
        .collect();
    let mut grouped: Vec<Vec<SessionResult>> = plans
        .iter()
        .map(|plan| Vec::with_capacity(plan.len()))
        .collect();
    for (p, result) in done {
        if let Some(group) = grouped.get_mut(p) {
            group.push(result);
        }
    }
    grouped
}

/// Runs `work` with its parallel iterators on `threads` threads: rayon's
/// global pool (one thread per core) for `None` or `Some(0)`, else a pool
/// of exactly that many, so `Some(1)` measures one core. A pool that
/// cannot be started falls back to the global one: fewer threads is no
/// reason to fail.
fn run_on<R: Send>(threads: Option<usize>, work: impl FnOnce() -> R + Send) -> R {
    match threads {
        None | Some(0) => work(),
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(work),
            Err(e) => {
                log::warn!("cannot start {n} worker threads ({e}); using the shared pool");
                work()
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> Vec<Unit> {
        s.chars().map(u32::from).collect()
    }

    /// Two interleaved sessions, `c` first to appear, and `b` only in the
    /// unterminated tail.
    fn write_shard(name: &str) -> PathBuf {
        let path = std::env::temp_dir().join(format!("bsn-batch-{}-{name}", std::process::id()));
        let mut text = String::new();
        for (i, sid) in ["c", "a", "c", "a", "c"].iter().enumerate() {
            text.push_str(&format!(
                "{{\"sid\":\"{sid}\",\"t\":{i}.5,\"ch\":\"i\",\"d\":\"ls\\r\"}}\n"
            ));
        }
        text.push_str(r#"{"sid":"b","t":9,"ch":"o","d":"x"}"#);
        std::fs::write(&path, text).expect("write shard");
        path
    }

    #[test]
    fn order_is_fixed_whatever_the_threads() {
        let path = write_shard("order");
        let one = extract_shard(&path, None, Some(1), false).expect("one thread");
        let two = extract_shard(&path, None, Some(2), false).expect("two threads");
        assert_eq!(one, two);
        let order: Vec<(Vec<Unit>, usize)> = one.iter().map(|(s, n, _)| (s.clone(), *n)).collect();
        // `b` is only in the unterminated tail, which is read last.
        assert_eq!(
            order,
            vec![(units("c"), 3), (units("a"), 2), (units("b"), 1)]
        );

        let wanted = [units("b"), units("a"), units("zz")];
        let given = extract_shard(&path, Some(&wanted), None, false).expect("given sids");
        let counts: Vec<(Vec<Unit>, usize)> =
            given.iter().map(|(s, n, _)| (s.clone(), *n)).collect();
        assert_eq!(
            counts,
            vec![(units("b"), 1), (units("a"), 2), (units("zz"), 0)]
        );

        let grouped =
            extract_shards(&[path.clone(), path.clone()], Some(2), false).expect("two shards");
        assert_eq!(grouped, vec![one.clone(), one]);
        let missing = extract_shards(&[path.clone(), path.with_extension("gone")], None, false);
        assert!(matches!(missing, Err(shard::ShardError::NotFound { .. })));
        let _ = std::fs::remove_file(&path);
    }
}
