// Breakers restored from snapshots, in the breakers' wasm (not edgebreaker/lite's).
import { initialiseWasm } from "./core.js";
import { coreNumbers, refusedOptions, type CoreArguments } from "./core-options.js";
import { maxSnapshotBytes, WasmBreaker } from "./wasm/edgebreaker.js";

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
