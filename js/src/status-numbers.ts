// The binding's status as numbers, named: a breaker's figures (what
// `circuitBreakerFigures()` hands out, each at its `FIGURES` offset) and, after
// them in `status`'s answer, its config (each option at its index in
// CORE_OPTION_NAMES). NaN is null.
import { CORE_OPTION_NAMES } from "./core-options.js";
import { STATE_NAMES } from "./state.js";
import type { BreakerConfig, BreakerMetrics, BreakerStatus } from "./status.js";

/**
 * Where each figure sits among a breaker's `FIGURES.count` numbers in
 * `BreakerFigures.figures` (the `BreakerStatus` field of the same name):
 * - `state`: its code in `BreakerFigures.states` (0 closed, 1 open, 2 half_open);
 * - `retryAfterMs`: NaN when forced open until `reset()`;
 * - `lastFailureTime`, `lastSuccessTime`: NaN when there was none.
 */
export const FIGURES = Object.freeze({
  state: 0,
  retryAfterMs: 1,
  totalCalls: 2,
  successfulCalls: 3,
  failedCalls: 4,
  blockedCalls: 5,
  ignoredCalls: 6,
  slowCalls: 7,
  inFlight: 8,
  stateChanges: 9,
  failureRate: 10,
  successRate: 11,
  lastFailureTime: 12,
  lastSuccessTime: 13,
  /** Numbers per breaker. */
  count: 14,
});

/** The core's status (the binding's `status(now)` numbers) as plain data, without the parts the core does not know. */
export function statusFromNumbers(numbers: ArrayLike<number>): Omit<BreakerStatus, "name" | "fleet"> {
  const figure = (offset: number) => numbers[offset]!;
  const orNull = (number: number) => (Number.isNaN(number) ? null : number);
  const metrics: BreakerMetrics = {
    totalCalls: figure(FIGURES.totalCalls),
    successfulCalls: figure(FIGURES.successfulCalls),
    failedCalls: figure(FIGURES.failedCalls),
    blockedCalls: figure(FIGURES.blockedCalls),
    ignoredCalls: figure(FIGURES.ignoredCalls),
    slowCalls: figure(FIGURES.slowCalls),
    inFlight: figure(FIGURES.inFlight),
    stateChanges: figure(FIGURES.stateChanges),
    lastFailureTime: orNull(figure(FIGURES.lastFailureTime)),
    lastSuccessTime: orNull(figure(FIGURES.lastSuccessTime)),
    failureRate: figure(FIGURES.failureRate),
    successRate: figure(FIGURES.successRate),
  };
  const config = {} as Record<keyof BreakerConfig, number | null>;
  CORE_OPTION_NAMES.forEach((option, index) => (config[option] = orNull(figure(FIGURES.count + index))));
  return {
    state: STATE_NAMES[figure(FIGURES.state)]!,
    retryAfterMs: orNull(figure(FIGURES.retryAfterMs)),
    metrics,
    config: config as BreakerConfig,
  };
}
