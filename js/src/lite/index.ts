// The public surface of "edgebreaker/lite": the breakers of "edgebreaker", the
// same core and the same behaviour, without `breaker.fetch`, snapshots and
// fleets, for an application that ships every byte: its wasm is under a third
// of the full package's (gzip), its code under half. It is built from the same
// modules as "edgebreaker", with ./features.ts in place of ../features.ts and
// ./wasm.ts in place of wasm-bindgen's glue (scripts/entries.mjs); the types
// here leave those features out.
//
// It is a package entry of its own: its breakers, its registry and its wasm
// instance are not "edgebreaker"'s, and the exporters (edgebreaker/prometheus,
// edgebreaker/opentelemetry) read "edgebreaker"'s. An application uses one of
// the two.
import { CircuitBreaker as FullCircuitBreaker } from "../breaker.js";
import { circuitBreaker as fullCircuitBreaker, type CircuitBreakerDecorator as FullDecorator } from "../decorator.js";
import type { FetchOptions } from "../fetch/options.js";
import type { CircuitBreakerOptions as FullOptions } from "../options.js";
import { getCircuitBreaker as fullGetCircuitBreaker } from "../registry.js";
import { Permit } from "../permit.js";
import { CircuitBreakerError, TimeoutError } from "../errors.js";
import { StateChangeEvent } from "../events.js";

// This entry's bundles minify identifiers (scripts/entries.mjs); the classes an
// application sees keep their `name`, which the console shows.
for (const [name, type] of Object.entries({ CircuitBreaker: FullCircuitBreaker, Permit, CircuitBreakerError, TimeoutError, StateChangeEvent })) {
  Object.defineProperty(type, "name", { value: name });
}

/** The options of "edgebreaker"'s breakers, but `fleet` and the fetch options. */
export type CircuitBreakerOptions<F = never> = Omit<FullOptions<F>, "fleet" | keyof FetchOptions>;

/**
 * A circuit breaker: "edgebreaker"'s, without `fetch` and `snapshot` (and
 * without `CircuitBreaker.restore`). Protect calls with `call`, `callSync` or
 * `wrap`, or make the two steps yourself with `acquire()`; read `state` and
 * `getStatus()`; listen for "statechange" events.
 */
export interface CircuitBreaker<F = never> extends Omit<FullCircuitBreaker<F>, "fetch" | "snapshot"> {}

/**
 * @throws TypeError when an option has the wrong type or is unknown (the
 *   fleet and fetch options included); RangeError when a value is out of
 *   range. The message names the option.
 */
export const CircuitBreaker: new <F = never>(options?: CircuitBreakerOptions<F> | null) => CircuitBreaker<F> = FullCircuitBreaker;

/** A function that protects other functions, and a TC39 method decorator (see "edgebreaker"'s `circuitBreaker`). */
export type CircuitBreakerDecorator<F = never> = FullDecorator<F, CircuitBreaker<F>>;

/** `options.name` picks the registry's breaker of that name; without, one breaker serves everything this protects. */
export const circuitBreaker: <F = never>(options?: CircuitBreakerOptions<F> | null) => CircuitBreakerDecorator<F> = fullCircuitBreaker;

/** The registry's breaker named `name`, created with `options` the first time it is asked for. */
export const getCircuitBreaker: <F = never>(name: string, options?: CircuitBreakerOptions<F> | null) => CircuitBreaker<F> =
  fullGetCircuitBreaker;

export { listCircuitBreakers, resetAllCircuitBreakers, clearCircuitBreakerRegistry, removeCircuitBreaker } from "../registry.js";
export { Permit, CircuitBreakerError, TimeoutError, StateChangeEvent };
export type { FailureOptions } from "../permit.js";
export type { StateChangeListener } from "../events.js";
export { presets } from "../presets.js";
export { State } from "../state.js";
export type { BreakerLogger } from "../options.js";
export type { BreakerStatus, BreakerMetrics, BreakerConfig, StateChange, TransitionCause } from "../status.js";
