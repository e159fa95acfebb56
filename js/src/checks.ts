// The checks every option and argument shares, so that each rule is written
// once and every message has one shape: "<what> must be <rule>; got <value>".
// `undefined` and `null` both mean "not set" (the default, or off).

import { describe } from "./describe.js";
import type { FleetTransport } from "./fleet/transport.js";

/** setTimeout's largest delay; a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** The largest time or duration the core takes (2^53 - 1 ms). */
const MAX_MS = Number.MAX_SAFE_INTEGER;

/** @internal Whether a value means "not set". */
export function isUnset(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

/**
 * @internal A time limit a timer keeps (`timeoutMs`, `firstByteTimeoutMs`,
 * `idleTimeoutMs`): whole milliseconds from 1 to 2^31 - 1, or undefined when not set.
 * @throws TypeError for a non-number, RangeError for a number out of range.
 */
export function timeLimit(what: string, value: unknown): number | undefined {
  return milliseconds(what, value, 1, MAX_TIMER_MS);
}

/**
 * @internal A duration the core keeps (`forceOpen`'s, a Retry-After, its
 * cap): whole milliseconds from 0 to 2^53 - 1, the core's bound, or
 * undefined when not set. A longer one would reach the core as no time at all.
 * @throws TypeError for a non-number, RangeError for a number out of range.
 */
export function duration(what: string, value: unknown): number | undefined {
  return milliseconds(what, value, 0, MAX_MS);
}

/**
 * A whole number of milliseconds from `min` to `max`, or undefined when not
 * set. A fraction is refused rather than rounded: 2.5 ms is no duration a
 * timer or the core can keep.
 */
function milliseconds(what: string, value: unknown, min: number, max: number): number | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  const message = `${what} must be a whole number of milliseconds from ${min} to ${max}; got ${describe(value)}`;
  throw typeof value === "number" ? new RangeError(message) : new TypeError(message);
}

/**
 * @internal A reading of the `clock` option the core can take as the time
 * to admit a call at: from 0 to 2^53 - 1 (a fraction will do).
 * @throws RangeError naming `clock` for any other value.
 */
export function clockReading(value: unknown): number {
  if (typeof value === "number" && value >= 0 && value <= MAX_MS) return value;
  throw new RangeError(`clock must return a number of milliseconds from 0 to ${MAX_MS}; got ${describe(value)}`);
}

/** @internal A function, or undefined when not set. */
export function optionalFunction<T>(what: string, value: unknown): T | undefined {
  if (isUnset(value)) return undefined;
  return requiredFunction<T>(what, value);
}

/** @internal A function; anything else, unset included, is a TypeError. */
export function requiredFunction<T>(what: string, value: unknown): T {
  if (typeof value !== "function") throw notAFunction(what, value);
  return value as T;
}

/** @internal The TypeError for `value` given where a function must be (to reject with, where nothing may throw). */
export function notAFunction(what: string, value: unknown): TypeError {
  return new TypeError(`${what} must be a function; got ${describe(value)}`);
}

/** @internal An object of options, or undefined when not set. */
export function optionalObject<T extends object>(what: string, value: unknown): T | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== "object") throw new TypeError(`${what} must be an object; got ${describe(value)}`);
  return value as T;
}

/**
 * @internal The `fleet` option: a transport with `sync`, `lease` and `settle`
 * methods, a `syncIntervalMs` and a `timeoutMs` (time limits a timer keeps),
 * and optionally `waitUntil`; or undefined when not set.
 * @throws TypeError / RangeError naming the part that is wrong.
 */
export function fleetTransport(value: unknown): FleetTransport | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== "object") {
    throw new TypeError(`fleet must be a fleet transport such as durableObjectFleet(env.BREAKER_FLEET); got ${describe(value)}`);
  }
  const transport = value as Record<string, unknown>;
  for (const method of ["sync", "lease", "settle"]) requiredFunction(`fleet.${method}`, transport[method]);
  for (const limit of ["syncIntervalMs", "timeoutMs"]) {
    if (isUnset(transport[limit])) throw new TypeError(`fleet.${limit} must be a whole number of milliseconds; got ${describe(transport[limit])}`);
    timeLimit(`fleet.${limit}`, transport[limit]);
  }
  optionalFunction("fleet.waitUntil", transport.waitUntil);
  return value as FleetTransport;
}
