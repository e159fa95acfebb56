import type { State } from "./state.js";

/**
 * Thrown (or passed to `fallback`) when the circuit refuses a call. Its
 * message is generic: it never carries an upstream error's text.
 */
export class CircuitBreakerError extends Error {
  /** The name of the breaker that refused the call. */
  readonly breakerName: string;
  /** `"open"`, or `"half_open"` when every probe slot is taken. */
  readonly state: Exclude<State, "closed">;
  /**
   * Milliseconds until a probe may be let through: 0 while half-open (a slot
   * may free up at any time), `null` while forced open until `reset()`.
   * Suitable for an HTTP `Retry-After` header (in seconds, rounded up).
   */
  readonly retryAfterMs: number | null;

  constructor(breakerName: string, state: Exclude<State, "closed">, retryAfterMs: number | null) {
    super(
      state === "open"
        ? `circuit breaker "${breakerName}" is open` +
            (retryAfterMs === null ? " until reset" : `; retry after ${retryAfterMs} ms`)
        : `circuit breaker "${breakerName}" is half-open and every probe slot is taken`,
    );
    this.breakerName = breakerName;
    this.state = state;
    this.retryAfterMs = retryAfterMs;
  }

  static {
    this.prototype.name = "CircuitBreakerError";
  }
}

/**
 * The error a call gets when it does not settle within the breaker's
 * `timeoutMs`. The call counts as a failure.
 */
export class TimeoutError extends Error {
  /** The name of the breaker whose `timeoutMs` ran out. */
  readonly breakerName: string;
  /** The `timeoutMs` that ran out. */
  readonly timeoutMs: number;

  constructor(breakerName: string, timeoutMs: number) {
    super(`call through circuit breaker "${breakerName}" timed out after ${timeoutMs} ms`);
    this.breakerName = breakerName;
    this.timeoutMs = timeoutMs;
  }

  static {
    this.prototype.name = "TimeoutError";
  }
}
