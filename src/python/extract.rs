//! Extraction entry points for Python. Each one takes owned inputs, runs the
//! engine with the GIL released, then builds Python objects.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::convert::{event_to_py, events_from_py, text_to_py, threads_arg, units_from_py};
use crate::context::SessionContext;
use crate::extract::{Extraction, Options, extract_with};
use crate::observation::Value;
use crate::shard;

/// An observation's value as Python sees it: a `str` or a list of floats.
#[derive(IntoPyObject)]
pub(super) enum RawValue {
    Text(String),
    Numbers(Vec<f64>),
}

/// `(window start, window end, [(primitive, value, confidence), ...])`.
pub(super) type RawExtraction = (f64, f64, Vec<(&'static str, RawValue, f64)>);

pub(super) fn raw(extraction: Extraction) -> RawExtraction {
    let items = extraction
        .observations
        .into_iter()
        .map(|o| {
            let value = match o.value {
                Value::Label(s) => RawValue::Text(s.to_owned()),
                Value::Computed(s) => RawValue::Text(s),
                Value::Numbers(v) => RawValue::Numbers(v),
            };
            (o.primitive, value, o.confidence)
        })
        .collect();
    (extraction.window.start, extraction.window.end, items)
}

/// Run the extractor over `(t, kind, data)` events.
#[pyfunction]
#[pyo3(signature = (events, start_epoch=None, extended=false))]
fn extract_events(
    py: Python<'_>,
    events: &Bound<'_, PyAny>,
    start_epoch: Option<f64>,
    extended: bool,
) -> PyResult<RawExtraction> {
    let events = events_from_py(events)?;
    let options = Options {
        extended,
        start_epoch,
    };
    Ok(py.detach(|| raw(extract_with(&events, options))))
}

fn read_and_extract(
    path: &Path,
    sid: &[u32],
    extended: bool,
) -> Result<(usize, RawExtraction), shard::ShardError> {
    let (header, events) = shard::load_session(path, sid)?;
    let options = Options {
        extended,
        start_epoch: header.and_then(|h| h.timestamp),
    };
    Ok((events.len(), raw(extract_with(&events, options))))
}

/// Read one session from a shard and extract it.
#[pyfunction]
#[pyo3(signature = (path, sid, extended=false))]
fn extract_sid(
    py: Python<'_>,
    path: PathBuf,
    sid: &Bound<'_, PyAny>,
    extended: bool,
) -> PyResult<(usize, RawExtraction)> {
    let sid = units_from_py(sid)?;
    Ok(py.detach(|| read_and_extract(&path, &sid, extended))?)
}

/// `extract_sid` on a worker thread, as an awaitable for asyncio.
#[pyfunction]
#[pyo3(signature = (path, sid, extended=false))]
fn extract_sid_async<'py>(
    py: Python<'py>,
    path: PathBuf,
    sid: &Bound<'py, PyAny>,
    extended: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let sid = units_from_py(sid)?;
    pyo3_async_runtimes::tokio::future_into_py(py, async move {
        let joined =
            tokio::task::spawn_blocking(move || read_and_extract(&path, &sid, extended)).await;
        match joined {
            Ok(result) => Ok(result?),
            Err(e) => Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                "extraction task failed: {e}"
            ))),
        }
    })
}

/// A session's header fields (or None) and its events, as Python objects.
type PySession<'py> = (Option<Bound<'py, PyDict>>, Vec<Bound<'py, PyAny>>);

/// The session's header fields (or None without a header) and its events.
#[pyfunction]
fn load_session<'py>(
    py: Python<'py>,
    path: PathBuf,
    sid: &Bound<'py, PyAny>,
) -> PyResult<PySession<'py>> {
    let sid = units_from_py(sid)?;
    let (header, events) = py.detach(|| shard::load_session(&path, &sid))?;
    let header = header
        .map(|h| -> PyResult<Bound<'py, PyDict>> {
            let d = PyDict::new(py);
            d.set_item("timestamp", h.timestamp)?;
            d.set_item("width", h.width)?;
            d.set_item("height", h.height)?;
            d.set_item("term", h.term)?;
            Ok(d)
        })
        .transpose()?;
    let events = events
        .iter()
        .map(|ev| event_to_py(py, ev))
        .collect::<PyResult<Vec<_>>>()?;
    Ok((header, events))
}

/// `(sid, event count, extraction)` per session, as Python objects.
type PySessions<'py> = Vec<(Bound<'py, PyAny>, usize, RawExtraction)>;

fn sessions_to_py<'py>(
    py: Python<'py>,
    results: Vec<crate::batch::SessionResult>,
) -> PyResult<PySessions<'py>> {
    results
        .into_iter()
        .map(|(sid, count, extraction)| {
            let sid = text_to_py(py, &crate::text::Text::from_units(&sid))?;
            Ok((sid, count, raw(extraction)))
        })
        .collect()
}

/// Every session of many shards, results grouped per shard in order
/// (the one-shard call is `stream_shard`).
#[pyfunction]
#[pyo3(signature = (paths, threads=None, extended=false))]
fn extract_shards<'py>(
    py: Python<'py>,
    paths: Vec<PathBuf>,
    threads: Option<Bound<'py, PyAny>>,
    extended: bool,
) -> PyResult<Vec<PySessions<'py>>> {
    let threads = threads_arg(threads.as_ref())?;
    let results = py.detach(|| crate::batch::extract_shards(&paths, threads, extended))?;
    results
        .into_iter()
        .map(|per_shard| sessions_to_py(py, per_shard))
        .collect()
}

/// The context's fields under the reference's names, for debugging.
#[pyfunction]
fn build_context<'py>(py: Python<'py>, events: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let events = events_from_py(events)?;
    let ctx = SessionContext::build(&events);
    let d = PyDict::new(py);
    d.set_item("t_start", ctx.t_start)?;
    d.set_item("t_end", ctx.t_end)?;
    d.set_item("duration_s", ctx.duration_s)?;
    let inputs = PyList::empty(py);
    for ev in &ctx.input_events {
        inputs.append(event_to_py(py, ev)?)?;
    }
    d.set_item("input_events", inputs.to_tuple())?;
    let outputs = PyList::empty(py);
    for ev in &ctx.output_events {
        outputs.append(event_to_py(py, ev)?)?;
    }
    d.set_item("output_events", outputs.to_tuple())?;
    d.set_item("iats", ctx.iats.clone())?;
    let bursts: Vec<(f64, f64, usize, usize)> = ctx
        .paste_bursts
        .iter()
        .map(|b| (b.start_ts, b.end_ts, b.char_count, b.event_count))
        .collect();
    d.set_item("paste_bursts", bursts)?;
    d.set_item("paste_event_count", ctx.paste_event_count)?;
    let commands = PyList::empty(py);
    for c in &ctx.commands {
        let cd = PyDict::new(py);
        cd.set_item("start_ts", c.start_ts)?;
        cd.set_item("end_ts", c.end_ts)?;
        let hex: String = c
            .first_token_hash
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        cd.set_item("first_token_hash", hex)?;
        cd.set_item("tab_count", c.tab_count)?;
        cd.set_item("shortcut_count", c.shortcut_count)?;
        cd.set_item("pipe_count", c.pipe_count)?;
        cd.set_item("errored", c.errored)?;
        cd.set_item("output_bytes", c.output_bytes)?;
        cd.set_item("followed_by_prompt", c.followed_by_prompt)?;
        commands.append(cd)?;
    }
    d.set_item("commands", commands)?;
    d.set_item("inter_cmd_iats", ctx.inter_cmd_iats.clone())?;
    d.set_item("output_per_cmd", ctx.output_per_cmd.clone())?;
    d.set_item("typing_bursts", ctx.typing_bursts.clone())?;
    d.set_item("backspace_count", ctx.corrections.backspace_count)?;
    d.set_item("backspace_iats", ctx.corrections.backspace_iats.clone())?;
    d.set_item("kill_line_count", ctx.corrections.kill_line_count)?;
    d.set_item("intra_command_iats", ctx.intra_command_iats.clone())?;
    let prompts = PyList::empty(py);
    for p in &ctx.prompt_lines {
        let pd = PyDict::new(py);
        pd.set_item("ts", p.ts)?;
        pd.set_item("suffix_char", char::from(p.suffix).to_string())?;
        pd.set_item("is_root", p.is_root())?;
        prompts.append(pd)?;
    }
    d.set_item("prompt_lines", prompts)?;
    let t = &ctx.typed;
    let uni = PyDict::new(py);
    for (letter, n) in &t.unigrams {
        uni.set_item(char::from(*letter).to_string(), n)?;
    }
    d.set_item("typed_unigram_counts", uni)?;
    let bi = PyDict::new(py);
    for (pair, n) in &t.bigrams {
        bi.set_item(String::from_utf8_lossy(pair).into_owned(), n)?;
    }
    d.set_item("typed_bigram_counts", bi)?;
    d.set_item("typed_letter_count", t.letter_count)?;
    d.set_item("obscenity_hits", t.obscenity_hits)?;
    d.set_item("positive_lex_hits", t.positive_lex_hits)?;
    d.set_item("negative_lex_hits", t.negative_lex_hits)?;
    d.set_item("caps_run_max", t.caps_run_max)?;
    d.set_item("bang_run_max", t.bang_run_max)?;
    Ok(d)
}

/// Adds the extraction functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(extract_events, m)?)?;
    m.add_function(wrap_pyfunction!(extract_sid, m)?)?;
    m.add_function(wrap_pyfunction!(extract_sid_async, m)?)?;
    m.add_function(wrap_pyfunction!(extract_shards, m)?)?;
    m.add_function(wrap_pyfunction!(build_context, m)?)?;
    m.add_function(wrap_pyfunction!(load_session, m)?)?;
    Ok(())
}
