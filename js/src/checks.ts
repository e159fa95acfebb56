// The checks every option and argument shares, so that each rule is written
// once and every message has one shape: "<what> must be <rule>; got <value>".
// `undefined` and `null` both mean "not set" (the default, or off).

import { describe } from "./describe.js";

/** setTimeout's largest delay; a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The largest time or duration the core takes (2^53 - 1 ms). */
export const MAX_MS = Number.MAX_SAFE_INTEGER;

/** @internal Whether a value means "not set". */
export function isUnset(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/**
 * @internal A whole number of milliseconds from `min` to `max`, or undefined
 * when not set. A fraction is refused rather than rounded: 2.5 ms is no
 * duration a timer or the core can keep.
 * @throws TypeError for a non-number, RangeError for a number out of range.
 */
export function milliseconds(what: string, value: unknown, min: number, max: number): number | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  const message = `${what} must be a whole number of milliseconds from ${min} to ${max}; got ${describe(value)}`;
  throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
}

/** @internal A function, or undefined when not set. */
export function optionalFunction<T>(what: string, value: unknown): T | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== "function") throw new TypeError(`${what} must be a function; got ${describe(value)}`);
  return value as T;
}
