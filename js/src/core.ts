// The breakers' wasm instance, created on first use. No module here does anything when
// imported ("sideEffects": false holds), and a program that imports the
// package but never builds a breaker never compiles the wasm.
//
// `#wasm-module` is chosen by package.json "imports" for each runtime: bytes
// inlined and compiled synchronously where a host may do that (Node, Deno,
// browsers), a module the bundler hands over where it may not (workerd).
import { coreNumbers, refusedOptions, type CoreArguments } from "./core-options.js";
import { initSync, maxSnapshotBytes, WasmBreaker, WasmFigures } from "./wasm/edgebreaker.js";
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

/**
 * A core breaker restored from a snapshot's JSON text at `now`, or a
 * RangeError naming the option or the snapshot's field the core refused
 * (`snapshot.generation`, `snapshot.window[2].ageMs`). Text longer than the
 * core reads is refused before it is copied into wasm memory.
 */
export function restoreCore(args: CoreArguments, json: string, now: number): WasmBreaker {
  initialiseWasm();
  const numbers = coreNumbers(args);
  // A UTF-16 unit is at least one byte of UTF-8, so no text within the cap is refused here.
  if (json.length > maxSnapshotBytes()) {
    throw new RangeError(`snapshot must be at most ${maxSnapshotBytes()} bytes of JSON; got ${json.length}`);
  }
  try {
    return WasmBreaker.restore(numbers, json, now);
  } catch (error) {
    // The binding throws a refused option as a string, a refused snapshot as an Error.
    if (typeof error === "string") throw refusedOptions(error, numbers);
    if (error instanceof Error && error.name === "Error") {
      throw new RangeError(error.message.startsWith("snapshot ") ? error.message : `snapshot.${error.message}`);
    }
    throw error;
  }
}

/** Instantiates the wasm, once per copy of the glue. */
function initialiseWasm(): void {
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

export { WasmFigures };
export type { WasmBreaker };
