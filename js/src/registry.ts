// One shared registry of named breakers per copy of the package, like
// resilience4j's CircuitBreakerRegistry: every part of a program that asks
// for "llm" gets the same breaker.
import { CircuitBreaker } from "./breaker.js";
import { describe } from "./describe.js";
import type { CircuitBreakerOptions } from "./options.js";
import type { BreakerStatus } from "./status.js";

const breakers = new Map<string, CircuitBreaker<unknown>>();

/**
 * The registry's breaker called `name`, created with `options` if there is
 * none yet. The first options win: later calls get the existing breaker and
 * their options are not looked at. `name` overrides `options.name`.
 *
 * The result type's fallback (`F`) comes from the `options` given here: a
 * caller without options that may meet a breaker registered with a fallback
 * says so, e.g. `getCircuitBreaker<null>("llm")`.
 */
export function getCircuitBreaker<F = never>(name: string, options?: CircuitBreakerOptions<F> | null): CircuitBreaker<F> {
  if (typeof name !== "string") throw new TypeError(`name must be a string; got ${describe(name)}`);
  let breaker = breakers.get(name);
  if (breaker === undefined) {
    if (options !== undefined && options !== null && typeof options !== "object") {
      throw new TypeError(`options must be an object; got ${describe(options)}`);
    }
    breaker = new CircuitBreaker({ ...options, name });
    breakers.set(name, breaker);
  }
  return breaker as CircuitBreaker<F>;
}

/** The status of every registered breaker, by name: plain data, safe to `JSON.stringify`. */
export function listCircuitBreakers(): Record<string, BreakerStatus> {
  return Object.fromEntries(Array.from(breakers, ([name, breaker]) => [name, breaker.getStatus()]));
}

/** `reset()` on every registered breaker. */
export function resetAllCircuitBreakers(): void {
  for (const breaker of breakers.values()) breaker.reset();
}

/** Forgets every registered breaker (those in use keep working, unregistered). */
export function clearCircuitBreakerRegistry(): void {
  breakers.clear();
}

/** Forgets the breaker called `name`; whether there was one. */
export function removeCircuitBreaker(name: string): boolean {
  return breakers.delete(name);
}
