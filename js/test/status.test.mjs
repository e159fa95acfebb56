// state, name, getStatus, reset and forceOpen.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker, State } from "edgebreaker";
import { breakerAt, fail } from "./helpers.mjs";

describe("status", () => {
  test("getStatus is plain JSON-safe data: it survives JSON unchanged", () => {
    const { breaker } = breakerAt({ name: "svc", failureThreshold: 2, windowSize: 4, slowCallMs: 100 });
    breaker.acquire().success();
    fail(breaker);
    const status = breaker.getStatus();
    assert.deepEqual(JSON.parse(JSON.stringify(status)), status);
    assert.deepEqual(Object.keys(status).sort(), ["config", "fleet", "metrics", "name", "retryAfterMs", "state"]);
    assert.equal(status.fleet, null, "no fleet option, no fleet");
    assert.equal(Object.getPrototypeOf(status), Object.prototype);
    assert.equal(Object.getPrototypeOf(status.metrics), Object.prototype);
    assert.equal(status.name, "svc");
    assert.equal(status.state, "closed");
    assert.equal(status.metrics.failureRate, 0.5);
    assert.equal(status.metrics.successRate, 0.5);
    assert.equal(status.metrics.lastFailureTime, 1_000);
    assert.equal(status.config.slowCallMs, 100);
  });

  test("every metric the README lists is there, and totalCalls adds up", async () => {
    const { breaker } = breakerAt({ failureThreshold: 1, windowSize: 1, isFailure: (e) => e !== "ignore" });
    breaker.acquire(); // in flight
    breaker.acquire().success();
    await breaker.call(() => Promise.reject("ignore")).catch(() => {});
    fail(breaker);
    breaker.call(() => 1).catch(() => {}); // blocked
    const m = breaker.getStatus().metrics;
    assert.deepEqual(
      Object.keys(m).sort(),
      ["blockedCalls", "failedCalls", "failureRate", "ignoredCalls", "inFlight", "lastFailureTime", "lastSuccessTime", "slowCalls", "stateChanges", "successRate", "successfulCalls", "totalCalls"],
    );
    assert.equal(m.totalCalls, m.successfulCalls + m.failedCalls + m.blockedCalls + m.ignoredCalls + m.inFlight);
    assert.deepEqual([m.totalCalls, m.successfulCalls, m.failedCalls, m.blockedCalls, m.ignoredCalls, m.inFlight], [5, 1, 1, 1, 1, 1]);
  });

  test("state reads the clock: an open circuit reads half_open once resetTimeoutMs has passed", () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 250 });
    assert.equal(breaker.state, State.CLOSED);
    fail(breaker);
    assert.equal(breaker.state, State.OPEN);
    clock.now += 249;
    assert.equal(breaker.state, "open");
    assert.equal(breaker.getStatus().retryAfterMs, 1);
    clock.now += 1;
    assert.equal(breaker.state, State.HALF_OPEN);
  });

  test("names: given, or generated and distinct", () => {
    assert.equal(new CircuitBreaker({ name: "payments" }).name, "payments");
    const a = new CircuitBreaker().name;
    const b = new CircuitBreaker().name;
    assert.match(a, /^breaker-\d+$/);
    assert.notEqual(a, b);
  });

  test("State is frozen and spells the states as status does", () => {
    assert.deepEqual({ ...State }, { CLOSED: "closed", OPEN: "open", HALF_OPEN: "half_open" });
    assert.ok(Object.isFrozen(State));
  });
});

describe("reset and forceOpen", () => {
  test("reset closes an open circuit with an empty window; lifetime metrics stay", () => {
    const { breaker } = breakerAt({ failureThreshold: 2, windowSize: 2 });
    fail(breaker, 2);
    breaker.reset();
    const status = breaker.getStatus();
    assert.equal(status.state, "closed");
    assert.equal(status.metrics.failedCalls, 2);
    assert.equal(status.metrics.failureRate, 0);
    fail(breaker);
    assert.equal(breaker.state, "closed", "one failure after reset does not reopen a threshold of 2");
  });

  test("forceOpen(ms) opens for that long, then half-opens", () => {
    const { breaker, clock } = breakerAt();
    breaker.forceOpen(300);
    assert.equal(breaker.getStatus().retryAfterMs, 300);
    clock.now += 300;
    assert.equal(breaker.state, "half_open");
  });

  test("forceOpen() holds it open until reset, with retryAfterMs null", () => {
    const { breaker, clock } = breakerAt({ resetTimeoutMs: 10 });
    breaker.forceOpen();
    clock.now += 1e9;
    assert.equal(breaker.state, "open");
    assert.equal(breaker.getStatus().retryAfterMs, null);
    assert.throws(() => breaker.acquire(), (error) => error.retryAfterMs === null);
    breaker.reset();
    assert.equal(breaker.state, "closed");
  });

  test("forceOpen refuses a duration that is not a finite number >= 0, naming it", () => {
    const breaker = new CircuitBreaker();
    assert.throws(() => breaker.forceOpen("10"), (e) => e instanceof TypeError && /durationMs/.test(e.message));
    for (const bad of [-1, NaN, Infinity]) {
      assert.throws(() => breaker.forceOpen(bad), (e) => e instanceof RangeError && /durationMs/.test(e.message));
    }
    assert.equal(breaker.state, "closed");
  });
});
