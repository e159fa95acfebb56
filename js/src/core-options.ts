// The core's options as the wasm bindings read them (by name, from one plain
// object), and what a binding's refusal of them becomes: shared by the
// breakers' wasm (core.ts) and the fleet coordinators' (fleet/wasm.ts),
// without loading either.
import type { CoreOptionNames, CoreOptions } from "./wasm/edgebreaker.js";

/** @internal The options the core checks and keeps, by the names the binding reads them by. */
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
] as const satisfies CoreOptionNames; // every option the binding reads, in the order `status` writes them

/** The core's options as numbers (undefined: the default), in `CORE_OPTION_NAMES` order. */
export type CoreArguments = NumberFor<typeof CORE_OPTION_NAMES>;
type NumberFor<Names extends readonly string[]> = { -readonly [index in keyof Names]?: number | undefined };

/** @internal The binding's options object, by name. */
export function coreOptions(args: CoreArguments): CoreOptions {
  const options: CoreOptions = {};
  CORE_OPTION_NAMES.forEach((option, index) => (options[option] = args[index]));
  return options;
}

/** @internal The options a fleet's coordinator builds its core with: those set, as JSON text. */
export function coreOptionsJson(args: CoreArguments): string {
  return JSON.stringify(coreOptions(args)); // unset options are undefined, which JSON leaves out
}

/**
 * @internal What the binding threw for `options`: its message "<option> must
 * be <rule>" (a string, or an Error's) becomes a RangeError ending with the value given.
 */
export function refusedOptions(error: unknown, options: CoreOptions): unknown {
  const message = typeof error === "string" ? error : error instanceof Error && error.name === "Error" ? error.message : undefined;
  return message === undefined ? error : new RangeError(withValueGiven(message, options));
}

/** The core's message, ending "; got <value>" for the option it names first. */
function withValueGiven(message: string, options: CoreOptions): string {
  if (message.includes("; got ")) return message;
  const option = /^\w+/.exec(message)?.[0];
  return option !== undefined && option in options ? `${message}; got ${options[option as keyof CoreOptions]}` : message;
}
