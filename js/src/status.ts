import type { FleetStatus } from "./fleet/transport.js";
import type { State } from "./state.js";

/**
 * The configuration in force, as the core resolved it: every option of the
 * core (the README's "Options") with dependent defaults filled in (`minimumCalls`,
 * `maxResetTimeoutMs`, `probeTimeoutMs`); `null` where an option is off.
 * Passing it back to `new CircuitBreaker()` builds an identical breaker.
 */
export interface BreakerConfig {
  /** Failures within the window that open the circuit. */
  failureThreshold: number;
  /** Most recent outcomes the window tracks. */
  windowSize: number;
  /** Milliseconds open before a probe is let through (before backoff). */
  resetTimeoutMs: number;
  /** Consecutive probe successes that close the circuit. */
  successThreshold: number;
  /** Probes in flight at once while half-open. */
  halfOpenMaxCalls: number;
  /** Failure rate (0 < r ≤ 1) that also opens the circuit, or `null` when off. */
  failureRateThreshold: number | null;
  /** Outcomes the window must hold before the rate rule applies. */
  minimumCalls: number | null;
  /** Age in milliseconds after which an outcome leaves the window, or `null` when off. */
  windowMs: number | null;
  /** Duration in milliseconds from which a success counts as a slow call (a failure), or `null` when off. */
  slowCallMs: number | null;
  /** Cap in milliseconds of the doubling open time. */
  maxResetTimeoutMs: number | null;
  /** Milliseconds after which an unsettled probe counts as failed. */
  probeTimeoutMs: number | null;
}

/**
 * Lifetime counters (except the two rates, which describe the current window).
 * `totalCalls === successfulCalls + failedCalls + blockedCalls + ignoredCalls + inFlight`.
 */
export interface BreakerMetrics {
  /** Every attempt, blocked ones included. */
  totalCalls: number;
  /** Calls that succeeded (and were not slow). */
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
  /** The breaker's name. */
  name: string;
  /** The state at the clock's time of the call. */
  state: State;
  /**
   * Milliseconds until a probe is let through while open; 0 when closed or
   * half-open; `null` when forced open until `reset()`.
   */
  retryAfterMs: number | null;
  /** Lifetime counters, and the failure and success rates of the current window. */
  metrics: BreakerMetrics;
  /** The configuration in force. */
  config: BreakerConfig;
  /** The fleet as this breaker knows it, with the `fleet` option; `null` without. */
  fleet: FleetStatus | null;
}

/** The `detail` of a "statechange" event, and the argument of `onStateChange`. */
export interface StateChange {
  /** The breaker's name. */
  name: string;
  /** The state left. */
  from: State;
  /** The state entered. */
  to: State;
  /**
   * The clock's time at which the change fell due, which may be earlier than
   * the call that observed it (an open circuit half-opens at
   * `openedAt + resetTimeoutMs`, whenever someone next looks).
   */
  at: number;
  /** Why the circuit changed state, as the core decided it. */
  cause: TransitionCause;
  /**
   * With `failure_threshold`, `failure_rate`, and `slow_calls` when the
   * window tripped: the failures in the window (slow successes included).
   */
  failures?: number;
  /** With `failures`: the calls in the window, successes and failures (ignored calls leave no trace). */
  calls?: number;
  /** With `retry_after`: the wait the upstream asked for (HTTP `Retry-After`), in ms. */
  retryAfterMs?: number;
  /**
   * On every change to open: how long the circuit stays open before a probe,
   * in ms (the backoff's time, the Retry-After, or `forceOpen`'s duration);
   * `null` when forced open until `reset()`.
   */
  openForMs?: number | null;
}

/**
 * Why a circuit changed state, decided by the rule that changed it:
 * - `failure_threshold`: closed → open, the window's failures reached `failureThreshold`.
 * - `failure_rate`: closed → open, the window's failure rate reached `failureRateThreshold`
 *   (with at least `minimumCalls` calls) while its failures were below `failureThreshold`.
 * - `slow_calls`: → open because a success took at least `slowCallMs`: closed, the call that
 *   made one of the two rules above hold was a slow success (the window's failures and calls
 *   come with it); half-open, a probe succeeded too slowly.
 * - `retry_after`: → open for exactly the upstream's Retry-After (`retryAfterMs`).
 * - `probe_failed`: half_open → open, a probe failed.
 * - `probe_expired`: half_open → open, a probe was not settled within `probeTimeoutMs`.
 * - `open_time_elapsed`: open → half_open.
 * - `probes_succeeded`: half_open → closed, `successThreshold` probes in a row succeeded.
 * - `reset`: → closed by `reset()`.
 * - `force_open`: → open by `forceOpen()`.
 * - `fleet`: the breaker followed its fleet (opened as the fleet opened, closed as it recovered).
 */
export type TransitionCause =
  | "failure_threshold"
  | "failure_rate"
  | "slow_calls"
  | "retry_after"
  | "probe_failed"
  | "probe_expired"
  | "open_time_elapsed"
  | "probes_succeeded"
  | "reset"
  | "force_open"
  | "fleet";
