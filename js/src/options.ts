import type { CoreArguments } from "./core.js";
import { describe } from "./describe.js";
import { FETCH_OPTION_NAMES, type FetchOptions } from "./fetch/options.js";
import type { StateChange } from "./status.js";

/**
 * Options of `new CircuitBreaker()`. All are optional. The numeric options
 * are the core's (DESIGN §2); the rest need a JavaScript runtime.
 */
export interface CircuitBreakerOptions extends FetchOptions {
  /** Identifies the breaker in status, errors, logs and the registry. Default: `"breaker-<n>"`. */
  name?: string;
  /** Failures within the window that open the circuit: an integer from 1 to `windowSize`. Default 5. */
  failureThreshold?: number;
  /** How many of the most recent outcomes the window tracks: an integer from 1 to 4096. Default 10. */
  windowSize?: number;
  /** Milliseconds the circuit stays open before a probe is let through. Default 60000. */
  resetTimeoutMs?: number;
  /** Consecutive probe successes in half-open that close the circuit: an integer ≥ 1. Default 2. */
  successThreshold?: number;
  /** Probes in flight at once while half-open: an integer from 1 to 4096. Default 1. */
  halfOpenMaxCalls?: number;
  /**
   * Also open when the window's failure rate reaches this (0 < rate ≤ 1),
   * once it holds `minimumCalls` outcomes. Default: off.
   */
  failureRateThreshold?: number | null;
  /** Outcomes the window must hold before `failureRateThreshold` applies: 1 to `windowSize`. Default `windowSize`. */
  minimumCalls?: number | null;
  /** Outcomes older than this many milliseconds leave the window. Default: off (count window only). */
  windowMs?: number | null;
  /** A success that took at least this many milliseconds counts as a failure (a slow call). Default: off. */
  slowCallMs?: number | null;
  /**
   * Each consecutive re-open doubles the open time, up to this many
   * milliseconds. Default `resetTimeoutMs` (no backoff).
   */
  maxResetTimeoutMs?: number | null;
  /** A half-open probe not settled within this many milliseconds counts as failed. Default `resetTimeoutMs`. */
  probeTimeoutMs?: number | null;
  /**
   * Give up on a call after this many milliseconds: it counts as a failure and
   * rejects with `TimeoutError` (or goes to `fallback`). The function itself
   * is not cancelled; its late outcome is dropped. From 1 to 2147483647. Default: off.
   */
  timeoutMs?: number | null;
  /**
   * The time source, in milliseconds. Default `Date.now`. A fake clock makes
   * tests deterministic. Readings must be finite and ≥ 0; it may go backwards
   * (the breaker goes on from the latest time it has seen).
   */
  clock?: () => number;
  /**
   * Judges an error thrown by a protected call: return `false` when it is not
   * the upstream's fault (a 4xx, a validation error), and the call is recorded
   * as ignored (no trace in the window, no fallback: the error is rethrown).
   * Anything else, or throwing, counts as a failure. Default: every error is a failure.
   */
  isFailure?: (error: unknown) => boolean;
  /**
   * Called instead of failing when a call is refused (with a
   * `CircuitBreakerError`) or fails (with its error, or a `TimeoutError`),
   * with the call's arguments after the error. Its return value becomes the
   * call's result. Not called for errors that `isFailure` ignores.
   */
  fallback?: (error: unknown, ...args: any[]) => unknown;
  /** Called on every change of state, after the "statechange" event. */
  onStateChange?: (change: StateChange) => void;
  /**
   * Where state changes are logged: `warn` on opening, `info` on closing,
   * `debug` on half-opening. Messages carry names, states, times and counts,
   * never a call's arguments, results or errors. `console` works.
   */
  logger?: BreakerLogger;
}

/** Any object with some of these methods, e.g. `console` or a pino/winston logger. */
export interface BreakerLogger {
  debug?: (message: string, detail: StateChange & { stateChanges: number }) => void;
  info?: (message: string, detail: StateChange & { stateChanges: number }) => void;
  warn?: (message: string, detail: StateChange & { stateChanges: number }) => void;
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
}

// Always in force; when absent (undefined) the core applies its default.
const REQUIRED = ["failureThreshold", "windowSize", "resetTimeoutMs", "successThreshold", "halfOpenMaxCalls"] as const;
// Off, or defaulting to another option, when absent or null.
const OPTIONAL = [
  "failureRateThreshold",
  "minimumCalls",
  "windowMs",
  "slowCallMs",
  "maxResetTimeoutMs",
  "probeTimeoutMs",
] as const;
const FUNCTIONS = ["clock", "isFailure", "fallback", "onStateChange"] as const;
const LOGGER_METHODS = ["debug", "info", "warn"] as const;
/** setTimeout's largest delay; a longer one fires at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** @internal Every option name, in the order the docs list them. */
export const OPTION_NAMES: readonly string[] = Object.freeze([
  "name",
  ...REQUIRED,
  ...OPTIONAL,
  "timeoutMs",
  ...FUNCTIONS,
  "logger",
  ...FETCH_OPTION_NAMES,
]);

/**
 * @internal
 * Checks types and the JS-only options; the core checks the ranges of the
 * rest when the breaker is built (its message names the option, and the
 * caller rethrows it as a RangeError). `undefined` always means "default".
 */
export function validateOptions(options: unknown): ValidOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object") throw new TypeError(`options must be an object; got ${describe(options)}`);
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(`unknown option "${key}"; valid options are ${OPTION_NAMES.join(", ")}`);
    }
  }
  const core = [
    ...REQUIRED.map((option) => number(option, given[option], false)),
    ...OPTIONAL.map((option) => number(option, given[option], true)),
  ] as CoreArguments;
  const valid: ValidOptions = {
    name: name(given.name),
    core,
    timeoutMs: timeoutMs(given.timeoutMs),
    clock: undefined,
    isFailure: undefined,
    fallback: undefined,
    onStateChange: undefined,
    logger: logger(given.logger),
  };
  for (const option of FUNCTIONS) valid[option] = fn(option, given[option]) as never;
  return valid;
}

function number(option: string, value: unknown, nullable: boolean): number | undefined {
  if (value === undefined || (nullable && value === null)) return undefined;
  if (typeof value !== "number") {
    throw new TypeError(`${option} must be a number${nullable ? " or null" : ""}; got ${describe(value)}`);
  }
  return value;
}

function name(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new TypeError(`name must be a string; got ${describe(value)}`);
  if (value.length === 0) throw new RangeError("name must not be empty");
  return value;
}

function timeoutMs(value: unknown): number | undefined {
  const ms = number("timeoutMs", value, true);
  if (ms === undefined) return undefined;
  if (!(ms >= 1 && ms <= MAX_TIMEOUT_MS)) {
    throw new RangeError(`timeoutMs must be from 1 to ${MAX_TIMEOUT_MS} ms; got ${ms}`);
  }
  return ms;
}

function fn(option: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new TypeError(`${option} must be a function; got ${describe(value)}`);
  return value;
}

function logger(value: unknown): BreakerLogger | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null) {
    throw new TypeError(`logger must be an object with debug, info or warn methods; got ${describe(value)}`);
  }
  for (const method of LOGGER_METHODS) {
    const member = (value as Record<string, unknown>)[method];
    if (member !== undefined && typeof member !== "function") {
      throw new TypeError(`logger.${method} must be a function; got ${describe(member)}`);
    }
  }
  return value as BreakerLogger;
}
