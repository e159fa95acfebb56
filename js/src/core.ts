// The wasm instance, created on first use. No module here does anything when
// imported ("sideEffects": false holds), and a program that imports the
// package but never builds a breaker never compiles the wasm.
//
// `#wasm-module` is chosen by package.json "imports" for each runtime: bytes
// inlined and compiled synchronously where a host may do that (Node, Deno,
// browsers), a module the bundler hands over where it may not (workerd).
import { initSync, WasmBreaker } from "./wasm/edgebreaker.js";
import { wasmModule } from "#wasm-module";

let initialised = false;

/** The binding's constructor arguments, in its order (see options.ts). */
export type CoreArguments = ConstructorParameters<typeof WasmBreaker>;

/**
 * A core breaker, or a RangeError naming the option the core refused (the
 * binding throws its message as a string).
 */
export function createCore(args: CoreArguments): WasmBreaker {
  if (!initialised) {
    initSync({ module: wasmModule() });
    initialised = true;
  }
  try {
    return new WasmBreaker(...args);
  } catch (error) {
    throw typeof error === "string" ? new RangeError(error) : error;
  }
}

export type { WasmBreaker };
