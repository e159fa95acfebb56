// The instruments and what one breaker reports on them. Names and units follow
// OpenTelemetry's semantic conventions: a namespace of the library's own
// ("edgebreaker.breaker."), plural nouns for counts of things, UCUM units
// ("{call}", "1"), no `_total` (an exporter adds what its format wants); the
// state as a status metric, an UpDownCounter of 1 for the state the breaker is
// in and 0 for the others, so that a sum counts the breakers in each state.
// The attributes are short, as the dimensions of metrics already in the
// library's namespace: `breaker` (the name), `state`, `outcome`, `from`, `to`, `cause`.
import type { Attributes, BatchObservableResult, Meter, Observable } from "@opentelemetry/api";
import type { BreakerStatus, State } from "edgebreaker";
import type { TransitionTally } from "./transitions.js";

const STATES: readonly State[] = ["closed", "open", "half_open"];

/** The observable instruments a breaker is reported on. */
export interface BreakerInstruments {
  readonly status: Observable;
  readonly calls: Observable;
  readonly activeCalls: Observable;
  readonly failureRate: Observable;
  readonly transitions: Observable;
}

/** How OpenTelemetry observes an instrument: `createObservable<kind>`. */
type Kind = "Counter" | "UpDownCounter" | "Gauge";

/** Every instrument: its kind, name, unit and description. */
const INSTRUMENTS: { readonly [key in keyof BreakerInstruments]: readonly [Kind, string, string, string] } = {
  status: ["UpDownCounter", "edgebreaker.breaker.status", "1", "1 for the state the circuit breaker is in, 0 for the others."],
  calls: ["Counter", "edgebreaker.breaker.calls", "{call}", "Calls settled or refused by the circuit breaker, by outcome (slow successes are `slow`, not `failed`)."],
  activeCalls: ["UpDownCounter", "edgebreaker.breaker.active_calls", "{call}", "Calls the circuit breaker admitted that have not settled yet."],
  failureRate: ["Gauge", "edgebreaker.breaker.failure_rate", "1", "Failures over outcomes in the circuit breaker's current window; 0 when it is empty."],
  transitions: ["Counter", "edgebreaker.breaker.transitions", "{transition}", "State changes of the circuit breaker, by the states left and entered and the cause."],
};

/** Creates the instruments on `meter`. */
export function createInstruments(meter: Meter): BreakerInstruments {
  const entries = Object.entries(INSTRUMENTS).map(([key, [kind, name, unit, description]]) => {
    const instrument: Observable = meter[`createObservable${kind}`](name, { description, unit });
    return [key, instrument];
  });
  return Object.fromEntries(entries) as Record<keyof BreakerInstruments, Observable>;
}

/** Every instrument, for `addBatchObservableCallback`. */
export function observables(instruments: BreakerInstruments): Observable[] {
  return Object.values(instruments);
}

/**
 * Observes one breaker's status and transition tallies. The outcomes
 * partition the settled and refused calls (`failed` is `failedCalls` minus
 * the slow successes, which are `slow`), so that their sum means something:
 * `totalCalls` minus `inFlight`.
 */
export function observeBreaker(
  result: BatchObservableResult,
  instruments: BreakerInstruments,
  status: BreakerStatus,
  tallies: Iterable<TransitionTally>,
): void {
  const breaker = status.name;
  const metrics = status.metrics;
  for (const state of STATES) result.observe(instruments.status, status.state === state ? 1 : 0, { breaker, state });
  const outcomes: [string, number][] = [
    ["successful", metrics.successfulCalls],
    ["failed", metrics.failedCalls - metrics.slowCalls],
    ["slow", metrics.slowCalls],
    ["blocked", metrics.blockedCalls],
    ["ignored", metrics.ignoredCalls],
  ];
  for (const [outcome, count] of outcomes) result.observe(instruments.calls, count, { breaker, outcome });
  result.observe(instruments.activeCalls, metrics.inFlight, { breaker });
  result.observe(instruments.failureRate, metrics.failureRate, { breaker });
  for (const { from, to, cause, count } of tallies) {
    const attributes: Attributes = { breaker, from, to, cause };
    result.observe(instruments.transitions, count, attributes);
  }
}
