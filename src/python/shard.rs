//! Bindings of the shard reader.
//!
//! Inputs are turned into owned Rust values first, the reading runs with
//! the GIL released, and Python objects are built after re-attaching.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use std::path::PathBuf;

use super::convert::{event_to_py, text_to_py};
use crate::shard;
use crate::text::Unit;

/// A Python `str` as code points, lone surrogates included.
fn py_units(s: &Bound<'_, PyString>) -> PyResult<Vec<Unit>> {
    if let Ok(utf8) = s.to_str() {
        return Ok(utf8.chars().map(u32::from).collect());
    }
    let wide = s.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
    let raw = wide.cast::<PyBytes>()?.as_bytes();
    Ok(raw
        .chunks_exact(4)
        .map(|c| c.iter().rev().fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
        .collect())
}

/// Events of one session, exactly as DECNET's `_events_for_sid` returns them.
#[pyfunction]
fn events_for_sid<'py>(
    py: Python<'py>,
    path: PathBuf,
    sid: &Bound<'py, PyString>,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let sid = py_units(sid)?;
    let events = py.detach(|| shard::events_for_sid(&path, &sid))?;
    events.iter().map(|e| event_to_py(py, e)).collect()
}

/// (sid, input events, output events, first t, last t) in first-appearance order.
#[pyfunction]
fn sessions<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let summaries = py.detach(|| shard::sessions(&path))?;
    summaries
        .iter()
        .map(|s| {
            let sid = text_to_py(py, &s.sid)?;
            (sid, s.inputs, s.outputs, s.first_t, s.last_t)
                .into_pyobject(py)
                .map(Bound::into_any)
        })
        .collect()
}

/// Newest `sessions-YYYY-MM-DD.jsonl` in the directory that holds `sid`.
#[pyfunction]
fn find_shard_with_sid(
    py: Python<'_>,
    transcripts_dir: PathBuf,
    sid: &Bound<'_, PyString>,
) -> PyResult<Option<std::ffi::OsString>> {
    let sid = py_units(sid)?;
    let found = py.detach(|| shard::find_shard_with_sid(&transcripts_dir, &sid))?;
    Ok(found.map(PathBuf::into_os_string))
}

/// One shard line to an event, or None, with the reference's rules.
#[pyfunction]
fn parse_shard_line<'py>(
    py: Python<'py>,
    line: &Bound<'py, PyAny>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let event = if let Ok(bytes) = line.cast::<PyBytes>() {
        shard::decode::parse_shard_line_bytes(bytes.as_bytes()).ok()
    } else {
        let units = py_units(line.cast::<PyString>()?)?;
        shard::parse_shard_line(&units)
    };
    event.map(|e| event_to_py(py, &e)).transpose()
}

/// Sets the process-wide line limit in bytes and returns the previous one.
#[pyfunction]
fn set_max_line(bytes: usize) -> usize {
    shard::index::set_max_line(bytes)
}

/// Adds the shard functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(events_for_sid, m)?)?;
    m.add_function(wrap_pyfunction!(sessions, m)?)?;
    m.add_function(wrap_pyfunction!(find_shard_with_sid, m)?)?;
    m.add_function(wrap_pyfunction!(parse_shard_line, m)?)?;
    m.add_function(wrap_pyfunction!(set_max_line, m)?)?;
    Ok(())
}
