// The breakers' wasm instance, created on first use. No module here does anything when
// imported ("sideEffects": false holds), and a program that imports the
// package but never builds a breaker never compiles the wasm.
//
// `#wasm-module` is chosen by package.json "imports" for each runtime: bytes
// inlined and compiled synchronously where a host may do that (Node, Deno,
// browsers), a module the bundler hands over where it may not (workerd).
// edgebreaker/lite is built with its own wasm and glue in their place
// (scripts/entries.mjs).
import { coreNumbers, refusedOptions, type CoreArguments } from "./core-options.js";
import { initSync, WasmBreaker } from "./wasm/edgebreaker.js";
import { wasmModule } from "#wasm-module";

let initialised = false;
/** The instance's memory, for the views that read numbers the core wrote there (figures.ts). */
let memory: WebAssembly.Memory | undefined;

/**
 * A core breaker, or a RangeError naming the option the core refused. The
 * binding reads the options as numbers in the order of its `CoreOptionNames`,
 * which the build copies into `CORE_OPTION_NAMES`. It throws
 * its message as a string, "<option> must be <rule>", without the value
 * (formatting an f64 would cost the wasm 16 KB): the value is added here, as
 * the caller gave it.
 */
export function createCore(args: CoreArguments): WasmBreaker {
  initialiseWasm();
  const numbers = coreNumbers(args);
  try {
    return new WasmBreaker(numbers);
  } catch (error) {
    throw refusedOptions(error, numbers);
  }
}

/** Instantiates the wasm, once per copy of the glue. */
export function initialiseWasm(): void {
  if (!initialised) {
    memory = initSync({ module: wasmModule() }).memory;
    initialised = true;
  }
}

/** @internal The wasm instance's memory, instantiating it first if need be. */
export function wasmMemory(): WebAssembly.Memory {
  initialiseWasm();
  return memory!;
}

export type { WasmBreaker };
