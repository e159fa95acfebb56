//! The walk over a folder of vectors, shared by the breaker's and the fleet's
//! runners: every `.json` file in name order, each run by `run`; fails naming
//! each vector that did not pass, and why. Returns how many ran.

use std::path::Path;

use serde_json::Value;

pub fn run_each_vector(dir: &Path, at_least: usize, run: impl Fn(&Value) -> Result<(), String>) -> usize {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= at_least, "expected at least {at_least} vectors in {}, found {}", dir.display(), files.len());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).expect("readable vector");
            let vector: Value = serde_json::from_str(&text).expect("vector is JSON");
            run(&vector).err().map(|why| format!("{}: {why}", path.file_name().unwrap_or_default().to_string_lossy()))
        })
        .collect();
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), files.len(), failures.join("\n"));
    files.len()
}
