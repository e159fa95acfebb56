//! What every test shares: the component, compiled once, and a check that it
//! is not older than its sources (a stale build would test old code).

use std::path::Path;
use std::sync::OnceLock;
use std::time::SystemTime;

use edgebreaker_wasmtime::{component_path, Plugin, Runtime};

/// The compiled component, shared by every test in this binary.
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        assert_fresh();
        Runtime::load().unwrap_or_else(|error| panic!("{error:?}"))
    })
}

/// A new instance: its own breakers and registry, the clock at 0.
pub fn plugin() -> Plugin {
    runtime().instantiate().expect("the component instantiates")
}

/// A wasmtime error as a test failure's words.
pub fn trap(error: wasmtime::Error) -> String {
    format!("wasmtime error (the component must never trap): {error:?}")
}

fn assert_fresh() {
    let built = component_path();
    let Ok(built_at) = std::fs::metadata(&built).and_then(|meta| meta.modified()) else {
        return; // Runtime::load says how to build it
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let sources = ["crate/component/src", "crate/component/wit", "crate/core/src"];
    let newest = sources.iter().filter_map(|dir| newest_in(&root.join(dir))).max();
    if let Some(newest) = newest {
        assert!(
            newest <= built_at,
            "{} is older than its sources; rebuild it: \
             cargo build -p edgebreaker-component --target wasm32-wasip2 --release",
            built.display()
        );
    }
}

fn newest_in(dir: &Path) -> Option<SystemTime> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.metadata().and_then(|meta| meta.modified()).ok())
        .max()
}
