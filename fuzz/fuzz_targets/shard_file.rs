//! Target (b): `events_for_sid`, `sessions` and `extract_shard` on an arbitrary shard file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| behave_shell_native::fuzzing::shard_file(data));
