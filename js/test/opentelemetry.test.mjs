// "edgebreaker/opentelemetry" on the real @opentelemetry/sdk-metrics: what its
// in-memory exporter receives (names, units, kinds, attributes, values) as
// breakers go closed → open → half_open → closed; which breakers it reports;
// bad input; and that only this entry imports @opentelemetry/api.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, test } from "node:test";
import { metrics } from "@opentelemetry/api";
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { CircuitBreaker, CircuitBreakerError, clearCircuitBreakerRegistry, getCircuitBreaker, removeCircuitBreaker } from "edgebreaker";
import { instrumentCircuitBreakers } from "edgebreaker/opentelemetry";
import { tests as typedTests } from "./ts/opentelemetry.js";

/** A MeterProvider whose reader exports to memory only when asked (`collect()`): the SDK as an application sets it up. */
function sdk() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    /** The metrics of the "edgebreaker" meter in one export, by name. */
    async collect() {
      exporter.reset();
      await reader.forceFlush();
      const scopes = exporter.getMetrics().flatMap((resource) => resource.scopeMetrics);
      const ours = scopes.filter(({ scope }) => scope.name === "edgebreaker").flatMap((scope) => scope.metrics);
      return new Map(ours.map((metric) => [metric.descriptor.name, metric]));
    },
    shutdown: () => provider.shutdown(),
  };
}

/** A metric's data points as `{ ...attributes, value }`, sorted, for one deepEqual. */
function points(exported, name) {
  const metric = exported.get(name);
  assert.ok(metric, `${name} was not exported; got ${[...exported.keys()].join(", ") || "nothing"}`);
  return metric.dataPoints.map(({ attributes, value }) => ({ ...attributes, value })).sort(byJson);
}
const byJson = (a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

/** The data points of `name` for the breaker called `breaker`. */
const pointsOf = (exported, name, breaker) => points(exported, name).filter((point) => point.breaker === breaker);

const statusPoints = (breaker, current) =>
  ["closed", "open", "half_open"].map((state) => ({ breaker, state, value: state === current ? 1 : 0 })).sort(byJson);
const callPoints = (breaker, counts) => Object.entries(counts).map(([outcome, value]) => ({ breaker, outcome, value })).sort(byJson);
const transitionPoints = (breaker, tallies) => tallies.map(([from, to, cause, value]) => ({ breaker, from, to, cause, value })).sort(byJson);

let otel;
beforeEach(() => {
  clearCircuitBreakerRegistry();
  otel = sdk();
});
afterEach(() => otel.shutdown());

describe("edgebreaker/opentelemetry", () => {
  test("a registered breaker driven closed → open → half_open → closed, as the SDK exports it", async () => {
    const instrumentation = instrumentCircuitBreakers({ meterProvider: otel.provider });
    const clock = { now: 1_000 };
    const breaker = getCircuitBreaker("llm", {
      clock: () => clock.now,
      failureThreshold: 2,
      windowSize: 10,
      resetTimeoutMs: 1_000,
      successThreshold: 1,
      slowCallMs: 500,
    });
    breaker.acquire().success();
    const slow = breaker.acquire();
    clock.now += 500;
    slow.success(); // a slow success: a failure in the window
    breaker.acquire().ignore();
    const pending = breaker.acquire();
    breaker.acquire().failure(); // the window's second failure of three calls: open

    let exported = await otel.collect();
    assert.deepEqual(points(exported, "edgebreaker.breaker.status"), statusPoints("llm", "open"));
    assert.deepEqual(points(exported, "edgebreaker.breaker.calls"), callPoints("llm", { successful: 1, failed: 1, slow: 1, blocked: 0, ignored: 1 }));
    assert.deepEqual(points(exported, "edgebreaker.breaker.active_calls"), [{ breaker: "llm", value: 1 }]);
    assert.deepEqual(points(exported, "edgebreaker.breaker.failure_rate"), [{ breaker: "llm", value: 2 / 3 }]);
    assert.deepEqual(points(exported, "edgebreaker.breaker.transitions"), transitionPoints("llm", [["closed", "open", "failure_threshold", 1]]));

    assert.throws(() => breaker.acquire(), CircuitBreakerError);
    pending.ignore();
    clock.now += 1_000; // the open time elapses: half-open when next read, by the collection
    exported = await otel.collect();
    assert.deepEqual(points(exported, "edgebreaker.breaker.status"), statusPoints("llm", "half_open"));
    assert.deepEqual(points(exported, "edgebreaker.breaker.calls"), callPoints("llm", { successful: 1, failed: 1, slow: 1, blocked: 1, ignored: 2 }));
    assert.deepEqual(points(exported, "edgebreaker.breaker.active_calls"), [{ breaker: "llm", value: 0 }]);
    assert.deepEqual(
      points(exported, "edgebreaker.breaker.transitions"),
      transitionPoints("llm", [
        ["closed", "open", "failure_threshold", 1],
        ["open", "half_open", "open_time_elapsed", 1],
      ]),
    );

    breaker.acquire().success(); // the probe: closed
    exported = await otel.collect();
    const { metrics: status } = breaker.getStatus();
    assert.deepEqual(points(exported, "edgebreaker.breaker.status"), statusPoints("llm", "closed"));
    assert.deepEqual(points(exported, "edgebreaker.breaker.calls"), callPoints("llm", { successful: 2, failed: 1, slow: 1, blocked: 1, ignored: 2 }));
    assert.equal(2 + 1 + 1 + 1 + 2, status.totalCalls, "the outcomes partition the calls");
    assert.deepEqual(points(exported, "edgebreaker.breaker.failure_rate"), [{ breaker: "llm", value: status.failureRate }]);
    assert.deepEqual(
      points(exported, "edgebreaker.breaker.transitions"),
      transitionPoints("llm", [
        ["closed", "open", "failure_threshold", 1],
        ["open", "half_open", "open_time_elapsed", 1],
        ["half_open", "closed", "probes_succeeded", 1],
      ]),
    );
    instrumentation.stop();
  });

  test("names, units and kinds follow OpenTelemetry's conventions", async () => {
    const instrumentation = instrumentCircuitBreakers({ meterProvider: otel.provider });
    getCircuitBreaker("llm").forceOpen(); // a transition, without which there is no transitions point
    const exported = await otel.collect();
    const described = Object.fromEntries(
      [...exported].map(([name, { descriptor, dataPointType, isMonotonic }]) => [name, { unit: descriptor.unit, type: descriptor.type, dataPointType, isMonotonic }]),
    );
    const sum = (type, isMonotonic, unit) => ({ unit, type, dataPointType: DataPointType.SUM, isMonotonic });
    assert.deepEqual(described, {
      "edgebreaker.breaker.status": sum("OBSERVABLE_UP_DOWN_COUNTER", false, "1"),
      "edgebreaker.breaker.calls": sum("OBSERVABLE_COUNTER", true, "{call}"),
      "edgebreaker.breaker.active_calls": sum("OBSERVABLE_UP_DOWN_COUNTER", false, "{call}"),
      "edgebreaker.breaker.failure_rate": { unit: "1", type: "OBSERVABLE_GAUGE", dataPointType: DataPointType.GAUGE, isMonotonic: undefined },
      "edgebreaker.breaker.transitions": sum("OBSERVABLE_COUNTER", true, "{transition}"),
    });
    for (const [name, { descriptor }] of exported) assert.ok(descriptor.description.length > 0, `${name} has a description`);
    instrumentation.stop();
  });

  test("a breaker registered later has its transitions counted from its first, and one removed is no longer observed", async () => {
    const instrumentation = instrumentCircuitBreakers({ meterProvider: otel.provider });
    const late = getCircuitBreaker("late", { failureThreshold: 1 });
    late.acquire().failure(); // opens before any collection
    const stays = getCircuitBreaker("stays");
    let exported = await otel.collect();
    assert.deepEqual(pointsOf(exported, "edgebreaker.breaker.transitions", "late"), transitionPoints("late", [["closed", "open", "failure_threshold", 1]]));
    assert.deepEqual(pointsOf(exported, "edgebreaker.breaker.status", "late"), statusPoints("late", "open"));

    // Removed, its changes are no longer observed (the SDK goes on exporting the cumulative points it last had).
    removeCircuitBreaker("late");
    late.reset();
    stays.forceOpen();
    exported = await otel.collect();
    assert.deepEqual(pointsOf(exported, "edgebreaker.breaker.status", "late"), statusPoints("late", "open"));
    assert.deepEqual(pointsOf(exported, "edgebreaker.breaker.transitions", "late"), transitionPoints("late", [["closed", "open", "failure_threshold", 1]]));
    assert.deepEqual(pointsOf(exported, "edgebreaker.breaker.status", "stays"), statusPoints("stays", "open"));

    // Another breaker registered under the name is counted from its own first transition.
    getCircuitBreaker("late").acquire().failure();
    exported = await otel.collect();
    assert.deepEqual(pointsOf(exported, "edgebreaker.breaker.status", "late"), statusPoints("late", "closed"));
    assert.deepEqual(pointsOf(exported, "edgebreaker.breaker.calls", "late").find(({ outcome }) => outcome === "failed"), { breaker: "late", outcome: "failed", value: 1 });
    getCircuitBreaker("late").forceOpen();
    exported = await otel.collect();
    assert.deepEqual(
      pointsOf(exported, "edgebreaker.breaker.transitions", "late"),
      transitionPoints("late", [
        ["closed", "open", "failure_threshold", 1], // the removed breaker's, as the SDK last had it
        ["closed", "open", "force_open", 1],
      ]),
    );
    instrumentation.stop();
  });

  test("given breakers, it reports those (registered or not) and no other", async () => {
    const mine = new CircuitBreaker({ name: "mine", failureThreshold: 1 });
    getCircuitBreaker("registered").forceOpen();
    const instrumentation = instrumentCircuitBreakers({ meterProvider: otel.provider, breakers: [mine, mine] });
    mine.acquire().failure();
    const exported = await otel.collect();
    assert.deepEqual(points(exported, "edgebreaker.breaker.status"), statusPoints("mine", "open"));
    assert.deepEqual(points(exported, "edgebreaker.breaker.transitions"), transitionPoints("mine", [["closed", "open", "failure_threshold", 1]]));
    instrumentation.stop();
  });

  test("stop() takes its instruments out of collection: later changes are not observed", async () => {
    const instrumentation = instrumentCircuitBreakers({ meterProvider: otel.provider });
    const breaker = getCircuitBreaker("llm");
    assert.deepEqual(points(await otel.collect(), "edgebreaker.breaker.status"), statusPoints("llm", "closed"));
    instrumentation.stop();
    instrumentation.stop(); // twice is once
    breaker.forceOpen();
    getCircuitBreaker("later").forceOpen();
    const exported = await otel.collect();
    assert.deepEqual(points(exported, "edgebreaker.breaker.status"), statusPoints("llm", "closed"));
    assert.equal(exported.has("edgebreaker.breaker.transitions"), false);
  });

  test("without a meterProvider, the global one", async () => {
    assert.ok(metrics.setGlobalMeterProvider(otel.provider));
    try {
      const instrumentation = instrumentCircuitBreakers();
      getCircuitBreaker("global").forceOpen();
      assert.deepEqual(points(await otel.collect(), "edgebreaker.breaker.status"), statusPoints("global", "open"));
      instrumentation.stop();
    } finally {
      metrics.disable();
    }
  });

  test("bad input is a TypeError naming it, and instruments nothing", async () => {
    const breaker = new CircuitBreaker({ name: "llm" });
    const cases = [
      [() => instrumentCircuitBreakers("provider"), "instrumentCircuitBreakers: options must be an object; got a string"],
      [() => instrumentCircuitBreakers({ meterProvider: {} }), "instrumentCircuitBreakers: meterProvider must be a MeterProvider (with a getMeter method); got an object"],
      [() => instrumentCircuitBreakers({ meterProvider: otel.provider, breakers: 3 }), "instrumentCircuitBreakers: breakers must be an iterable of CircuitBreaker; got 3"],
      [() => instrumentCircuitBreakers({ meterProvider: otel.provider, breakers: "llm" }), "instrumentCircuitBreakers: breakers must be an iterable of CircuitBreaker; got a string"],
      [() => instrumentCircuitBreakers({ meterProvider: otel.provider, breakers: [breaker, {}] }), "instrumentCircuitBreakers: breakers[1] must be a CircuitBreaker; got an object"],
    ];
    for (const [call, message] of cases) assert.throws(call, { name: "TypeError", message });
    getCircuitBreaker("llm");
    assert.deepEqual([...(await otel.collect()).keys()], []);
  });
});

describe("TypeScript and the entries", () => {
  for (const { name, run } of typedTests) test(`TypeScript: ${name}`, run);

  test("only edgebreaker/opentelemetry imports @opentelemetry/api, and it imports the breakers from edgebreaker itself", () => {
    const dist = dirname(createRequire(import.meta.url).resolve("edgebreaker"));
    for (const main of ["index.js", "browser.js", "workerd.js", "cloudflare.js", "redis.js"]) {
      assert.doesNotMatch(readFileSync(join(dist, main), "utf8"), /opentelemetry/i, main);
    }
    const entry = readFileSync(join(dist, "opentelemetry.js"), "utf8");
    const imported = [...entry.matchAll(/(?:^|;)\s*import\b[^;]*?from\s*"([^"]+)"/g)].map((match) => match[1]);
    assert.deepEqual(imported.sort(), ["@opentelemetry/api", "edgebreaker"]);
  });
});
