// The core options a member sends its coordinator as JSON text, read back
// wherever a coordinator runs (a Durable Object, a member deciding against a
// store): the names are checked here, the ranges by the core.
import { CORE_OPTION_NAMES } from "../core-options.js";
import { describe } from "../describe.js";
import type { CoreOptions } from "../wasm/edgebreaker.js";

/** The core options in `optionsJson`: an object of numbers (or null) by the core's option names; the core checks their ranges. */
export function readOptions(optionsJson: string): CoreOptions {
  let given: unknown;
  try {
    given = JSON.parse(optionsJson);
  } catch {
    throw new TypeError("optionsJson must be JSON text of an object");
  }
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new TypeError(`optionsJson must hold an object; got ${describe(given)}`);
  }
  const options: CoreOptions = {};
  for (const [name, value] of Object.entries(given)) {
    if (!(CORE_OPTION_NAMES as readonly string[]).includes(name)) throw new TypeError(`optionsJson: unknown option "${name.slice(0, 40)}"`);
    if (value !== null && typeof value !== "number") throw new TypeError(`optionsJson: ${name} must be a number; got ${describe(value)}`);
    options[name as keyof CoreOptions] = value ?? undefined;
  }
  return options;
}
