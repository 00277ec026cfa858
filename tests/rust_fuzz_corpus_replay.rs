//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! harnesses the cargo-fuzz targets run (`behave_shell_native::fuzzing`),
//! so every `cargo test` re-checks what fuzzing found.
//!
//! `BSN_FUZZ_CORPUS=<dir>` replays `<dir>/<target>/` instead (e.g. a
//! fuzzer's working corpus).

use behave_shell_native::fuzzing;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// Inputs larger than this are left to the fuzzer (its own `-max_len`).
const MAX_INPUT: u64 = 1 << 20;

fn replay(target: &str, harness: fn(&[u8])) {
    let root = std::env::var_os("BSN_FUZZ_CORPUS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus"),
        PathBuf::from,
    );
    let dir = root.join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(|e| Some(e.ok()?.path())).collect(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    files.sort();
    let mut replayed = 0;
    let mut failed = Vec::new();
    for file in files {
        let size = std::fs::metadata(&file).map_or(u64::MAX, |m| m.len());
        if !file.is_file() || size > MAX_INPUT {
            continue;
        }
        let data = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if catch_unwind(AssertUnwindSafe(|| harness(&data))).is_err() {
            failed.push(file.display().to_string());
        }
        replayed += 1;
    }
    assert!(replayed > 0, "no corpus inputs in {}", dir.display());
    assert!(failed.is_empty(), "{target}: inputs failed: {failed:#?}");
}

#[test]
fn scan_decode_corpus() {
    replay("scan_decode", fuzzing::scan_decode);
}

/// The only test here that reads shards: its harness sets the process-wide
/// line limit.
#[test]
fn shard_file_corpus() {
    replay("shard_file", fuzzing::shard_file);
}

#[test]
fn extract_events_corpus() {
    replay("extract_events", fuzzing::extract_events);
}
