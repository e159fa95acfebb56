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
