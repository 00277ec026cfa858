//! The one place that turns payloads into Python `str` and back (and
//! checks the `threads=` argument of the batch calls).
//!
//! Python sees payloads as the reference does: UTF-8 decoded with
//! `surrogateescape`, so an undecodable byte is the code point U+DC80+byte.
//! A lone surrogate from a `\u` escape (kept as code points in
//! [`Text::Wide`]) goes through UTF-32 with `surrogatepass`.

use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use crate::event::{Channel, Event};
use crate::text::{Text, Unit};

/// A payload as a Python `str`.
pub fn text_to_py<'py>(py: Python<'py>, text: &Text) -> PyResult<Bound<'py, PyAny>> {
    match text {
        Text::Bytes(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(PyString::new(py, s).into_any()),
            Err(_) => PyBytes::new(py, bytes).call_method1("decode", ("utf-8", "surrogateescape")),
        },
        Text::Wide(units) => {
            let raw: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            PyBytes::new(py, &raw).call_method1("decode", ("utf-32-le", "surrogatepass"))
        }
    }
}

/// A Python `str` or `bytes` as a payload. Bytes are taken as they are; a
/// `str` without surrogates is its UTF-8; any other `str` goes through its
/// code points, so every surrogate stays exactly what it was.
pub fn text_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Text> {
    if let Ok(bytes) = obj.cast::<PyBytes>() {
        return Ok(Text::Bytes(bytes.as_bytes().to_vec()));
    }
    let s = obj.cast::<PyString>()?;
    if let Ok(utf8) = s.to_str() {
        return Ok(Text::Bytes(utf8.as_bytes().to_vec()));
    }
    let wide = s.call_method1("encode", ("utf-32-le", "surrogatepass"))?;
    let raw = wide.cast::<PyBytes>()?.as_bytes();
    let units: Vec<Unit> = raw
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    Ok(Text::from_units(&units))
}

/// A Python `str` as code points (for sids, which may hold surrogates).
pub fn units_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Unit>> {
    Ok(text_from_py(obj)?.units().collect())
}

/// Events from any iterable of `(t, kind, data)`.
///
/// `t` goes through `float()`; one too large for a float is dropped, as a
/// non-finite `t` is dropped by the engine. `kind` other than `"i"`/`"o"`
/// only counts toward the window, as in the reference.
pub fn events_from_py(events: &Bound<'_, PyAny>) -> PyResult<Vec<Event>> {
    let mut out = Vec::new();
    for item in events.try_iter()? {
        let item = item?;
        let [t, kind, data] = unpack3(&item)?;
        let t = match t.extract::<f64>() {
            Ok(t) => t,
            Err(e) if e.is_instance_of::<PyOverflowError>(t.py()) => continue,
            Err(e) => return Err(e),
        };
        let channel = match kind.extract::<&str>() {
            Ok("i") => Channel::Input,
            Ok("o") => Channel::Output,
            _ => Channel::Other,
        };
        out.push(Event {
            t,
            channel,
            data: text_from_py(&data)?,
        });
    }
    Ok(out)
}

/// `t, kind, data = item`, as the reference unpacks each event: a tuple or
/// any other iterable of exactly three (a JSON-loaded list, say).
fn unpack3<'py>(item: &Bound<'py, PyAny>) -> PyResult<[Bound<'py, PyAny>; 3]> {
    if let Ok(tuple) = item.cast::<PyTuple>()
        && tuple.len() == 3
    {
        let (t, kind, data) = tuple.extract()?;
        return Ok([t, kind, data]);
    }
    let mut parts = item.try_iter()?;
    let mut next = || parts.next().transpose();
    match (next()?, next()?, next()?, next()?) {
        (.., Some(_)) => Err(PyValueError::new_err(
            "too many values to unpack (expected 3)",
        )),
        (Some(t), Some(kind), Some(data), None) => Ok([t, kind, data]),
        _ => Err(PyValueError::new_err(
            "not enough values to unpack (expected 3)",
        )),
    }
}

/// An event as the reference's `(t, kind, data)` tuple.
pub fn event_to_py<'py>(py: Python<'py>, ev: &Event) -> PyResult<Bound<'py, PyAny>> {
    let data = text_to_py(py, &ev.data)?;
    Ok((ev.t, ev.channel.code(), data)
        .into_pyobject(py)?
        .into_any())
}

/// Most worker threads a batch may ask for: far above any core count, low
/// enough that a typo cannot start thousands of threads.
pub const MAX_THREADS: usize = 256;

/// A `threads=` argument: `None`, or an int from 0 (one per core) to
/// [`MAX_THREADS`]; any other int is a `ValueError`, anything else a
/// `TypeError`.
pub fn threads_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<usize>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if obj.is_instance_of::<pyo3::types::PyBool>() || !obj.is_instance_of::<pyo3::types::PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "threads must be an int or None, not {}",
            obj.get_type().name()?
        )));
    }
    match obj.extract::<i64>() {
        Ok(n) if (0..=MAX_THREADS as i64).contains(&n) => Ok(usize::try_from(n).ok()),
        _ => Err(PyValueError::new_err(format!(
            "threads must be between 0 and {MAX_THREADS}, not {obj}"
        ))),
    }
}
