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

/** One instrument: how OpenTelemetry observes it (`createObservable<kind>`), its name, unit and description. */
interface Instrument {
  readonly kind: "Counter" | "UpDownCounter" | "Gauge";
  readonly name: `edgebreaker.breaker.${string}`;
  readonly unit: "1" | "{call}" | "{transition}";
  readonly description: string;
}

const INSTRUMENTS: { readonly [key in keyof BreakerInstruments]: Instrument } = {
  status: { kind: "UpDownCounter", name: "edgebreaker.breaker.status", unit: "1", description: "1 for the state the circuit breaker is in, 0 for the others." },
  calls: { kind: "Counter", name: "edgebreaker.breaker.calls", unit: "{call}", description: "Calls settled or refused by the circuit breaker, by outcome (slow successes are `slow`, not `failed`)." },
  activeCalls: { kind: "UpDownCounter", name: "edgebreaker.breaker.active_calls", unit: "{call}", description: "Calls the circuit breaker admitted that have not settled yet." },
  failureRate: { kind: "Gauge", name: "edgebreaker.breaker.failure_rate", unit: "1", description: "Failures over outcomes in the circuit breaker's current window; 0 when it is empty." },
  transitions: { kind: "Counter", name: "edgebreaker.breaker.transitions", unit: "{transition}", description: "State changes of the circuit breaker, by the states left and entered and the cause." },
};

/** Creates the instruments on `meter`. */
export function createInstruments(meter: Meter): BreakerInstruments {
  const create = ({ kind, name, unit, description }: Instrument): Observable => meter[`createObservable${kind}`](name, { description, unit });
  const { status, calls, activeCalls, failureRate, transitions } = INSTRUMENTS;
  return { status: create(status), calls: create(calls), activeCalls: create(activeCalls), failureRate: create(failureRate), transitions: create(transitions) };
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
