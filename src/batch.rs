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
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::time::Duration;

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

/// [`extract_shard`] handing each session out as soon as it and those before
/// it are done: a background thread runs the workers, and the caller turns
/// early results into Python objects while later sessions are extracted.
///
/// The workers are a pool of the stream's own (`threads`, or as many as the
/// calling context has), so a stream never waits on a pool that its own
/// consumer keeps busy; called from a rayon worker, it extracts on the
/// calling thread instead, before returning. They run at most
/// [`STREAM_AHEAD`] sessions ahead of the consumer, and stop at their next
/// session once the stream is dropped or [`shutdown_streams`] is called.
///
/// # Errors
///
/// [`shard::ShardError`] when the shard is missing, not a regular file or
/// unreadable (found before any work starts), or when the background
/// thread cannot be started.
pub fn stream_shard(
    path: &Path,
    sids: Option<&[Vec<Unit>]>,
    threads: Option<usize>,
    extended: bool,
) -> shard::Result<ShardStream> {
    let plan = run_on(threads, || shard::plan(path, sids))?;
    let total = plan.len();
    if rayon::current_thread_index().is_some() {
        // Called from one of our own workers (a logging handler that
        // extracts, say): extract here, on this thread. Other threads
        // would wait on whatever this one holds (the handler's lock).
        let (_, receiver) = mpsc::sync_channel(0);
        let mut stream = ShardStream::new(path, receiver, total);
        stream.pending = (0..total)
            .map(|i| (i, extract_one(&plan, i, extended)))
            .collect();
        return Ok(stream);
    }
    let workers = threads
        .filter(|&n| n > 0)
        .unwrap_or_else(rayon::current_num_threads);
    let (sender, receiver) = mpsc::sync_channel(STREAM_AHEAD);
    let stream = ShardStream::new(path, receiver, total);
    let stop = Arc::clone(&stream.cancelled);
    let live = LiveStream::enter();
    std::thread::Builder::new()
        .name("behave-shard".to_owned())
        .spawn(move || {
            let _live = live;
            let stopped = || stop.load(Ordering::Relaxed) || SHUTDOWN.load(Ordering::Relaxed);
            run_on(Some(workers), || {
                (0..plan.len())
                    .into_par_iter()
                    .for_each_with(sender, |sender, i| {
                        if stopped() {
                            return;
                        }
                        let mut item = (i, extract_one(&plan, i, extended));
                        // Waits while the consumer is behind, giving up once
                        // the stream is dropped or the process exits.
                        loop {
                            match sender.try_send(item) {
                                Ok(()) | Err(mpsc::TrySendError::Disconnected(_)) => break,
                                Err(mpsc::TrySendError::Full(back)) => {
                                    if stopped() {
                                        break;
                                    }
                                    item = back;
                                    std::thread::sleep(Duration::from_millis(1));
                                }
                            }
                        }
                    });
            });
        })
        .map_err(|e| shard::ShardError::from_io(path, e))?;
    Ok(stream)
}

/// How many finished sessions a stream's workers hold for a consumer that
/// is behind before they wait.
pub const STREAM_AHEAD: usize = 64;

/// Set by [`shutdown_streams`]: every stream's workers stop.
static SHUTDOWN: AtomicBool = AtomicBool::new(false);

/// Background stream threads still running, and a signal when one ends.
static LIVE: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// Counts one background stream thread for as long as it lives.
struct LiveStream;

impl LiveStream {
    fn enter() -> LiveStream {
        *LIVE.0.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        LiveStream
    }
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        let mut live = LIVE.0.lock().unwrap_or_else(PoisonError::into_inner);
        *live = live.saturating_sub(1);
        LIVE.1.notify_all();
    }
}

/// Stops every stream's workers at their next session and waits up to
/// `grace` for their threads to end; true when none is left. For process
/// exit: the streams' workers never touch the interpreter except through
/// logging, which the caller turns off first.
pub fn shutdown_streams(grace: Duration) -> bool {
    SHUTDOWN.store(true, Ordering::Relaxed);
    let live = LIVE.0.lock().unwrap_or_else(PoisonError::into_inner);
    let (live, _) = LIVE
        .1
        .wait_timeout_while(live, grace, |n| *n > 0)
        .unwrap_or_else(PoisonError::into_inner);
    *live == 0
}

/// Sessions of a shard in order, extracted in the background; see
/// [`stream_shard`].
pub struct ShardStream {
    path: PathBuf,
    receiver: mpsc::Receiver<(usize, Option<SessionResult>)>,
    /// Sessions done ahead of `next`.
    pending: BTreeMap<usize, Option<SessionResult>>,
    next: usize,
    total: usize,
    cancelled: Arc<AtomicBool>,
}

impl ShardStream {
    /// A stream of `total` sessions that arrive on `receiver`.
    fn new(
        path: &Path,
        receiver: mpsc::Receiver<(usize, Option<SessionResult>)>,
        total: usize,
    ) -> ShardStream {
        ShardStream {
            path: path.to_path_buf(),
            receiver,
            pending: BTreeMap::new(),
            next: 0,
            total,
            cancelled: Arc::new(AtomicBool::new(false)),
        }
    }

    /// How many sessions the stream hands out in all (at most).
    pub fn len(&self) -> usize {
        self.total
    }

    /// True when the shard has no session to hand out.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The next session in order, waiting for it if need be; `None` at the
    /// end.
    ///
    /// # Errors
    ///
    /// [`shard::ShardError::Io`] when the workers stopped before handing
    /// out every session (a bug: they do not fail otherwise).
    pub fn next_session(&mut self) -> shard::Result<Option<SessionResult>> {
        while self.next < self.total {
            if let Some(done) = self.pending.remove(&self.next) {
                self.next += 1;
                match done {
                    Some(result) => return Ok(Some(result)),
                    None => continue,
                }
            }
            match self.receiver.recv() {
                Ok((i, done)) => {
                    self.pending.insert(i, done);
                }
                Err(mpsc::RecvError) => {
                    let missing = self.total - self.next;
                    self.next = self.total;
                    return Err(shard::ShardError::from_io(
                        &self.path,
                        std::io::Error::other(format!(
                            "extraction stopped with {missing} session(s) not handed out"
                        )),
                    ));
                }
            }
        }
        Ok(None)
    }
}

impl Drop for ShardStream {
    fn drop(&mut self) {
        // Not joined: a worker may be logging, which needs the interpreter
        // lock the dropping thread may hold. It stops at its next session.
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

/// Reads and extracts session `i` of a plan (`None` if there is no such
/// session).
fn extract_one(plan: &ReadPlan, i: usize, extended: bool) -> Option<SessionResult> {
    let sid = plan.sid(i)?.units().collect();
    let (header, events) = plan.read_session(i);
    let options = Options {
        extended,
        start_epoch: header.and_then(|h| h.timestamp),
    };
    let extraction = extract_with(&events, options);
    Some((sid, events.len(), extraction))
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
        .filter_map(|&(p, i)| Some((p, extract_one(plans.get(p)?, i, extended)?)))
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

    fn drain(mut stream: ShardStream) -> Vec<SessionResult> {
        let mut out = Vec::new();
        while let Some(result) = stream.next_session().expect("stream") {
            out.push(result);
        }
        assert_eq!(stream.next_session().expect("after the end"), None);
        out
    }

    #[test]
    fn stream_hands_out_what_the_batch_returns_in_order() {
        let path = write_shard("stream");
        let batch = extract_shard(&path, None, Some(2), false).expect("batch");
        for threads in [Some(1), Some(2), None] {
            let stream = stream_shard(&path, None, threads, false).expect("stream");
            assert_eq!(stream.len(), 3);
            assert_eq!(drain(stream), batch, "{threads:?}");
        }
        let wanted = [units("zz"), units("a")];
        let given = drain(stream_shard(&path, Some(&wanted), None, false).expect("given sids"));
        let order: Vec<(Vec<Unit>, usize)> =
            given.iter().map(|(s, n, _)| (s.clone(), *n)).collect();
        assert_eq!(order, vec![(units("zz"), 0), (units("a"), 2)]);

        // Dropped before the end: the workers stop, nothing hangs.
        let mut partial = stream_shard(&path, None, None, false).expect("stream");
        assert!(partial.next_session().expect("first").is_some());
        drop(partial);

        let missing = stream_shard(&path.with_extension("gone"), None, None, false);
        assert!(matches!(missing, Err(shard::ShardError::NotFound { .. })));
        let _ = std::fs::remove_file(&path);
    }
}
