import { CircuitBreaker } from "./breaker.js";
import { describe } from "./describe.js";
import type { CircuitBreakerOptions } from "./options.js";
import { getCircuitBreaker } from "./registry.js";

/**
 * What `circuitBreaker(options)` returns: call it with a function to get the
 * function protected, or use it as a (TC39 standard) method decorator.
 */
export interface CircuitBreakerDecorator<F = never, B = CircuitBreaker<F>> {
  /**
   * `fn`, protected: it returns a Promise (of `fn`'s result or the
   * fallback's), and keeps `this` and its arguments.
   */
  <T, A extends unknown[], R>(fn: (this: T, ...args: A) => R, context?: ClassMethodDecoratorContext): (
    this: T,
    ...args: A
  ) => Promise<Awaited<R> | Awaited<F>>;
  /** The breaker behind every function this decorates. */
  readonly breaker: B;
}

/**
 * A wrapper factory and method decorator. With `options.name`, the breaker
 * comes from the shared registry (`getCircuitBreaker`); without, a new one is
 * made now, shared by everything this decorator protects (for a decorated
 * method: every instance of the class). A decorated method's declared
 * return type must allow for what `fallback` returns.
 *
 * ```ts
 * const protect = circuitBreaker({ name: "search", failureThreshold: 3 });
 * const search = protect(async (query: string) => (await fetch(`/search?q=${query}`)).json());
 *
 * class Client {
 *   @circuitBreaker({ name: "llm", timeoutMs: 30_000 })
 *   async complete(prompt: string) { ... }
 * }
 * ```
 */
export function circuitBreaker<F = never>(options?: CircuitBreakerOptions<F> | null): CircuitBreakerDecorator<F> {
  const name: unknown = options?.name;
  const breaker = name === undefined || name === null ? new CircuitBreaker(options) : getCircuitBreaker(name as string, options);
  const decorate = (fn: (...args: unknown[]) => unknown, context?: ClassMethodDecoratorContext) => {
    if (context !== undefined && (typeof context !== "object" || context === null || context.kind !== "method")) {
      const kind = (context as { kind?: unknown } | null)?.kind;
      throw new TypeError(`circuitBreaker decorates methods only; got ${typeof kind === "string" ? `a ${kind} decorator` : describe(context)}`);
    }
    return breaker.wrap(fn);
  };
  Object.defineProperty(decorate, "breaker", { value: breaker, enumerable: true });
  return decorate as CircuitBreakerDecorator<F>;
}
