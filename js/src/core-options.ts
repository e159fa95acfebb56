// The core's options as the wasm bindings read them (one number each, in the
// order of the binding's `CoreOptionNames`), as a fleet's members send them
// (JSON, by name), and what a binding's refusal of them becomes: shared by
// the breakers' wasm (core.ts) and the fleet coordinators' (fleet/wasm.ts),
// without loading either.
import { CORE_OPTION_NAMES } from "./wasm/core-names.js";

/** @internal The options the core checks and keeps, in the order the binding reads them (and `status` writes them). */
export { CORE_OPTION_NAMES };

/** The core's options as numbers (undefined: the default), in `CORE_OPTION_NAMES` order. */
export type CoreArguments = NumberFor<typeof CORE_OPTION_NAMES>;
type NumberFor<Names extends readonly string[]> = { -readonly [index in keyof Names]?: number | undefined };

/**
 * @internal The options as the binding reads them: a number each, in
 * `CORE_OPTION_NAMES` order, then which of them were given (bit i for option
 * i; the others take the core's default). A NaN given is the caller's, for the core to refuse.
 */
export function coreNumbers(args: CoreArguments): Float64Array {
  const numbers = new Float64Array(CORE_OPTION_NAMES.length + 1);
  let given = 0;
  CORE_OPTION_NAMES.forEach((_, index) => {
    const value = args[index];
    if (value === undefined) return;
    numbers[index] = value;
    given |= 1 << index;
  });
  numbers[CORE_OPTION_NAMES.length] = given;
  return numbers;
}

/** @internal The options a fleet's coordinator builds its core with: those set, by name, as JSON text. */
export function coreOptionsJson(args: CoreArguments): string {
  const options: Record<string, number | undefined> = {};
  CORE_OPTION_NAMES.forEach((option, index) => (options[option] = args[index]));
  return JSON.stringify(options); // unset options are undefined, which JSON leaves out
}

/**
 * @internal What the binding threw for `numbers` (`coreNumbers`): its message
 * "<option> must be <rule>" (a string, or an Error's) becomes a RangeError
 * ending with the value given.
 */
export function refusedOptions(error: unknown, numbers: Float64Array): unknown {
  const message = typeof error === "string" ? error : error instanceof Error && error.name === "Error" ? error.message : undefined;
  return message === undefined ? error : new RangeError(withValueGiven(message, numbers));
}

/** The core's message, ending "; got <value>" for the option it names first. */
function withValueGiven(message: string, numbers: Float64Array): string {
  if (message.includes("; got ")) return message;
  const index = (CORE_OPTION_NAMES as readonly string[]).indexOf(/^\w+/.exec(message)?.[0] ?? "");
  const given = index >= 0 && ((numbers[CORE_OPTION_NAMES.length] ?? 0) & (1 << index)) !== 0;
  return given ? `${message}; got ${numbers[index]}` : message;
}
