// isFailure, fallback and timeoutMs.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, test } from "node:test";
import { CircuitBreaker, CircuitBreakerError, TimeoutError } from "edgebreaker";
import { breakerAt, counts, fail, zeroCounts } from "./helpers.mjs";

describe("isFailure", () => {
  test("false ignores the error: no trace in the window, the error is rethrown, no fallback", async () => {
    let fellBack = false;
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      windowSize: 1,
      isFailure: (error) => !(error instanceof RangeError),
      fallback: () => { fellBack = true; },
    });
    const invalid = new RangeError("caller's fault");
    for (let i = 0; i < 5; i++) await assert.rejects(breaker.call(async () => { throw invalid; }), (e) => e === invalid);
    assert.throws(() => breaker.callSync(() => { throw invalid; }), (e) => e === invalid);
    assert.equal(fellBack, false);
    assert.equal(breaker.state, "closed");
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 6, ignoredCalls: 6 });
    assert.equal(breaker.getStatus().metrics.failureRate, 0);
  });

  test("true, a non-boolean, or throwing counts a failure (only an explicit false ignores)", async () => {
    for (const isFailure of [() => true, () => undefined, () => 0, () => { throw new Error("judge broke"); }]) {
      const breaker = new CircuitBreaker({ isFailure });
      await breaker.call(async () => { throw new Error("x"); }).catch(() => {});
      assert.equal(counts(breaker).failedCalls, 1, String(isFailure));
    }
  });

  test("receives the error that was thrown", async () => {
    const seen = [];
    const breaker = new CircuitBreaker({ isFailure: (error) => { seen.push(error); return true; } });
    const upstream = new Error("judge me");
    await breaker.call(() => Promise.reject(upstream)).catch(() => {});
    assert.deepEqual(seen, [upstream]);
  });
});

describe("fallback", () => {
  test("answers for a refused call, with the CircuitBreakerError and the call's arguments", async () => {
    const calls = [];
    const { breaker } = breakerAt({
      failureThreshold: 1,
      windowSize: 1,
      fallback: (error, ...args) => { calls.push([error, args]); return "cached"; },
    });
    fail(breaker);
    assert.equal(await breaker.call(async (q) => `live ${q}`, "query"), "cached");
    assert.equal(breaker.callSync((q) => `live ${q}`, "sync"), "cached");
    assert.equal(calls.length, 2);
    assert.ok(calls[0][0] instanceof CircuitBreakerError);
    assert.deepEqual(calls[0][1], ["query"]);
    assert.deepEqual(calls[1][1], ["sync"]);
    assert.equal(counts(breaker).blockedCalls, 2);
  });

  test("answers for a failed call with its error, after the failure is recorded", async () => {
    let seen;
    const breaker = new CircuitBreaker({
      fallback: (error, a) => { seen = { error, a, failed: breaker.getStatus().metrics.failedCalls }; return a * 2; },
    });
    const upstream = new Error("down");
    assert.equal(await breaker.call(async () => { throw upstream; }, 21), 42);
    assert.deepEqual(seen, { error: upstream, a: 21, failed: 1 });
    assert.equal(breaker.callSync(() => { throw upstream; }, 4), 8);
  });

  test("an async fallback's value is what the call resolves with", async () => {
    const breaker = new CircuitBreaker({ fallback: async () => "later" });
    assert.equal(await breaker.call(() => { throw new Error("x"); }), "later");
  });

  test("a fallback that throws rejects the call with its own error", async () => {
    const own = new Error("fallback broke");
    const breaker = new CircuitBreaker({ fallback: () => { throw own; } });
    await assert.rejects(breaker.call(async () => { throw new Error("x"); }), (e) => e === own);
    assert.throws(() => breaker.callSync(() => { throw new Error("x"); }), (e) => e === own);
  });

  test("is not used for a successful call", async () => {
    const breaker = new CircuitBreaker({ fallback: () => "fallback" });
    assert.equal(await breaker.call(async () => "live"), "live");
  });
});

describe("timeoutMs", () => {
  // Spy on the global timers: the breaker must set one only with timeoutMs,
  // and clear it when the call settles first.
  let timers;
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  beforeEach(() => {
    timers = { set: [], cleared: [] };
    globalThis.setTimeout = (fn, ms, ...rest) => {
      const handle = realSetTimeout(fn, ms, ...rest);
      timers.set.push({ ms, handle });
      return handle;
    };
    globalThis.clearTimeout = (handle) => {
      timers.cleared.push(handle);
      return realClearTimeout(handle);
    };
  });
  afterEach(() => {
    globalThis.setTimeout = realSetTimeout;
    globalThis.clearTimeout = realClearTimeout;
  });

  test("a call that takes too long rejects with TimeoutError and counts a failure; its late outcome is dropped", async () => {
    const breaker = new CircuitBreaker({ name: "slow", timeoutMs: 20 });
    let finish;
    const error = await breaker.call(() => new Promise((resolve) => { finish = resolve; })).catch((e) => e);
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.name, "TimeoutError");
    assert.equal(error.timeoutMs, 20);
    assert.equal(error.breakerName, "slow");
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
    finish("too late");
    await new Promise((resolve) => realSetTimeout(resolve, 5));
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });

  test("a timeout is a failure even when isFailure would ignore it, and goes to the fallback", async () => {
    let fallbackError;
    const breaker = new CircuitBreaker({ timeoutMs: 10, isFailure: () => false, fallback: (e) => { fallbackError = e; return "fallback"; } });
    assert.equal(await breaker.call(() => new Promise(() => {})), "fallback");
    assert.ok(fallbackError instanceof TimeoutError);
    assert.equal(counts(breaker).failedCalls, 1);
  });

  test("a call that settles in time clears its timer", async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 60_000 });
    assert.equal(await breaker.call(async () => "fast"), "fast");
    await breaker.call(async () => { throw new Error("fast failure"); }).catch(() => {});
    assert.equal(timers.set.length, 2);
    assert.deepEqual(timers.set.map(({ ms }) => ms), [60_000, 60_000]);
    assert.deepEqual(timers.cleared, timers.set.map(({ handle }) => handle));
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, successfulCalls: 1, failedCalls: 1 });
  });

  test("no timer is set without timeoutMs, nor for a synchronous result", async () => {
    await new CircuitBreaker().call(async () => 1);
    await new CircuitBreaker({ timeoutMs: 1_000 }).call(() => "sync");
    assert.equal(timers.set.length, 0);
  });
});
