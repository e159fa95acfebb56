// How the fetch layer judges what came back from the upstream, rule by rule
// as the README's table under "Edge functions" states them. Pure: each rule
// takes what it judges (and the time, where it needs one) as arguments.
// When each rule is asked, and that a call is settled once, is call.ts's
// business; a body still coming is judged when it ends, by body.ts and sse.ts.

import { IGNORED, type Engine, type Outcome } from "../engine.js";
import { parseRetryAfter } from "./retry-after.js";

/** `maxRetryAfterMs` when not set: 5 minutes. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 300_000;

/**
 * "5xx, 429: failure; other 4xx: success" (the caller's fault, not the
 * upstream's): `isFailureResponse` when not set.
 */
export function isFailureStatus(response: Response): boolean {
  return response.status >= 500 || response.status === 429;
}

/**
 * Whether `isFailureResponse` makes the response a failure: anything but an
 * explicit `false` does, and so does throwing (a predicate that throws
 * cannot vouch for the response).
 */
export function isFailureResponse(response: Response, isFailure: (response: Response) => boolean): boolean {
  try {
    return isFailure(response) !== false;
  } catch {
    return true;
  }
}

/**
 * "429 or 503 with Retry-After (seconds or a date): a failure that opens the
 * circuit for that long, up to maxRetryAfterMs". How long a failure
 * response asks the circuit to stay open, capped; undefined when it makes
 * an ordinary failure: another status, `maxRetryAfterMs` 0, or a
 * Retry-After that is absent, unreadable or asks for no wait.
 *
 * `wallNowMs` is the wall clock (ms since the epoch): an HTTP-date is a
 * point on it, whatever epoch the breaker's own clock counts from.
 */
export function retryAfterMs(response: Response, maxRetryAfterMs: number, wallNowMs: number): number | undefined {
  if ((response.status !== 429 && response.status !== 503) || maxRetryAfterMs === 0) return undefined;
  const asked = parseRetryAfter(response.headers.get("retry-after"), wallNowMs);
  return asked === null ? undefined : Math.min(asked, maxRetryAfterMs);
}

/**
 * How an error before the response headers counts. "Deno refusing the
 * request for want of `--allow-net`: ignored" (the program's setup, not the
 * upstream: the runtime's error is rethrown, never hidden behind an open
 * circuit); any other error (a network error) as the breaker's `isFailure`
 * judges it.
 */
export function errorBeforeHeaders(error: unknown, breaker: Pick<Engine, "judge">): Outcome {
  return isPermissionError(error) ? IGNORED : breaker.judge(error);
}

/** Deno without `--allow-net`: `NotCapable`, or `PermissionDenied` before Deno 2. */
function isPermissionError(error: unknown): boolean {
  const errors = (globalThis as { Deno?: { errors?: Record<string, unknown> } }).Deno?.errors;
  if (errors === undefined) return false;
  for (const name of ["NotCapable", "PermissionDenied"]) {
    const type = errors[name];
    if (typeof type === "function" && error instanceof type) return true;
  }
  return false;
}
