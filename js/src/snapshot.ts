// Snapshots as the package hands them out and takes them back. The core
// writes, reads and checks the JSON text (every refusal names its field);
// here a snapshot is only turned into text, and its shape typed.
import { describe } from "./describe.js";
import type { State } from "./state.js";
import type { BreakerMetrics } from "./status.js";

/**
 * A breaker's state at one instant, from `breaker.snapshot()`: plain
 * JSON-safe data to keep (a restart, a serverless cold start) and give back
 * to `CircuitBreaker.restore()`. It holds no absolute time, as clocks differ
 * between machines: the open period is the time it has left, and window
 * entries and the last failure and success are ages. It holds neither the
 * configuration (the restoring breaker's options are the ones in force) nor
 * calls in flight (their permits belong to the old breaker; a half-open
 * breaker comes back with no probe in flight).
 */
export interface BreakerSnapshot {
  /** The snapshot format: 1. */
  version: 1;
  state: State;
  /** Counts changes of state (a whole number below 2^40). */
  generation: number;
  /** Milliseconds left in the open period; 0 unless open, and 0 when forced open until `reset()`. */
  openForMs: number;
  /** Open until `reset()` (only when open). */
  forcedOpen: boolean;
  /** Consecutive probe successes so far (only when half-open); below `successThreshold`. */
  probeSuccesses: number;
  /** Consecutive opens since the circuit last closed: the backoff exponent, 0 to 64. */
  consecutiveOpens: number;
  /** The outcomes in the window, oldest first: at most `windowSize` of them. */
  window: BreakerSnapshotEntry[];
  /** The lifetime counters, without the calls in flight. */
  metrics: BreakerSnapshotMetrics;
}

/** An outcome in a snapshot's window. */
export interface BreakerSnapshotEntry {
  /** Milliseconds since it was recorded. */
  ageMs: number;
  /** A failure (a slow success included), or a success. */
  failed: boolean;
}

/**
 * A snapshot's counters: `BreakerMetrics` without `inFlight` and the window's
 * rates, and with ages instead of times.
 * `totalCalls === successfulCalls + failedCalls + blockedCalls + ignoredCalls`.
 */
export interface BreakerSnapshotMetrics
  extends Omit<BreakerMetrics, "inFlight" | "failureRate" | "successRate" | "lastFailureTime" | "lastSuccessTime"> {
  /** Milliseconds since the latest failure, or `null`. */
  lastFailureAgoMs: number | null;
  /** Milliseconds since the latest success, or `null`. */
  lastSuccessAgoMs: number | null;
}

/**
 * @internal A snapshot as the JSON text the core reads: a string as it is,
 * an object as `JSON.stringify` writes it.
 * @throws TypeError when it is neither, or cannot be written as JSON.
 */
export function snapshotText(snapshot: unknown): string {
  if (typeof snapshot === "string") return snapshot;
  if (typeof snapshot !== "object" || snapshot === null) {
    throw new TypeError(`snapshot must be an object from breaker.snapshot(), or its JSON text; got ${describe(snapshot)}`);
  }
  try {
    return JSON.stringify(snapshot);
  } catch {
    throw new TypeError("snapshot must be JSON data: JSON.stringify refused it");
  }
}
