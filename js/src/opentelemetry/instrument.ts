// instrumentCircuitBreakers(): one batch callback per collection reads each
// breaker's status through the package's public API and reports it on the
// instruments of instruments.ts. Nothing runs between collections but the
// transition tallies, which count "statechange" events as they happen; the
// registry says when it creates a breaker (onCircuitBreakerRegistered, internal),
// so that a breaker which trips before the next collection has its first change counted.
import { metrics, type BatchObservableResult, type MeterProvider } from "@opentelemetry/api";
import { CircuitBreaker, getCircuitBreaker, listCircuitBreakers, onCircuitBreakerRegistered } from "edgebreaker";
import { optionalObject } from "../checks.js";
import { describe } from "../describe.js";
import { createInstruments, observables, observeBreaker } from "./instruments.js";
import { TransitionCounts } from "./transitions.js";

/** What `instrumentCircuitBreakers` reports, and where. */
export interface CircuitBreakerInstrumentationOptions {
  /**
   * The provider of the meter ("edgebreaker") the instruments are created on;
   * when not set, the global one (`metrics.getMeterProvider()` of `@opentelemetry/api`).
   */
  meterProvider?: MeterProvider | null;
  /**
   * The breakers to report (their names should differ: the name is the
   * `breaker` attribute). When not set, every breaker of the registry at each
   * collection, those registered later included.
   */
  breakers?: Iterable<CircuitBreaker<unknown>> | null;
}

/** The instruments in place: `stop()` removes them from collection and stops counting transitions. */
export interface CircuitBreakerInstrumentation {
  stop(): void;
}

/**
 * Reports circuit breakers as OpenTelemetry metrics: `edgebreaker.breaker.status`,
 * `.calls`, `.active_calls`, `.failure_rate` and `.transitions`, each with the
 * breaker's name as the `breaker` attribute (the README's "OpenTelemetry").
 * Transitions are counted from the moment a breaker is watched: at this call
 * for the breakers given or registered by then, at its registration for the others.
 * @throws TypeError for options that are not an object, a `meterProvider`
 *   without `getMeter`, or `breakers` that are not an iterable of CircuitBreaker.
 */
export function instrumentCircuitBreakers(options?: CircuitBreakerInstrumentationOptions | null): CircuitBreakerInstrumentation {
  const given = optionalObject<CircuitBreakerInstrumentationOptions>("instrumentCircuitBreakers: options", options) ?? {};
  const meterProvider = meterProviderOf(given.meterProvider);
  const chosen = breakersOf(given.breakers);

  const meter = meterProvider.getMeter("edgebreaker");
  const instruments = createInstruments(meter);
  const watched = new Map<CircuitBreaker<unknown>, TransitionCounts>();
  const watch = (breaker: CircuitBreaker<unknown>): TransitionCounts => {
    let counts = watched.get(breaker);
    if (counts === undefined) {
      counts = new TransitionCounts(breaker);
      watched.set(breaker, counts);
    }
    return counts;
  };

  let stopWatchingRegistry = (): void => {};
  if (chosen !== undefined) {
    for (const breaker of chosen) watch(breaker);
  } else {
    stopWatchingRegistry = onCircuitBreakerRegistered(watch);
    for (const name of Object.keys(listCircuitBreakers())) watch(getCircuitBreaker(name));
  }

  // Each breaker's status is read before its tallies: reading it announces the changes due by then.
  const collect = (result: BatchObservableResult): void => {
    if (chosen !== undefined) {
      for (const breaker of chosen) observeBreaker(result, instruments, breaker.getStatus(), watch(breaker).tallies());
      return;
    }
    const present = new Set<CircuitBreaker<unknown>>();
    for (const [name, status] of Object.entries(listCircuitBreakers())) {
      const breaker = getCircuitBreaker(name); // registered, so found, not created
      present.add(breaker);
      observeBreaker(result, instruments, status, watch(breaker).tallies());
    }
    // A breaker removed from the registry is no longer reported (one registered again under its name is another breaker).
    for (const [breaker, counts] of watched) {
      if (present.has(breaker)) continue;
      counts.stop();
      watched.delete(breaker);
    }
  };
  meter.addBatchObservableCallback(collect, observables(instruments));

  let stopped = false;
  return {
    stop(): void {
      if (stopped) return;
      stopped = true;
      meter.removeBatchObservableCallback(collect, observables(instruments));
      stopWatchingRegistry();
      for (const counts of watched.values()) counts.stop();
      watched.clear();
    },
  };
}

function meterProviderOf(value: unknown): MeterProvider {
  const given = optionalObject<Partial<MeterProvider>>("instrumentCircuitBreakers: meterProvider", value);
  if (given === undefined) return metrics.getMeterProvider();
  if (typeof given.getMeter !== "function") {
    throw new TypeError(`instrumentCircuitBreakers: meterProvider must be a MeterProvider (with a getMeter method); got ${describe(value)}`);
  }
  return given as MeterProvider;
}

/** The breakers given, without repeats, or undefined for the registry's. */
function breakersOf(value: unknown): CircuitBreaker<unknown>[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
    throw new TypeError(`instrumentCircuitBreakers: breakers must be an iterable of CircuitBreaker; got ${describe(value)}`);
  }
  const breakers = [...(value as Iterable<unknown>)];
  breakers.forEach((breaker, index) => {
    if (!(breaker instanceof CircuitBreaker)) {
      throw new TypeError(`instrumentCircuitBreakers: breakers[${index}] must be a CircuitBreaker; got ${describe(breaker)}`);
    }
  });
  return [...new Set(breakers as CircuitBreaker<unknown>[])];
}
