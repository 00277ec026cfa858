//! `extract_shard` as an iterator: the sessions of a shard are extracted on
//! a background pool while Python turns the ones already done into
//! `Observation` objects, so building them no longer waits for the whole
//! batch (it was the serial part of a shard's extraction).

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pyo3::prelude::*;

use super::convert::{text_to_py, threads_arg, units_from_py};
use super::extract::{RawExtraction, raw};
use crate::batch::{self, ShardStream};
use crate::text::Text;

/// The sessions of one shard, in order: `(sid, event count, extraction)`.
#[pyclass(name = "ShardStream", module = "behave_shell_native._native")]
struct PyShardStream {
    inner: Mutex<ShardStream>,
    total: usize,
}

#[pymethods]
impl PyShardStream {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// Waits (the GIL released) for the next session in order.
    fn __next__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<Option<(Bound<'py, PyAny>, usize, RawExtraction)>> {
        // The lock is taken with the GIL released: a second thread iterating
        // the same stream waits here without holding the GIL the first one
        // needs back.
        let next = py.detach(|| {
            self.inner
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .next_session()
        });
        let Some((sid, count, extraction)) = next? else {
            return Ok(None);
        };
        let sid = text_to_py(py, &Text::from_units(&sid))?;
        Ok(Some((sid, count, raw(extraction))))
    }

    /// How many sessions the stream hands out in all (at most).
    fn __len__(&self) -> usize {
        self.total
    }
}

/// Starts extracting every (or the given) session of a shard in the
/// background; iterate the result for `(sid, event count, extraction)`.
#[pyfunction]
#[pyo3(signature = (path, sids=None, threads=None, extended=false))]
fn stream_shard<'py>(
    py: Python<'py>,
    path: PathBuf,
    sids: Option<Vec<Bound<'py, PyAny>>>,
    threads: Option<Bound<'py, PyAny>>,
    extended: bool,
) -> PyResult<PyShardStream> {
    let threads = threads_arg(threads.as_ref())?;
    let wanted: Option<Vec<Vec<u32>>> = sids
        .map(|list| list.iter().map(units_from_py).collect())
        .transpose()?;
    let stream = py.detach(|| batch::stream_shard(&path, wanted.as_deref(), threads, extended))?;
    Ok(PyShardStream {
        total: stream.len(),
        inner: Mutex::new(stream),
    })
}

/// `n` fresh random UUIDs (version 4) as 32 hex digits, the form of an
/// `Observation`'s default `id`, from a generator seeded once by the OS
/// rather than one system call each.
#[pyfunction]
fn new_ids(n: usize) -> Vec<String> {
    (0..n)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect()
}

/// At interpreter exit (`atexit`): stops every stream's workers at their
/// next session, turns native logging off (a worker that logs during
/// interpreter finalization would need the GIL there, and abort the
/// process), and waits up to `grace` seconds (GIL released) for them.
/// Returns true when none was left running.
#[pyfunction]
#[pyo3(signature = (grace=2.0))]
fn _shutdown(py: Python<'_>, grace: f64) -> bool {
    log::set_max_level(log::LevelFilter::Off);
    let grace = Duration::try_from_secs_f64(grace).unwrap_or(Duration::ZERO);
    py.detach(|| batch::shutdown_streams(grace))
}

/// Adds the streaming functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyShardStream>()?;
    m.add_function(wrap_pyfunction!(stream_shard, m)?)?;
    m.add_function(wrap_pyfunction!(new_ids, m)?)?;
    m.add_function(wrap_pyfunction!(_shutdown, m)?)?;
    Ok(())
}
