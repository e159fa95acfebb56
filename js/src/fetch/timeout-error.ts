import { TimeoutError } from "../errors.js";

/** Which of the fetch layer's three timeouts ran out. */
export type FetchTimeout = "timeoutMs" | "firstByteTimeoutMs" | "idleTimeoutMs";

const WHAT = {
  timeoutMs: "the whole call took longer than",
  firstByteTimeoutMs: "no response headers within",
  idleTimeoutMs: "the response body sent nothing for",
} as const;

/** A `TimeoutError` that says which timeout ran out (`error.timeout`). */
export class FetchTimeoutError extends TimeoutError {
  readonly timeout: FetchTimeout;

  constructor(breakerName: string, timeout: FetchTimeout, ms: number) {
    super(breakerName, ms);
    this.timeout = timeout;
    this.message = `fetch through circuit breaker "${breakerName}" timed out: ${WHAT[timeout]} ${ms} ms`;
  }
}
