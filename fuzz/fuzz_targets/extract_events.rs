//! Target (c): the context build and all 38 features on an event stream derived from bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| behave_shell_native::fuzzing::extract_events(data));
