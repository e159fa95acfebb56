// A clock that returns NaN, a negative number, a non-number, throws, or goes
// backwards never corrupts state or traps: acquire refuses with RangeError
// naming `clock` (nothing counted); settling and reading fall back to the
// latest time the breaker has seen, so no outcome is lost.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker } from "edgebreaker";
import { counts, zeroCounts } from "./helpers.mjs";

const BAD_READINGS = [NaN, -1, -Infinity, Infinity, 2 ** 53, "1000", undefined, null, 10n, {}];

function breakerWithClock(options = {}) {
  const clock = { reading: 1_000 };
  const breaker = new CircuitBreaker({ clock: () => clock.reading, ...options });
  return { breaker, clock };
}

describe("a bad clock", () => {
  test("acquire when the time is needed: RangeError naming clock, nothing counted", () => {
    for (const reading of BAD_READINGS) {
      // slowCallMs makes every acquire need the time.
      const { breaker, clock } = breakerWithClock({ slowCallMs: 100 });
      clock.reading = reading;
      assert.throws(() => breaker.acquire(), (e) => e instanceof RangeError && /\bclock\b/.test(e.message), String(reading));
      clock.reading = 1_000;
      assert.deepEqual(counts(breaker), zeroCounts);
    }
  });

  test("call and callSync report it the same way", async () => {
    const { breaker, clock } = breakerWithClock({ failureThreshold: 1, windowSize: 1 });
    breaker.acquire().failure(); // open: acquiring needs the time
    clock.reading = NaN;
    await assert.rejects(breaker.call(async () => 1), /clock/);
    assert.throws(() => breaker.callSync(() => 1), /clock/);
    assert.equal(counts(breaker).blockedCalls, 0);
  });

  test("a clock that throws: acquire passes its error on; settle and status go on", () => {
    let broken = false;
    const breaker = new CircuitBreaker({
      slowCallMs: 50,
      clock: () => {
        if (broken) throw new Error("clock broke");
        return 1_000;
      },
    });
    const permit = breaker.acquire();
    broken = true;
    assert.throws(() => breaker.acquire(), /clock broke/);
    permit.success();
    assert.equal(breaker.getStatus().metrics.successfulCalls, 1);
    assert.equal(breaker.state, "closed");
  });

  test("settling with a bad reading records at the latest time seen: no outcome lost", () => {
    for (const reading of BAD_READINGS) {
      const { breaker, clock } = breakerWithClock({ failureThreshold: 2, windowSize: 2, resetTimeoutMs: 100 });
      clock.reading = 5_000;
      breaker.getStatus(); // the breaker has now seen 5000
      const first = breaker.acquire();
      const second = breaker.acquire();
      clock.reading = reading;
      first.failure();
      second.failure();
      const status = breaker.getStatus();
      assert.equal(status.state, "open", String(reading));
      assert.equal(status.metrics.failedCalls, 2);
      assert.equal(status.metrics.lastFailureTime, 5_000);
      assert.equal(status.retryAfterMs, 100);
      clock.reading = 5_100;
      assert.equal(breaker.state, "half_open", "the circuit went on from 5000");
    }
  });

  test("reset, forceOpen and state with a bad reading act at the latest time seen", () => {
    const { breaker, clock } = breakerWithClock({ resetTimeoutMs: 100 });
    clock.reading = 2_000;
    breaker.getStatus();
    clock.reading = NaN;
    breaker.forceOpen(50);
    assert.equal(breaker.state, "open");
    clock.reading = 2_050;
    assert.equal(breaker.state, "half_open");
    clock.reading = -5;
    breaker.reset();
    assert.equal(breaker.state, "closed");
  });

  test("a clock set back: the breaker goes on from the new reading, gaining no time and losing none", async () => {
    const { breaker, clock } = breakerWithClock({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 1_000 });
    clock.reading = 10_000;
    breaker.acquire().failure();
    clock.reading = 0; // backwards by 10 s
    assert.equal(breaker.state, "open");
    assert.throws(() => breaker.acquire(), (error) => error.retryAfterMs === 1_000, "no time has passed, none was gained");
    clock.reading = 11_000;
    assert.equal(breaker.state, "half_open");
    const changes = [];
    breaker.addEventListener("statechange", (event) => changes.push(event.detail));
    clock.reading = 3; // set back again: times are reported on the clock as it now reads
    breaker.acquire().success();
    breaker.acquire().success();
    assert.deepEqual(changes.map(({ to, at }) => [to, at]), [["closed", 3]]);
  });

  test("a fractional clock (performance.now) works: fractions of a millisecond are dropped", () => {
    const { breaker, clock } = breakerWithClock({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 10 });
    clock.reading = 100.75;
    breaker.acquire().failure();
    assert.equal(breaker.getStatus().metrics.lastFailureTime, 100);
    clock.reading = 109.99;
    assert.equal(breaker.state, "open");
    clock.reading = 110.01;
    assert.equal(breaker.state, "half_open");
  });
});
