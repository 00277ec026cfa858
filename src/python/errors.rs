//! The Python exception tree of the extension.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::shard::ShardError as CoreShardError;

pyo3::create_exception!(
    behave_shell_native,
    ShardError,
    PyValueError,
    "A shard could not be read (missing, not a regular file, unreadable)."
);

impl From<CoreShardError> for PyErr {
    fn from(err: CoreShardError) -> PyErr {
        ShardError::new_err(err.to_string())
    }
}

/// Adds the exception classes to the module.
pub fn register_errors(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ShardError", m.py().get_type::<ShardError>())
}
