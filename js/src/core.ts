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

/** The binding's constructor arguments: the core's options, in `CORE_OPTION_NAMES` order. */
export type CoreArguments = ConstructorParameters<typeof WasmBreaker>;

/** @internal The options the core checks and keeps, in the order of the binding's constructor. */
export const CORE_OPTION_NAMES = [
  "failureThreshold",
  "windowSize",
  "resetTimeoutMs",
  "successThreshold",
  "halfOpenMaxCalls",
  "failureRateThreshold",
  "minimumCalls",
  "windowMs",
  "slowCallMs",
  "maxResetTimeoutMs",
  "probeTimeoutMs",
] as const;

/**
 * A core breaker, or a RangeError naming the option the core refused. The
 * binding throws its message as a string, "<option> must be <rule>", without
 * the value (formatting an f64 would cost the wasm 16 KB): the value is
 * added here, as the caller gave it.
 */
export function createCore(args: CoreArguments): WasmBreaker {
  if (!initialised) {
    initSync({ module: wasmModule() });
    initialised = true;
  }
  try {
    return new WasmBreaker(...args);
  } catch (error) {
    throw typeof error === "string" ? new RangeError(withValueGiven(error, args)) : error;
  }
}

/** The core's message, ending "; got <value>" for the option it names first. */
function withValueGiven(message: string, args: CoreArguments): string {
  if (message.includes("; got ")) return message;
  const option = /^\w+/.exec(message)?.[0];
  const index = CORE_OPTION_NAMES.indexOf(option as (typeof CORE_OPTION_NAMES)[number]);
  return index < 0 ? message : `${message}; got ${args[index]}`;
}

export type { WasmBreaker };
