//! The edgebreaker component in wasmtime: bindings generated from the same WIT
//! the component is built from, a clock the host sets, and the one place that
//! knows where the built component lives. The tests, the benchmark and the
//! example host (`src/bin/embed.rs`, which stands alone to be copied) use it.

use std::path::PathBuf;

use wasmtime::component::{Component, HasSelf, Linker, ResourceAny};
use wasmtime::{Engine, Store};

wasmtime::component::bindgen!({
    path: "../../crate/component/wit",
    world: "edgebreaker",
    additional_derives: [PartialEq],
});

pub use exports::edgebreaker::breaker::types::{
    AcquireError, Cause, Config, ConfigError, Metrics, Permit, PermitError, Rejection, SnapshotError, State, Status, Transition,
    WindowTally,
};

/// Where `cargo build -p edgebreaker-component --target wasm32-wasip2 --release`
/// puts the component: `$EDGEBREAKER_COMPONENT` if set, else under
/// `$CARGO_TARGET_DIR`, else under the workspace's `target/`.
pub fn component_path() -> PathBuf {
    if let Some(path) = std::env::var_os("EDGEBREAKER_COMPONENT") {
        return PathBuf::from(path);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"), PathBuf::from);
    target.join("wasm32-wasip2/release/edgebreaker_component.wasm")
}

/// The host's side of the `clock` import: it answers whatever the host set.
#[derive(Debug, Default)]
pub struct HostClock {
    pub now_ms: u64,
}

impl edgebreaker::breaker::clock::Host for HostClock {
    fn now_ms(&mut self) -> u64 {
        self.now_ms
    }
}

/// The compiled component and a linker that supplies its one import.
pub struct Runtime {
    pub engine: Engine,
    pub component: Component,
    pre: EdgebreakerPre<HostClock>,
}

impl Runtime {
    /// Compiles the component at [`component_path`] (once; instances are cheap).
    pub fn load() -> wasmtime::Result<Runtime> {
        let path = component_path();
        let engine = Engine::default();
        let component = Component::from_file(&engine, &path).map_err(|error| {
            error.context(format!(
                "cannot load the component from {}; build it first: \
                 cargo build -p edgebreaker-component --target wasm32-wasip2 --release",
                path.display()
            ))
        })?;
        let mut linker = Linker::new(&engine);
        Edgebreaker::add_to_linker::<HostClock, HasSelf<HostClock>>(&mut linker, |clock| clock)?;
        let pre = EdgebreakerPre::new(linker.instantiate_pre(&component)?)?;
        Ok(Runtime { engine, component, pre })
    }

    /// A fresh instance (its own registry and breakers) with the clock at 0.
    pub fn instantiate(&self) -> wasmtime::Result<Plugin> {
        let mut store = Store::new(&self.engine, HostClock::default());
        let bindings = self.pre.instantiate(&mut store)?;
        Ok(Plugin { store, bindings })
    }
}

/// One instance of the component and its store, with a method per export.
pub struct Plugin {
    pub store: Store<HostClock>,
    pub bindings: Edgebreaker,
}

/// Errors from wasmtime itself (a trap, a bad handle) are `Err`; the
/// component's own answers are the inner `Result`.
type Answer<T, E> = wasmtime::Result<Result<T, E>>;

impl Plugin {
    /// Sets the clock the component reads on its next operations.
    pub fn set_time(&mut self, now_ms: u64) {
        self.store.data_mut().now_ms = now_ms;
    }

    pub fn create(&mut self, name: Option<&str>, config: Config) -> Answer<ResourceAny, ConfigError> {
        let breakers = self.bindings.edgebreaker_breaker_breakers().breaker();
        breakers.call_create(&mut self.store, name, config)
    }

    pub fn name(&mut self, breaker: ResourceAny) -> wasmtime::Result<String> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_name(&mut self.store, breaker)
    }

    pub fn acquire(&mut self, breaker: ResourceAny) -> Answer<Permit, AcquireError> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_acquire(&mut self.store, breaker)
    }

    pub fn success(&mut self, breaker: ResourceAny, permit: Permit) -> Answer<(), PermitError> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_success(&mut self.store, breaker, permit)
    }

    pub fn failure(&mut self, breaker: ResourceAny, permit: Permit) -> Answer<(), PermitError> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_failure(&mut self.store, breaker, permit)
    }

    pub fn ignore(&mut self, breaker: ResourceAny, permit: Permit) -> Answer<(), PermitError> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_ignore(&mut self.store, breaker, permit)
    }

    pub fn failure_with_retry_after(
        &mut self,
        breaker: ResourceAny,
        permit: Permit,
        retry_after_ms: u64,
    ) -> Answer<(), PermitError> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_failure_with_retry_after(
            &mut self.store,
            breaker,
            permit,
            retry_after_ms,
        )
    }

    pub fn state(&mut self, breaker: ResourceAny) -> wasmtime::Result<State> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_state(&mut self.store, breaker)
    }

    pub fn status(&mut self, breaker: ResourceAny) -> wasmtime::Result<Status> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_status(&mut self.store, breaker)
    }

    pub fn reset(&mut self, breaker: ResourceAny) -> wasmtime::Result<()> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_reset(&mut self.store, breaker)
    }

    pub fn force_open(&mut self, breaker: ResourceAny, duration_ms: Option<u64>) -> wasmtime::Result<()> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_force_open(&mut self.store, breaker, duration_ms)
    }

    pub fn snapshot(&mut self, breaker: ResourceAny) -> wasmtime::Result<String> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_snapshot(&mut self.store, breaker)
    }

    pub fn restore(&mut self, name: Option<&str>, config: Config, snapshot: &str) -> Answer<ResourceAny, SnapshotError> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_restore(&mut self.store, name, config, snapshot)
    }

    pub fn state_changes(&mut self, breaker: ResourceAny) -> wasmtime::Result<u64> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_state_changes(&mut self.store, breaker)
    }

    pub fn transitions_since(&mut self, breaker: ResourceAny, seen: u64) -> wasmtime::Result<Vec<Transition>> {
        self.bindings.edgebreaker_breaker_breakers().breaker().call_transitions_since(&mut self.store, breaker, seen)
    }

    /// Frees the host's handle; the breaker lives on while the registry holds it.
    pub fn drop_breaker(&mut self, breaker: ResourceAny) -> wasmtime::Result<()> {
        breaker.resource_drop(&mut self.store)
    }

    pub fn get_or_create(&mut self, name: &str, config: Config) -> Answer<ResourceAny, ConfigError> {
        self.bindings.edgebreaker_breaker_registry().call_get_or_create(&mut self.store, name, config)
    }

    pub fn list(&mut self) -> wasmtime::Result<Vec<Status>> {
        self.bindings.edgebreaker_breaker_registry().call_list(&mut self.store)
    }

    pub fn reset_all(&mut self) -> wasmtime::Result<()> {
        self.bindings.edgebreaker_breaker_registry().call_reset_all(&mut self.store)
    }

    pub fn remove(&mut self, name: &str) -> wasmtime::Result<bool> {
        self.bindings.edgebreaker_breaker_registry().call_remove(&mut self.store, name)
    }

    pub fn clear(&mut self) -> wasmtime::Result<()> {
        self.bindings.edgebreaker_breaker_registry().call_clear(&mut self.store)
    }
}

/// A config with every option left to its default.
pub fn defaults() -> Config {
    Config {
        failure_threshold: None,
        window_size: None,
        reset_timeout_ms: None,
        success_threshold: None,
        half_open_max_calls: None,
        failure_rate_threshold: None,
        minimum_calls: None,
        window_ms: None,
        slow_call_ms: None,
        max_reset_timeout_ms: None,
        probe_timeout_ms: None,
    }
}
