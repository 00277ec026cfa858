//! Target (a): the line scanner and the event decoder on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| behave_shell_native::fuzzing::scan_decode(data));
