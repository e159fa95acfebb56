// call's lean path: the handlers that record a call's outcome on fn's promise
// are used again by later calls once they have fired; no call may record
// another's permit, whatever the order calls settle in.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker } from "edgebreaker";
import { counts, zeroCounts } from "./helpers.mjs";

/** A promise and the functions that settle it. */
function deferred() {
  let resolve, reject;
  const promise = new Promise((yes, no) => ((resolve = yes), (reject = no)));
  return { promise, resolve, reject };
}

describe("call: recording a call's outcome", () => {
  test("calls in flight on two breakers, more than are kept for reuse, each count once on their own breaker in any order", async () => {
    const succeeding = new CircuitBreaker({ failureThreshold: 100, windowSize: 100 });
    const failing = new CircuitBreaker({ failureThreshold: 100, windowSize: 100 });
    const pending = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) {
        const upstream = deferred();
        const breaker = i % 2 === 0 ? succeeding : failing;
        const call = breaker.call(() => upstream.promise).catch((error) => error);
        pending.push({ breaker, upstream, call });
      }
      // Settled last in, first out: a pair freed by one call is taken by the next round's.
      for (const { breaker, upstream } of pending.reverse()) {
        if (breaker === succeeding) upstream.resolve("ok");
        else upstream.reject(new Error("down"));
      }
      await Promise.all(pending.map(({ call }) => call));
      pending.length = 0;
    }
    assert.deepEqual(counts(succeeding), { ...zeroCounts, totalCalls: 60, successfulCalls: 60 });
    assert.deepEqual(counts(failing), { ...zeroCounts, totalCalls: 60, failedCalls: 60 });
  });

  test("a call made while the last one's error is judged records its own permit, not the last one's", async () => {
    let inner;
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      isFailure: () => {
        if (inner === undefined) {
          breaker.forceOpen();
          breaker.reset(); // a new generation: the outer call's permit is stale now
          inner = breaker.call(async () => "inner");
        }
        return true;
      },
    });
    await assert.rejects(breaker.call(async () => { throw new Error("outer"); }), /outer/);
    assert.equal(await inner, "inner");
    assert.equal(breaker.state, "closed"); // the stale failure moved nothing
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, successfulCalls: 1, failedCalls: 1 });
  });

  /** A promise whose `then` calls the success handler a second time, after other calls have started. */
  const echoingThen = (then) =>
    function (onFulfilled, onRejected) {
      if (typeof onFulfilled === "function") setTimeout(() => onFulfilled("again"), 20);
      return then.call(this, onFulfilled, onRejected);
    };
  class Echoing extends Promise {}
  Echoing.prototype.then = echoingThen(Promise.prototype.then);
  const withOwnThen = () => {
    const promise = Promise.resolve("first");
    promise.then = echoingThen(Promise.prototype.then);
    return promise;
  };

  for (const [kind, echoing] of [["a Promise subclass", () => Echoing.resolve("first")], ["a promise with a then of its own", withOwnThen]]) {
    test(`${kind} whose then calls its handler again later is counted once, and no other call's permit is touched`, async () => {
      await echoesOnce(echoing());
    });
  }

  async function echoesOnce(echoing) {
    const breaker = new CircuitBreaker({ failureThreshold: 100, windowSize: 100 });
    assert.equal(breaker.call(() => echoing), echoing, "the caller gets fn's own promise");
    await new Promise((resolve) => setTimeout(resolve, 5));
    const upstream = deferred();
    const pending = breaker.call(() => upstream.promise);
    await new Promise((resolve) => setTimeout(resolve, 40)); // the echo has fired
    assert.equal(counts(breaker).inFlight, 1, "the pending call is still in flight");
    upstream.resolve("second");
    await pending;
    assert.equal(counts(breaker).successfulCalls, 2);
    assert.equal(counts(breaker).inFlight, 0);
  }
});
