import { isUnset, optionalFunction, optionalObject, timeLimit } from "./checks.js";
import { CORE_OPTION_NAMES, type CoreArguments } from "./core-options.js";
import { describe } from "./describe.js";
import { absentOption, FEATURE_OPTION_NAMES, validateFeatureOptions } from "./features.js";
import { PROTECT_FETCH_ONLY, type FetchOptions, type ValidFetchOptions } from "./fetch/options.js";
import type { FleetTransport } from "./fleet/transport.js";
import type { StateChange } from "./status.js";
import { closestName } from "./suggest.js";

/**
 * Options of `new CircuitBreaker()`. All are optional: `undefined` and `null`
 * both mean "not set", which is the default, or off for a setting that is off
 * by default. Durations are whole milliseconds. The numeric options are the
 * core's (see "Options" in the README); the rest need a JavaScript runtime.
 *
 * `F` is what `fallback` returns (`never` without one): a call's result is
 * the function's or the fallback's.
 */
export interface CircuitBreakerOptions<F = never> extends FetchOptions {
  /** Identifies the breaker in status, errors, logs and the registry: a non-empty string. Default: `"breaker-<n>"`. */
  name?: string | null;
  /** Failures within the window that open the circuit: an integer from 1 to `windowSize`. Default 5. */
  failureThreshold?: number | null;
  /** How many of the most recent outcomes the window tracks: an integer from 1 to 4096. Default 10. */
  windowSize?: number | null;
  /** Milliseconds (at least 1) the circuit stays open before a probe is let through. Default 60000. */
  resetTimeoutMs?: number | null;
  /** Consecutive probe successes in half-open that close the circuit: an integer ≥ 1. Default 2. */
  successThreshold?: number | null;
  /** Probes in flight at once while half-open: an integer from 1 to 4096. Default 1. */
  halfOpenMaxCalls?: number | null;
  /**
   * Also open when the window's failure rate reaches this (0 < rate ≤ 1),
   * once it holds `minimumCalls` outcomes. Default: off.
   */
  failureRateThreshold?: number | null;
  /** Outcomes the window must hold before `failureRateThreshold` applies: 1 to `windowSize`. Default `windowSize`. */
  minimumCalls?: number | null;
  /** Outcomes older than this many milliseconds (at least 1) leave the window. Default: off (count window only). */
  windowMs?: number | null;
  /** A success that took at least this many milliseconds (0 or more) counts as a failure (a slow call). Default: off. */
  slowCallMs?: number | null;
  /**
   * Each consecutive re-open doubles the open time, up to this many
   * milliseconds (at least `resetTimeoutMs`). Default `resetTimeoutMs` (no backoff).
   */
  maxResetTimeoutMs?: number | null;
  /** A half-open probe not settled within this many milliseconds (at least 1) counts as failed. Default `resetTimeoutMs`. */
  probeTimeoutMs?: number | null;
  /**
   * Give up on a call after this many milliseconds: it counts as a failure and
   * rejects with `TimeoutError` (or goes to `fallback`). The function itself
   * is not cancelled; its late outcome is dropped. From 1 to 2147483647. Default: off.
   *
   * For `breaker.fetch` it is the total time spent waiting on the upstream:
   * for the response headers, and for each chunk of the body while a reader
   * waits for it. A reader that reads slowly, or not at all, adds nothing; the
   * upstream request is aborted when it runs out, even after the call was judged.
   */
  timeoutMs?: number | null;
  /**
   * The time source, in milliseconds. Default `Date.now`. A fake clock makes
   * tests deterministic. Readings are from 0 to 2^53-1 (`acquire` throws a
   * RangeError naming `clock` for any other; elsewhere it counts as the latest
   * time). It may go backwards: a reading less than a second early counts as
   * the latest time, and a clock set back by more goes on from its new
   * reading, so nothing waits longer than it should.
   */
  clock?: (() => number) | null;
  /**
   * Judges an error thrown by a protected call: return `false` when it is not
   * the upstream's fault (a 4xx, a validation error), and the call is recorded
   * as ignored (no trace in the window, no fallback: the error is rethrown).
   * Anything else, or throwing, counts as a failure. Default: every error is a failure.
   */
  isFailure?: ((error: unknown) => boolean) | null;
  /**
   * Called instead of failing when a call is refused (with a
   * `CircuitBreakerError`) or fails (with its error, or a `TimeoutError`),
   * with the call's arguments after the error. Its return value becomes the
   * call's result, so a call's result type includes it. Not called for
   * errors that `isFailure` ignores. Default: none (the error is thrown).
   */
  fallback?: ((error: unknown, ...args: any[]) => F) | null;
  /**
   * Called on every change of state, after the "statechange" event. If it
   * throws, the error is reported with `console.error` and the breaker goes on.
   */
  onStateChange?: ((change: StateChange) => void) | null;
  /**
   * Where state changes are logged: `warn` on opening, `info` on closing,
   * `debug` on half-opening. Messages carry names, states, causes, times and counts,
   * never a call's arguments, results or errors. `console` works. A method
   * that throws is reported with `console.error`; the breaker goes on.
   */
  logger?: BreakerLogger | null;
  /**
   * Makes this breaker one of a fleet: every isolate (or process) whose breaker
   * has this name and a fleet transport to the same coordinator acts as one
   * breaker. On Cloudflare: `durableObjectFleet(env.BREAKER_FLEET)` from
   * "edgebreaker/cloudflare". No round trip on the call path while the fleet
   * is closed or open: a background sync at most every `syncIntervalMs` while
   * calls come, at once when the local breaker trips; one lease round trip for
   * a probe while the fleet is half-open (`call`, `wrap` and `fetch` wait for
   * it; `acquire` and `callSync` cannot: they are refused as by a full
   * half-open while a lease is fetched in the background, which the next call
   * takes). A coordinator that fails leaves the calls to the local breaker.
   * `getStatus().fleet` shows the fleet. Default: none.
   */
  fleet?: FleetTransport | null;
}

/** Any object with some of these methods, e.g. `console` or a pino/winston logger. */
export interface BreakerLogger {
  debug?: ((message: string, detail: StateChange & { stateChanges: number }) => void) | null;
  info?: ((message: string, detail: StateChange & { stateChanges: number }) => void) | null;
  warn?: ((message: string, detail: StateChange & { stateChanges: number }) => void) | null;
}

/** @internal What the breaker keeps of its options after validation. */
export interface ValidOptions {
  name: string | undefined;
  /** Arguments of the binding's constructor, in its order. */
  core: CoreArguments;
  timeoutMs: number | undefined;
  clock: (() => number) | undefined;
  isFailure: ((error: unknown) => boolean) | undefined;
  fallback: ((error: unknown, ...args: any[]) => unknown) | undefined;
  onStateChange: ((change: StateChange) => void) | undefined;
  logger: BreakerLogger | undefined;
  fleet: FleetTransport | undefined;
  /** What `breaker.fetch` reads only. */
  fetch: ValidFetchOptions;
}

const FUNCTIONS = ["clock", "isFailure", "fallback", "onStateChange"] as const;
const LOGGER_METHODS = ["debug", "info", "warn"] as const;

/** Every option name, in the order the docs list them. */
const OPTION_NAMES: readonly string[] = Object.freeze([
  "name",
  ...CORE_OPTION_NAMES,
  "timeoutMs",
  ...FUNCTIONS,
  "logger",
  ...FEATURE_OPTION_NAMES,
]);

/**
 * @internal
 * Checks every option (the fetch ones too) before a core is built: types,
 * and the ranges of the JS-only ones; the core checks the ranges of the
 * rest when the breaker is built (its message names the option, and
 * createCore adds the value given). `undefined` and `null` both mean "not
 * set": the default, or off.
 */
export function validateOptions(options: unknown): ValidOptions {
  const given = optionalObject<Record<string, unknown>>("options", options) ?? {};
  for (const key of Object.keys(given)) {
    // An option of a feature this build leaves out, unset, is not set (a config shared with "edgebreaker").
    if (OPTION_NAMES.includes(key) || (isUnset(given[key]) && absentOption(key) !== undefined)) continue;
    throw new TypeError(unknownOption(key));
  }
  return {
    name: name(given.name),
    core: CORE_OPTION_NAMES.map((option) => number(option, given[option])) as CoreArguments,
    timeoutMs: timeLimit("timeoutMs", given.timeoutMs),
    logger: logger(given.logger),
    clock: optionalFunction("clock", given.clock),
    isFailure: optionalFunction("isFailure", given.isFailure),
    fallback: optionalFunction("fallback", given.fallback),
    onStateChange: optionalFunction("onStateChange", given.onStateChange),
    ...validateFeatureOptions(given),
  };
}

/** Names the one valid option a typo was most likely meant to be, rather than listing them all. */
function unknownOption(key: string): string {
  const absent = absentOption(key);
  if (absent !== undefined) return absent;
  if (PROTECT_FETCH_ONLY.includes(key)) return `unknown option "${key}": only protectFetch takes it`;
  const meant = closestName(key, [...OPTION_NAMES, ...PROTECT_FETCH_ONLY]);
  return meant === undefined ? `unknown option "${key}"` : `unknown option "${key}"; did you mean "${meant}"?`;
}

/** A number for the core to check, or undefined (the core's default) when not set. */
function number(option: string, value: unknown): number | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== "number") throw new TypeError(`${option} must be a number; got ${describe(value)}`);
  return value;
}

function name(value: unknown): string | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== "string" || value.length === 0) {
    const message = `name must be a non-empty string; got ${describe(value)}`;
    throw typeof value === "string" ? new RangeError(message) : new TypeError(message);
  }
  return value;
}

function logger(value: unknown): BreakerLogger | undefined {
  if (isUnset(value)) return undefined;
  if (typeof value !== "object") {
    throw new TypeError(`logger must be an object with debug, info or warn methods; got ${describe(value)}`);
  }
  for (const method of LOGGER_METHODS) optionalFunction(`logger.${method}`, (value as Record<string, unknown>)[method]);
  return value as BreakerLogger;
}
