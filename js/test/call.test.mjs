// call, callSync and wrap: admitting, running, recording, refusing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker, CircuitBreakerError } from "edgebreaker";
import { breakerAt, counts, fail, zeroCounts } from "./helpers.mjs";

describe("call", () => {
  test("runs an async function with its arguments and resolves with its value", async () => {
    const breaker = new CircuitBreaker();
    assert.equal(await breaker.call(async (a, b) => a * b, 6, 7), 42);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
  });

  test("runs a sync function and still returns a Promise", async () => {
    const breaker = new CircuitBreaker();
    const result = breaker.call((text) => text.toUpperCase(), "ok");
    assert.ok(result instanceof Promise);
    assert.equal(await result, "OK");
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("rejects with the function's own error, and counts a failure", async () => {
    const breaker = new CircuitBreaker();
    const upstream = new Error("upstream down");
    await assert.rejects(breaker.call(async () => { throw upstream; }), (error) => error === upstream);
    const thrown = new TypeError("bad");
    await assert.rejects(breaker.call(() => { throw thrown; }), (error) => error === thrown);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, failedCalls: 2 });
  });

  test("the outcome is recorded before the caller sees it", async () => {
    const breaker = new CircuitBreaker();
    await breaker.call(async () => 1);
    assert.equal(counts(breaker).inFlight, 0);
    await assert.rejects(breaker.call(async () => { throw new Error("x"); }), () => {
      assert.equal(counts(breaker).failedCalls, 1);
      return true;
    });
  });

  test("on a closed circuit, reads the clock once per call: when it settles", async () => {
    let reads = 0;
    const breaker = new CircuitBreaker({ clock: () => (reads++, 1_000) });
    await breaker.call(async () => 1);
    await breaker.call(async () => { throw new Error("x"); }).catch(() => {});
    breaker.callSync(() => 1);
    assert.equal(reads, 3);
  });

  test("counts a call in flight until it settles", async () => {
    const breaker = new CircuitBreaker();
    let finish;
    const pending = breaker.call(() => new Promise((resolve) => { finish = resolve; }));
    assert.equal(counts(breaker).inFlight, 1);
    finish("done");
    assert.equal(await pending, "done");
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
  });

  test("follows a thenable that is not a native promise", async () => {
    const breaker = new CircuitBreaker();
    const thenable = { then: (resolve) => resolve("thenable value") };
    assert.equal(await breaker.call(() => thenable), "thenable value");
    const rejecting = { then: (_resolve, reject) => reject(new Error("thenable failed")) };
    await assert.rejects(breaker.call(() => rejecting), /thenable failed/);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, successfulCalls: 1, failedCalls: 1 });
  });

  test("a value whose `then` getter throws counts as a failure", async () => {
    const breaker = new CircuitBreaker();
    const hostile = Object.defineProperty({}, "then", { get() { throw new Error("trap"); } });
    await assert.rejects(breaker.call(() => hostile), /trap/);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });

  test("refuses while open with a CircuitBreakerError, without running the function", async () => {
    const { breaker, clock } = breakerAt({ name: "search", failureThreshold: 1, windowSize: 1, resetTimeoutMs: 500 });
    await breaker.call(async () => { throw new Error("secret upstream text"); }).catch(() => {});
    clock.now += 200;
    let ran = false;
    const error = await breaker.call(async () => { ran = true; }).catch((e) => e);
    assert.equal(ran, false);
    assert.ok(error instanceof CircuitBreakerError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "CircuitBreakerError");
    assert.equal(error.breakerName, "search");
    assert.equal(error.state, "open");
    assert.equal(error.retryAfterMs, 300);
    assert.doesNotMatch(error.message, /secret/);
    assert.match(error.message, /search/);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, failedCalls: 1, blockedCalls: 1 });
  });

  test("a function that is not a function rejects with TypeError and counts nothing", async () => {
    const breaker = new CircuitBreaker();
    for (const fn of [undefined, null, 5, "fn", {}]) {
      await assert.rejects(breaker.call(fn), TypeError);
    }
    assert.deepEqual(counts(breaker), zeroCounts);
  });
});

describe("callSync", () => {
  test("returns the value and throws the error synchronously", () => {
    const breaker = new CircuitBreaker();
    assert.equal(breaker.callSync((a, b) => a + b, 2, 3), 5);
    const upstream = new Error("sync failure");
    assert.throws(() => breaker.callSync(() => { throw upstream; }), (error) => error === upstream);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, successfulCalls: 1, failedCalls: 1 });
  });

  test("throws CircuitBreakerError synchronously while open", () => {
    const { breaker } = breakerAt({ failureThreshold: 1, windowSize: 1 });
    fail(breaker);
    assert.throws(() => breaker.callSync(() => 1), CircuitBreakerError);
    assert.equal(counts(breaker).blockedCalls, 1);
  });

  test("a promise returned anyway is followed: its outcome is what counts", async () => {
    const breaker = new CircuitBreaker();
    const result = breaker.callSync(async () => { throw new Error("late"); });
    assert.ok(result instanceof Promise);
    assert.equal(counts(breaker).inFlight, 1);
    await assert.rejects(result, /late/);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });

  test("a function that is not a function throws TypeError", () => {
    assert.throws(() => new CircuitBreaker().callSync(42), TypeError);
  });
});

describe("wrap", () => {
  test("keeps `this`, the arguments and the name, and always returns a Promise", async () => {
    const breaker = new CircuitBreaker();
    const account = {
      balance: 10,
      add: breaker.wrap(function deposit(amount) {
        this.balance += amount;
        return this.balance;
      }),
    };
    const result = account.add(5);
    assert.ok(result instanceof Promise);
    assert.equal(await result, 15);
    assert.equal(account.add.name, "deposit");
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("every wrapped function shares the breaker", async () => {
    const { breaker } = breakerAt({ failureThreshold: 2, windowSize: 2 });
    const first = breaker.wrap(async () => { throw new Error("a"); });
    const second = breaker.wrap(async () => "b");
    await first().catch(() => {});
    await first().catch(() => {});
    await assert.rejects(second(), CircuitBreakerError);
  });

  test("refuses to wrap what is not a function", () => {
    assert.throws(() => new CircuitBreaker().wrap("nope"), TypeError);
  });
});
