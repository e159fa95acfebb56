// The flat export of many breakers (circuitBreakerFigures) and the Prometheus
// exposition built on it (edgebreaker/prometheus), read back by a real parser.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeEach, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import parsePrometheus from "parse-prometheus-text-format";
import { CircuitBreaker, circuitBreakerFigures, clearCircuitBreakerRegistry, FIGURES, getCircuitBreaker } from "edgebreaker";
import { PROMETHEUS_CONTENT_TYPE, prometheusMetrics } from "edgebreaker/prometheus";
import { fail } from "./helpers.mjs";

beforeEach(() => clearCircuitBreakerRegistry());

/** Registered breakers on one fake clock: "tripped" opened by failures, then half-opened and failed again; "calm" closed. */
function twoBreakers() {
  const clock = { now: 1_000 };
  const options = { clock: () => clock.now, failureThreshold: 2, windowSize: 4, resetTimeoutMs: 10_000 };
  const tripped = getCircuitBreaker("tripped", options);
  tripped.acquire().success();
  fail(tripped, 2); // closed → open: failure_threshold
  clock.now += 10_000; // open → half_open: open_time_elapsed
  fail(tripped, 1); // half_open → open: probe_failed
  assert.throws(() => tripped.acquire()); // blocked
  const calm = getCircuitBreaker("calm", options);
  calm.acquire().success();
  return { clock, tripped, calm };
}

/** The parsed families by name, each sample as { labels, value }. */
function parsed(text) {
  return Object.fromEntries(parsePrometheus(text).map((family) => [family.name, family]));
}

/** The value of the sample of `family` whose labels are exactly `labels`. */
function sample(families, name, labels) {
  const found = families[name]?.metrics.filter((metric) => JSON.stringify(metric.labels) === JSON.stringify(labels));
  assert.equal(found?.length, 1, `one ${name} sample labelled ${JSON.stringify(labels)}`);
  return Number(found[0].value);
}

describe("circuitBreakerFigures", () => {
  test("every registered breaker's figures, at the offsets FIGURES names, agree with its status", () => {
    const { tripped, calm } = twoBreakers();
    const figures = circuitBreakerFigures();
    assert.deepEqual(figures.names, ["tripped", "calm"]);
    assert.equal(figures.figures.length, 2 * FIGURES.count);
    [tripped, calm].forEach((breaker, index) => {
      const status = breaker.getStatus();
      const at = (name) => figures.figures[index * FIGURES.count + FIGURES[name]];
      assert.equal(figures.states[at("state")], status.state);
      assert.equal(at("retryAfterMs"), status.retryAfterMs);
      for (const name of Object.keys(status.metrics)) assert.equal(at(name), status.metrics[name] ?? Number.NaN, name);
    });
  });

  test("transitions are counted by change and cause, one row each", () => {
    twoBreakers();
    const { transitions, states, causes } = circuitBreakerFigures();
    const rows = [];
    for (let row = 0; row < transitions.length; row += 5) {
      const [index, from, to, cause, count] = transitions.subarray(row, row + 5);
      rows.push([index, states[from], states[to], causes[cause], count]);
    }
    assert.deepEqual(rows, [
      [0, "closed", "open", "failure_threshold", 1],
      [0, "half_open", "open", "probe_failed", 1],
      [0, "open", "half_open", "open_time_elapsed", 1],
    ]);
  });

  test("a breaker forced open until reset() has NaN for retryAfterMs; one that never failed, NaN for lastFailureTime", () => {
    const breaker = new CircuitBreaker({ name: "forced" });
    breaker.forceOpen();
    const { figures } = circuitBreakerFigures([breaker]);
    assert.ok(Number.isNaN(figures[FIGURES.retryAfterMs]));
    assert.ok(Number.isNaN(figures[FIGURES.lastFailureTime]));
    assert.equal(figures[FIGURES.state], 1);
  });

  test("bad input is a TypeError naming what was wrong", () => {
    const breaker = getCircuitBreaker("one");
    assert.throws(() => circuitBreakerFigures(42), { name: "TypeError", message: /^breakers must be an iterable of CircuitBreaker .*; got 42$/ });
    assert.throws(() => circuitBreakerFigures([breaker, {}]), { name: "TypeError", message: "breakers[1] must be a CircuitBreaker; got an object" });
    assert.deepEqual(circuitBreakerFigures([]).names, []);
  });
});

describe("edgebreaker/prometheus", () => {
  test("the content type is the one Prometheus expects of the text format", () => {
    assert.equal(PROMETHEUS_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
  });

  test("the registry's breakers, parsed back: state per state, calls by outcome, the window's ratio, transitions by cause", () => {
    twoBreakers();
    const families = parsed(prometheusMetrics());
    assert.deepEqual(
      Object.entries(families).map(([name, family]) => [name, family.type]),
      [
        ["edgebreaker_state", "GAUGE"],
        ["edgebreaker_calls_total", "COUNTER"],
        ["edgebreaker_slow_calls_total", "COUNTER"],
        ["edgebreaker_calls_in_flight", "GAUGE"],
        ["edgebreaker_window_failure_ratio", "GAUGE"],
        ["edgebreaker_retry_after_seconds", "GAUGE"],
        ["edgebreaker_transitions_total", "COUNTER"],
      ],
    );
    for (const family of Object.values(families)) assert.ok(family.help.length > 10, `${family.name} has help`);
    const states = (breaker) => ["closed", "open", "half_open"].map((state) => sample(families, "edgebreaker_state", { breaker, state }));
    assert.deepEqual(states("tripped"), [0, 1, 0]);
    assert.deepEqual(states("calm"), [1, 0, 0]);
    const calls = (breaker) => ["success", "failure", "ignored", "blocked"].map((outcome) => sample(families, "edgebreaker_calls_total", { breaker, outcome }));
    assert.deepEqual(calls("tripped"), [1, 3, 0, 1]);
    assert.deepEqual(calls("calm"), [1, 0, 0, 0]);
    assert.equal(sample(families, "edgebreaker_window_failure_ratio", { breaker: "calm" }), 0);
    assert.equal(sample(families, "edgebreaker_window_failure_ratio", { breaker: "tripped" }), 2 / 3); // the window it opened on
    assert.equal(sample(families, "edgebreaker_retry_after_seconds", { breaker: "tripped" }), 10); // reopened just now, for resetTimeoutMs
    assert.equal(sample(families, "edgebreaker_retry_after_seconds", { breaker: "calm" }), 0);
    const transitions = families.edgebreaker_transitions_total.metrics.map(({ labels, value }) => ({ ...labels, value: Number(value) }));
    assert.deepEqual(transitions, [
      { breaker: "tripped", from: "closed", to: "open", cause: "failure_threshold", value: 1 },
      { breaker: "tripped", from: "half_open", to: "open", cause: "probe_failed", value: 1 },
      { breaker: "tripped", from: "open", to: "half_open", cause: "open_time_elapsed", value: 1 },
    ]);
  });

  test("hostile breaker names come back from the parser as they were: backslash, double quote and line feed escaped", () => {
    const names = ['quote " inside', "back\\slash", "line\nfeed", 'all\\"\n}{,=', "émoji 🔌"];
    for (const name of names) getCircuitBreaker(name).forceOpen(5_000);
    const text = prometheusMetrics();
    const families = parsed(text);
    for (const name of names) assert.equal(sample(families, "edgebreaker_state", { breaker: name, state: "open" }), 1, JSON.stringify(name));
    assert.equal(text.split("\n").filter((line) => line.startsWith("edgebreaker_state{")).length, names.length * 3, "no name breaks a line");
    const forced = families.edgebreaker_transitions_total.metrics.filter(({ labels }) => labels.cause === "force_open");
    assert.deepEqual(forced.map(({ labels }) => labels.breaker), names);
  });

  test("names with lone surrogates, which UTF-8 cannot carry, stay two series: each is written as the text \\uXXXX", () => {
    const breakers = [new CircuitBreaker({ name: "lone\uD800" }), new CircuitBreaker({ name: "lone\uDC00" })];
    const labels = parsed(prometheusMetrics(breakers)).edgebreaker_calls_in_flight.metrics.map(({ labels }) => labels.breaker);
    assert.deepEqual(labels, ["lone\\uD800", "lone\\uDC00"]);
  });

  test("a breaker forced open until reset() waits +Inf seconds", () => {
    const breaker = new CircuitBreaker({ name: "forced" });
    breaker.forceOpen();
    assert.match(prometheusMetrics([breaker]), /^edgebreaker_retry_after_seconds\{breaker="forced"\} \+Inf$/m);
  });

  test("a set of breakers: only those, registered or not", () => {
    getCircuitBreaker("registered");
    const mine = [new CircuitBreaker({ name: "mine-a" }), new CircuitBreaker({ name: "mine-b" })];
    const breakers = parsed(prometheusMetrics(new Set(mine))).edgebreaker_state.metrics.map(({ labels }) => labels.breaker);
    assert.deepEqual([...new Set(breakers)], ["mine-a", "mine-b"]);
    assert.doesNotMatch(prometheusMetrics([]), /^edgebreaker_state\{/m, "no breakers, no samples");
  });

  test("two breakers of one name would collide, and something else is no breaker: a TypeError naming it", () => {
    assert.throws(() => prometheusMetrics([new CircuitBreaker({ name: "twin" }), new CircuitBreaker({ name: "twin" })]), {
      name: "TypeError",
      message: 'breakers: two are named "twin", and a metric needs one name per breaker',
    });
    assert.throws(() => prometheusMetrics("nope"), { name: "TypeError", message: /^breakers must be an iterable of CircuitBreaker .*; got a string$/ });
    assert.throws(() => prometheusMetrics([new CircuitBreaker({ name: "one" }), "two"]), { name: "TypeError", message: "breakers[1] must be a CircuitBreaker; got a string" });
  });

  test("the main entries do not include it; it imports the main entry, so it reads the application's registry", () => {
    const dist = dirname(fileURLToPath(import.meta.resolve("edgebreaker")));
    for (const entry of ["index.js", "browser.js", "workerd.js"]) {
      assert.doesNotMatch(readFileSync(join(dist, entry), "utf8"), /edgebreaker_transitions_total|version=0\.0\.4/, entry);
    }
    const prometheus = readFileSync(join(dist, "prometheus.js"), "utf8");
    assert.match(prometheus, /(?:^|;)\s*import\s*\{[^}]*\}\s*from\s*"edgebreaker";/);
    assert.doesNotMatch(prometheus, /WasmBreaker|wasm/i, "no copy of the package inside");
  });
});
