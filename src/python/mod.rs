//! The Python module `behave_shell_native._native`.
//!
//! Only this module knows about Python. Logging from the core goes through
//! the `log` crate and reaches stdlib `logging` via `pyo3-log`.

mod convert;
mod errors;
mod extract;
mod shard;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Route `log` records to Python's logging; a second init (a reimport) is
    // harmless, so its error is ignored.
    let _ = pyo3_log::try_init();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register_errors(m)?;
    shard::register(m)?;
    extract::register(m)?;
    Ok(())
}
