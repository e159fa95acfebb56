//! The example host (src/bin/embed.rs, quoted in the README) builds with the
//! tests and runs here against the same component, so it cannot rot.

use std::process::Command;

use edgebreaker_wasmtime::component_path;

#[test]
fn the_example_host_runs_with_the_real_clock() {
    crate::support::runtime(); // checks the component is built and fresh
    let output = Command::new(env!("CARGO_BIN_EXE_embed")).arg(component_path()).output().expect("embed runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "embed failed: {}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("llm-api is State::Closed"), "{stdout}");
}

/// The README quotes the example host; every line it shows must stand in the
/// file, in the same order.
#[test]
fn the_readme_quotes_the_example_host_as_it_is() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).expect("README.md");
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/bin/embed.rs")).expect("embed.rs");
    let quoted = readme
        .split_once("<!-- snippet: embed.rs -->")
        .and_then(|(_, rest)| rest.split_once("```rust\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("README.md quotes the example host after <!-- snippet: embed.rs -->");
    let mut rest = source.as_str();
    for line in quoted.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let at = rest.find(line).unwrap_or_else(|| panic!("README line not in embed.rs (or out of order): {line}"));
        rest = &rest[at + line.len()..];
    }
}
