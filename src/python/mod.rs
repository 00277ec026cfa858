//! The Python module `behave_shell_native._native`.
//!
//! Only this module knows about Python. Logging from the core goes through
//! the `log` crate and reaches stdlib `logging` via `pyo3-log`.

mod convert;
mod errors;
mod extract;
mod shard;
mod stream;

use pyo3::prelude::*;
use std::sync::OnceLock;

/// The installed logger's cache handle (pyo3-log caches each Python
/// logger's level on first use).
static LOG_CACHE: OnceLock<pyo3_log::ResetHandle> = OnceLock::new();

/// Forget the Python logger levels cached on the Rust side, so a logging
/// configuration changed since the first native call takes effect.
#[pyfunction]
fn reset_log_cache() {
    if let Some(handle) = LOG_CACHE.get() {
        handle.reset();
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Route `log` records to Python's logging; a second init (a reimport) is
    // harmless, so its error is ignored.
    if let Ok(handle) = pyo3_log::try_init() {
        let _ = LOG_CACHE.set(handle);
    }
    m.add_function(wrap_pyfunction!(reset_log_cache, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register_errors(m)?;
    shard::register(m)?;
    extract::register(m)?;
    stream::register(m)?;
    Ok(())
}
