// One shared registry of named breakers per copy of the package, like
// resilience4j's CircuitBreakerRegistry: every part of a program that asks
// for "llm" gets the same breaker.
import { CircuitBreaker } from "./breaker.js";
import { optionalObject } from "./checks.js";
import { describe } from "./describe.js";
import type { CircuitBreakerOptions } from "./options.js";
import type { BreakerStatus } from "./status.js";

const breakers = new Map<string, CircuitBreaker<unknown>>();
/**
 * The options each registered breaker was created with, for `protectFetch`'s
 * check: the object given (a caller that passes it again needs no check) and a
 * copy (what it said then).
 */
const createdWith = new WeakMap<CircuitBreaker<unknown>, { readonly given: object | null | undefined; readonly copy: Readonly<Record<string, unknown>> }>();
/** Who hears of each breaker the registry creates (the metrics exports, to count its transitions from its first). */
const registrationListeners = new Set<(breaker: CircuitBreaker<unknown>) => void>();

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
    optionalObject("options", options);
    breaker = new CircuitBreaker({ ...options, name });
    breakers.set(name, breaker);
    createdWith.set(breaker, { given: options, copy: { ...options } });
    for (const listener of registrationListeners) listener(breaker);
  }
  return breaker as CircuitBreaker<F>;
}

/**
 * @internal `getCircuitBreaker(name, options)` for a caller whose options
 * must be the breaker's own (`protectFetch`: its timeouts and `onOpen` would
 * otherwise be silently someone else's). A breaker already registered under
 * `name` with other options is a TypeError naming the first option that
 * differs. The same values are the same options (functions and objects by
 * identity; unset, undefined and null alike); `name` is not compared.
 */
export function getCircuitBreakerAsGiven<F>(who: string, name: string, options: CircuitBreakerOptions<F>): CircuitBreaker<F> {
  const breaker = getCircuitBreaker(name, options);
  const entry = createdWith.get(breaker);
  if (entry?.given === options) return breaker; // the same caller again (protectFetch's own copy, never changed)
  const created = entry?.copy ?? {};
  const given = options as Readonly<Record<string, unknown>>;
  for (const option of new Set([...Object.keys(created), ...Object.keys(given)])) {
    if (option === "name" || Object.is(created[option] ?? undefined, given[option] ?? undefined)) continue;
    throw new TypeError(
      `${who}: the breaker "${name}" is registered already, with ${option} ${shown(created[option])}; got ${shown(given[option])}. ` +
        "Give each its own name, or the same options.",
    );
  }
  return breaker;
}

/** An option's value in a message: options are settings, not payloads, so a string is quoted. */
function shown(value: unknown): string {
  if (value === undefined || value === null) return "not set";
  return typeof value === "string" ? JSON.stringify(value) : describe(value);
}

/** The status of every registered breaker, by name: plain data, safe to `JSON.stringify`. */
export function listCircuitBreakers(): Record<string, BreakerStatus> {
  return Object.fromEntries(Array.from(breakers, ([name, breaker]) => [name, breaker.getStatus()]));
}

/**
 * @internal Calls `listener` with each breaker the registry creates from now
 * on, before `getCircuitBreaker` returns it (so before its first transition);
 * returns the function that stops it.
 */
export function onCircuitBreakerRegistered(listener: (breaker: CircuitBreaker<unknown>) => void): () => void {
  registrationListeners.add(listener);
  return () => registrationListeners.delete(listener);
}

/** @internal The registered breakers, in the order they were registered. */
export function registeredBreakers(): Iterable<CircuitBreaker<unknown>> {
  return breakers.values();
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
