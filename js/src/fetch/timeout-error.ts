import { TimeoutError } from "../errors.js";

/**
 * Which time limit of the fetch layer ran out: one of its three timeouts, or
 * `probeTimeoutMs` for a half-open probe the upstream left unjudged that long.
 */
export type FetchTimeout = "timeoutMs" | "firstByteTimeoutMs" | "idleTimeoutMs" | "probeTimeoutMs";

const WHAT = {
  timeoutMs: "waited on the upstream for more than",
  firstByteTimeoutMs: "no response headers within",
  idleTimeoutMs: "the response body sent nothing for",
  probeTimeoutMs: "the upstream left a half-open probe unjudged for",
} as const;

/** A `TimeoutError` that says which time limit ran out (`error.timeout`). */
export class FetchTimeoutError extends TimeoutError {
  readonly timeout: FetchTimeout;

  constructor(breakerName: string, timeout: FetchTimeout, ms: number) {
    super(breakerName, ms);
    this.timeout = timeout;
    this.message = `fetch through circuit breaker "${breakerName}" timed out: ${WHAT[timeout]} ${ms} ms`;
  }
}
