// protectFetch(options): a fetch-compatible function that sends each request
// through a circuit breaker from the shared registry, one per upstream.

import { CircuitBreaker } from "../breaker.js";
import { optionalFunction, optionalObject } from "../checks.js";
import { describe } from "../describe.js";
import type { CircuitBreakerOptions } from "../options.js";
import { getCircuitBreakerAsGiven } from "../registry.js";

/**
 * Options of `protectFetch`: a breaker's options (fetch options included), plus how to pick the breaker.
 * A `fallback` answers as fetch does, with a `Response`.
 */
export interface ProtectFetchOptions extends CircuitBreakerOptions<Response | Promise<Response>> {
  /**
   * The registry name of the breaker a request goes through, from its URL.
   * Default: the URL's origin (`"https://api.openai.com"`), so each upstream
   * trips on its own. Not used when `name` is given: then every request goes
   * through that one breaker.
   */
  key?: ((url: URL) => string) | null;
}

/** What `protectFetch` returns: `fetch`, protected. */
export type ProtectedFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch-compatible function whose requests go through breakers from the
 * registry (`getCircuitBreaker`), created with `options` when first needed.
 * A breaker already registered under that name with other options is a
 * TypeError naming the option that differs (at once with `name`; as the
 * request's rejection with `key` or by origin), never silently the first
 * one's options.
 *
 * ```ts
 * const llmFetch = protectFetch({ ...presets.llm, firstByteTimeoutMs: 10_000, onOpen: "respond" });
 * const response = await llmFetch("https://api.openai.com/v1/chat/completions", init);
 * ```
 * @throws TypeError / RangeError at once when an option is wrong, not at the first request.
 */
export function protectFetch(options?: ProtectFetchOptions | null): ProtectedFetch {
  const { key: keyGiven, ...breakerOptions } = optionalObject<ProtectFetchOptions>("options", options) ?? {};
  const key = optionalFunction<(url: URL) => string>("key", keyGiven);
  // Breakers are built lazily, per upstream; build one now so that a typo fails here.
  new CircuitBreaker({ ...breakerOptions, name: breakerOptions.name ?? "protectFetch" });

  const { name } = breakerOptions;
  if (name !== undefined && name !== null) {
    const breaker = getCircuitBreakerAsGiven("protectFetch", name, breakerOptions);
    return (input, init) => breaker.fetch(input, init);
  }
  const keyOf = key ?? originOf;
  return (input, init) => {
    let breaker: CircuitBreaker<Response | Promise<Response>>;
    try {
      const breakerName: unknown = keyOf(urlOf(input));
      if (typeof breakerName !== "string") throw new TypeError(`key must return a string; got ${describe(breakerName)}`);
      breaker = getCircuitBreakerAsGiven("protectFetch", breakerName, breakerOptions);
    } catch (error) {
      return Promise.reject(error);
    }
    return breaker.fetch(input, init);
  };
}

function originOf(url: URL): string {
  return url.origin;
}

function urlOf(input: RequestInfo | URL): URL {
  if (input instanceof URL) return input;
  const href = typeof input === "object" && input !== null && "url" in input ? input.url : String(input);
  return new URL(href, (globalThis as { location?: { href?: string } }).location?.href);
}
