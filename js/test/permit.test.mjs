// The two-step API: acquire() -> Permit, settled once.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker, CircuitBreakerError, Permit } from "edgebreaker";
import { breakerAt, counts, fail, zeroCounts } from "./helpers.mjs";

describe("acquire and settle", () => {
  test("success, failure and ignore each count once", () => {
    const breaker = new CircuitBreaker();
    breaker.acquire().success();
    breaker.acquire().failure();
    breaker.acquire().ignore();
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 3, successfulCalls: 1, failedCalls: 1, ignoredCalls: 1 });
  });

  test("a permit is a Permit and says whether it is settled", () => {
    const permit = new CircuitBreaker().acquire();
    assert.ok(permit instanceof Permit);
    assert.equal(permit.settled, false);
    permit.success();
    assert.equal(permit.settled, true);
  });

  test("settling twice is a no-op", () => {
    const breaker = new CircuitBreaker();
    const permit = breaker.acquire();
    permit.success();
    permit.failure();
    permit.ignore();
    permit.success();
    permit[Symbol.dispose]();
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
  });

  test("disposing an unsettled permit records a failure; disposing a settled one does nothing", () => {
    const breaker = new CircuitBreaker();
    breaker.acquire()[Symbol.dispose]();
    const settled = breaker.acquire();
    settled.success();
    settled[Symbol.dispose]();
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, successfulCalls: 1, failedCalls: 1 });
  });

  test("throws CircuitBreakerError when open, and counts the refusal", () => {
    const { breaker } = breakerAt({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 100 });
    fail(breaker);
    assert.throws(() => breaker.acquire(), (error) => error instanceof CircuitBreakerError && error.retryAfterMs === 100);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, failedCalls: 1, blockedCalls: 1 });
  });

  test("half-open admits halfOpenMaxCalls probes, then refuses with retryAfterMs 0", () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 100, halfOpenMaxCalls: 2 });
    fail(breaker);
    clock.now += 100;
    const probes = [breaker.acquire(), breaker.acquire()];
    assert.throws(
      () => breaker.acquire(),
      (error) => error instanceof CircuitBreakerError && error.state === "half_open" && error.retryAfterMs === 0,
    );
    probes[0].ignore(); // frees its slot
    breaker.acquire().success();
    probes[1].success();
    assert.equal(breaker.state, "closed");
  });

  test("failure(error) is judged by isFailure: false records the call as ignored", () => {
    const breaker = new CircuitBreaker({ isFailure: (error) => error.status >= 500 });
    breaker.acquire().failure({ status: 404 });
    breaker.acquire().failure({ status: 503 });
    breaker.acquire().failure();
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 3, failedCalls: 2, ignoredCalls: 1 });
  });

  test("failure(error, { retryAfterMs }) opens the circuit for exactly that long", () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 5, windowSize: 10, resetTimeoutMs: 60_000 });
    breaker.acquire().failure(new Error("429"), { retryAfterMs: 2_500 });
    assert.equal(breaker.state, "open");
    assert.equal(breaker.getStatus().retryAfterMs, 2_500);
    clock.now += 2_500;
    assert.equal(breaker.state, "half_open");
  });

  test("a bad retryAfterMs throws naming it, and leaves the permit unsettled", () => {
    const breaker = new CircuitBreaker();
    const permit = breaker.acquire();
    assert.throws(() => permit.failure(undefined, { retryAfterMs: "soon" }), (e) => e instanceof TypeError && /retryAfterMs/.test(e.message));
    assert.throws(() => permit.failure(undefined, { retryAfterMs: -1 }), (e) => e instanceof RangeError && /retryAfterMs/.test(e.message));
    assert.throws(() => permit.failure(undefined, { retryAfterMs: NaN }), RangeError);
    assert.throws(() => permit.failure(undefined, 5), TypeError);
    assert.equal(permit.settled, false);
    assert.equal(counts(breaker).inFlight, 1);
    permit.failure();
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });

  test("a permit from before a trip settles as stale: counted, but it moves nothing", () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 100, successThreshold: 1 });
    const early = breaker.acquire();
    fail(breaker);
    clock.now += 100;
    assert.equal(breaker.state, "half_open");
    early.success(); // admitted while closed: must not close the circuit
    assert.equal(breaker.state, "half_open");
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("permits of one breaker do not move another", () => {
    const one = new CircuitBreaker({ failureThreshold: 1, windowSize: 1 });
    const other = new CircuitBreaker({ failureThreshold: 1, windowSize: 1 });
    const permit = one.acquire();
    permit.failure();
    assert.equal(one.state, "open");
    assert.equal(other.state, "closed");
  });
});
