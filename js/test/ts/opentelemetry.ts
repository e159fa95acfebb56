// "edgebreaker/opentelemetry" as a TypeScript user writes it, against the
// installed types and @opentelemetry's own (this file must compile under
// `strict`; the @ts-expect-error lines must stay errors). opentelemetry.test.mjs runs its tests.
import { metrics } from "@opentelemetry/api";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { CircuitBreaker, getCircuitBreaker } from "edgebreaker";
import {
  instrumentCircuitBreakers,
  type CircuitBreakerInstrumentation,
  type CircuitBreakerInstrumentationOptions,
} from "edgebreaker/opentelemetry";
import { check } from "./check.js";

/** The TypeError `fn` throws: what the type checker's complaint would have been at run time. */
function typeErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof TypeError) return error.message;
    throw error;
  }
  throw new Error("no TypeError");
}

export const tests: { name: string; run: () => void }[] = [
  {
    name: "instrumentCircuitBreakers takes an SDK MeterProvider and breakers of any fallback type",
    run() {
      const withFallback = new CircuitBreaker({ fallback: () => null });
      const options: CircuitBreakerInstrumentationOptions = {
        meterProvider: new MeterProvider(),
        breakers: new Set([withFallback, getCircuitBreaker("typed-otel")]),
      };
      const instrumentation: CircuitBreakerInstrumentation = instrumentCircuitBreakers(options);
      instrumentation.stop();
      instrumentCircuitBreakers().stop(); // the global provider, the registry
    },
  },
  {
    name: "a Meter is not a MeterProvider, nor a breaker's name a breaker",
    run() {
      // @ts-expect-error: a Meter, where the provider of meters is wanted
      const meter = typeErrorOf(() => instrumentCircuitBreakers({ meterProvider: metrics.getMeter("app") }));
      check(meter.includes("meterProvider must be a MeterProvider"), meter);
      // @ts-expect-error: names, where breakers are wanted
      const names = typeErrorOf(() => instrumentCircuitBreakers({ breakers: ["llm"] }));
      check(names.includes("breakers[0] must be a CircuitBreaker; got a string"), names);
    },
  },
];
