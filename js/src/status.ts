import type { State } from "./state.js";

/**
 * The configuration in force, as the core resolved it: every option of
 * DESIGN §2 with dependent defaults filled in (`minimumCalls`,
 * `maxResetTimeoutMs`, `probeTimeoutMs`); `null` where an option is off.
 * Passing it back to `new CircuitBreaker()` builds an identical breaker.
 */
export interface BreakerConfig {
  failureThreshold: number;
  windowSize: number;
  resetTimeoutMs: number;
  successThreshold: number;
  halfOpenMaxCalls: number;
  failureRateThreshold: number | null;
  minimumCalls: number | null;
  windowMs: number | null;
  slowCallMs: number | null;
  maxResetTimeoutMs: number | null;
  probeTimeoutMs: number | null;
}

/**
 * Lifetime counters (except the two rates, which describe the current window).
 * `totalCalls === successfulCalls + failedCalls + blockedCalls + ignoredCalls + inFlight`.
 */
export interface BreakerMetrics {
  /** Every attempt, blocked ones included. */
  totalCalls: number;
  successfulCalls: number;
  /** Failures, slow successes and timeouts included. */
  failedCalls: number;
  /** Calls refused because the circuit was open (or every probe slot taken). */
  blockedCalls: number;
  /** Calls whose error `isFailure` judged not to be the upstream's fault. */
  ignoredCalls: number;
  /** Successes that took at least `slowCallMs` (also counted in `failedCalls`). */
  slowCalls: number;
  /** Admitted and not yet settled. */
  inFlight: number;
  /** Transitions between states since the breaker was created. */
  stateChanges: number;
  /** The clock's time of the latest failure, or `null`. */
  lastFailureTime: number | null;
  /** The clock's time of the latest success, or `null`. */
  lastSuccessTime: number | null;
  /** Failures over outcomes in the current window; 0 when it is empty. */
  failureRate: number;
  /** Successes over outcomes in the current window; 0 when it is empty. */
  successRate: number;
}

/** A breaker at one instant: plain data, safe to `JSON.stringify`. */
export interface BreakerStatus {
  name: string;
  state: State;
  /**
   * Milliseconds until a probe is let through while open; 0 when closed or
   * half-open; `null` when forced open until `reset()`.
   */
  retryAfterMs: number | null;
  metrics: BreakerMetrics;
  config: BreakerConfig;
}

/** The `detail` of a "statechange" event, and the argument of `onStateChange`. */
export interface StateChange {
  /** The breaker's name. */
  name: string;
  from: State;
  to: State;
  /**
   * The clock's time at which the change fell due, which may be earlier than
   * the call that observed it (an open circuit half-opens at
   * `openedAt + resetTimeoutMs`, whenever someone next looks).
   */
  at: number;
}
