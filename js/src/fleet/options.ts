// The core options a member sends its coordinator as JSON text, read back
// wherever a coordinator runs (a Durable Object, a member deciding against a
// store): the names are checked here, the ranges by the core.
import { CORE_OPTION_NAMES, coreNumbers, type CoreArguments } from "../core-options.js";
import { describe } from "../describe.js";

/**
 * The core options in `optionsJson` (an object of numbers, or null for the
 * default, by the core's option names) as the binding reads them
 * (`coreNumbers`). The core checks their ranges.
 */
export function readOptions(optionsJson: string): Float64Array {
  let given: unknown;
  try {
    given = JSON.parse(optionsJson);
  } catch {
    throw new TypeError("optionsJson must be JSON text of an object");
  }
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    throw new TypeError(`optionsJson must hold an object; got ${describe(given)}`);
  }
  const args: CoreArguments = [];
  for (const [name, value] of Object.entries(given)) {
    const index = (CORE_OPTION_NAMES as readonly string[]).indexOf(name);
    if (index < 0) throw new TypeError(`optionsJson: unknown option "${name.slice(0, 40)}"`);
    if (value !== null && typeof value !== "number") throw new TypeError(`optionsJson: ${name} must be a number; got ${describe(value)}`);
    args[index] = value ?? undefined;
  }
  return coreNumbers(args);
}
