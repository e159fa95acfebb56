//! wasmtime's own cost per crossing, measured on the least code that makes
//! each one (`floor.wat`), so the bench can say how much of the component's
//! figure is the engine and how much is edgebreaker.

use wasmtime::component::{Component, Linker, ResourceAny, TypedFunc};
use wasmtime::{Engine, Instance, Module, Store};

use crate::Loop;

/// The least component: see `floor.wat` for what each export does.
const FLOOR_COMPONENT: &str = include_str!("floor.wat");

/// A plain core module with one empty function, for wasmtime's core call.
const NOP_MODULE: &str = r#"(module (func (export "nop")))"#;

/// One call of an empty core wasm function.
pub fn core_nop(engine: &Engine) -> wasmtime::Result<Loop> {
    let mut store = Store::new(engine, ());
    let module = Module::new(engine, wat::parse_str(NOP_MODULE)?)?;
    let nop = Instance::new(&mut store, &module, &[])?.get_typed_func::<(), ()>(&mut store, "nop")?;
    Ok(Box::new(move |loops| (0..loops).try_for_each(|_| nop.call(&mut store, ()))))
}

/// The floor component instantiated, with its clock import answered at a fixed time.
struct Floor {
    store: Store<()>,
    instance: wasmtime::component::Instance,
}

impl Floor {
    fn new(engine: &Engine) -> wasmtime::Result<Floor> {
        let component = Component::new(engine, wat::parse_str(FLOOR_COMPONENT)?)?;
        let mut linker = Linker::new(engine);
        linker.root().func_wrap("now-ms", |_, ()| Ok((1_000_u64,)))?;
        let mut store = Store::new(engine, ());
        let instance = linker.instantiate(&mut store, &component)?;
        Ok(Floor { store, instance })
    }

    fn func<Params, Results>(&mut self, name: &str) -> wasmtime::Result<TypedFunc<Params, Results>>
    where
        Params: wasmtime::component::ComponentNamedList + wasmtime::component::Lower,
        Results: wasmtime::component::ComponentNamedList + wasmtime::component::Lift,
    {
        self.instance.get_typed_func(&mut self.store, name)
    }

    /// A handle to one resource, for the methods to borrow.
    fn thing(&mut self) -> wasmtime::Result<ResourceAny> {
        let (thing,) = self.func::<(), (ResourceAny,)>("make")?.call(&mut self.store, ())?;
        Ok(thing)
    }
}

/// One call of a component export with no parameters and no results.
pub fn component_nop(engine: &Engine) -> wasmtime::Result<Loop> {
    let mut floor = Floor::new(engine)?;
    let nop = floor.func::<(), ()>("nop")?;
    Ok(Box::new(move |loops| (0..loops).try_for_each(|_| nop.call(&mut floor.store, ()))))
}

/// One method call on a resource the host holds (the handle lent for the call), doing nothing.
pub fn resource_method(engine: &Engine) -> wasmtime::Result<Loop> {
    let mut floor = Floor::new(engine)?;
    let thing = floor.thing()?;
    let touch = floor.func::<(ResourceAny,), ()>("touch")?;
    Ok(Box::new(move |loops| (0..loops).try_for_each(|_| touch.call(&mut floor.store, (thing,)))))
}

/// The same method, which also calls a host import once (as each breaker operation reads the clock).
pub fn resource_method_reading_clock(engine: &Engine) -> wasmtime::Result<Loop> {
    let mut floor = Floor::new(engine)?;
    let thing = floor.thing()?;
    let touch = floor.func::<(ResourceAny,), (u64,)>("touch-and-read-clock")?;
    Ok(Box::new(move |loops| {
        (0..loops).try_for_each(|_| touch.call(&mut floor.store, (thing,)).map(|(now,)| _ = std::hint::black_box(now)))
    }))
}
