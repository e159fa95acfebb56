//! The component imports the clock and nothing else: no WASI, so a host
//! supplies one function and no more. (It is `no_std` on wasm32-wasip2, so the
//! target requires no imports of its own.)

use crate::support::runtime;

#[test]
fn the_only_import_is_the_clock() {
    let runtime = runtime();
    let ty = runtime.component.component_type();
    let imports: Vec<&str> = ty.imports(&runtime.engine).map(|(name, _)| name).collect();
    assert_eq!(imports, ["edgebreaker:breaker/clock@0.1.0"]);
}

#[test]
fn the_exports_are_the_types_the_breaker_and_the_registry() {
    let runtime = runtime();
    let ty = runtime.component.component_type();
    let exports: Vec<&str> = ty.exports(&runtime.engine).map(|(name, _)| name).collect();
    assert_eq!(
        exports,
        ["edgebreaker:breaker/types@0.1.0", "edgebreaker:breaker/breakers@0.1.0", "edgebreaker:breaker/registry@0.1.0"]
    );
}
