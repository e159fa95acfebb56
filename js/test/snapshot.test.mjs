// Snapshots in JavaScript: what the vectors cannot show. The JSON of each
// state and the core's refusals are pinned by the vectors (every host runs
// them); here, the API around them: objects and text, options that never come
// from a snapshot, the errors and their kinds, the size cap, events.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CircuitBreaker } from "edgebreaker";
import { breakerAt, fail } from "./helpers.mjs";

/** An open breaker's snapshot, taken 400 ms after it opened. */
function openSnapshot() {
  const { breaker, clock } = breakerAt({ failureThreshold: 2, resetTimeoutMs: 1_000 });
  fail(breaker, 2);
  clock.now += 400;
  return breaker.snapshot();
}

test("snapshot() is plain JSON data, and the object and its JSON text restore the same breaker", () => {
  const snapshot = openSnapshot();
  assert.deepEqual(JSON.parse(JSON.stringify(snapshot)), snapshot);
  assert.equal(Object.getPrototypeOf(snapshot), Object.prototype);
  const clock = () => 1_000_000; // later than every age, so none is cut at 0
  const fromObject = CircuitBreaker.restore(snapshot, { failureThreshold: 2, resetTimeoutMs: 1_000, clock });
  const fromText = CircuitBreaker.restore(JSON.stringify(snapshot), { failureThreshold: 2, resetTimeoutMs: 1_000, clock });
  assert.deepEqual(fromObject.snapshot(), snapshot);
  assert.deepEqual(fromText.snapshot(), snapshot);
  assert.equal(fromObject.getStatus().retryAfterMs, 600);
});

test("options come from the caller, never from the snapshot: name, config and the JS options", async () => {
  const restored = CircuitBreaker.restore(openSnapshot(), {
    name: "restored",
    failureThreshold: 2,
    resetTimeoutMs: 5_000,
    clock: () => 0,
    fallback: () => "cached",
  });
  assert.equal(restored.name, "restored");
  assert.equal(restored.getStatus().config.resetTimeoutMs, 5_000);
  assert.equal(await restored.call(() => "fresh"), "cached", "still open, so the fallback answers");
});

test("a snapshot that is neither an object nor a string is a TypeError, and one JSON cannot write too", () => {
  for (const bad of [undefined, null, 5, true]) {
    assert.throws(() => CircuitBreaker.restore(bad), {
      name: "TypeError",
      message: `snapshot must be an object from breaker.snapshot(), or its JSON text; got ${bad}`,
    });
  }
  assert.throws(() => CircuitBreaker.restore({ ...openSnapshot(), generation: 1n }), {
    name: "TypeError",
    message: "snapshot must be JSON data: JSON.stringify refused it",
  });
});

test("a refused snapshot is a RangeError naming the field from the snapshot down", () => {
  const snapshot = openSnapshot();
  /** The RangeError's message. */
  const message = (tampered, options = { failureThreshold: 2 }) => {
    try {
      CircuitBreaker.restore(tampered, options);
    } catch (error) {
      assert.ok(error instanceof RangeError, `${error}`);
      return error.message;
    }
    assert.fail("restored");
  };
  assert.equal(message({ ...snapshot, version: 2 }), "snapshot.version must be 1; got 2");
  assert.equal(
    message({ ...snapshot, window: [{ ageMs: -1, failed: true }] }),
    "snapshot.window[0].ageMs must be a whole number from 0 to 9007199254740991",
  );
  assert.equal(
    message({ ...snapshot, metrics: { ...snapshot.metrics, inFlight: 1 } }),
    "snapshot.metrics.inFlight is not a snapshot field",
  );
  assert.equal(message("[]"), "snapshot must be a JSON object");
  assert.match(message("{"), /^snapshot is not JSON: /);
  assert.equal(
    message(snapshot, { failureThreshold: 1, windowSize: 1 }),
    "snapshot.window must hold at most windowSize (1) entries; got 2",
  );
});

test("options are checked as the constructor checks them, before the snapshot", () => {
  const tampered = { ...openSnapshot(), version: 9 };
  assert.throws(() => CircuitBreaker.restore(tampered, { failureThreshold: 0 }), {
    name: "RangeError",
    message: "failureThreshold must be an integer from 1 to windowSize (10); got 0",
  });
  assert.throws(() => CircuitBreaker.restore(tampered, { failureThreshold: "2" }), {
    name: "TypeError",
    message: "failureThreshold must be a number; got a string",
  });
  assert.throws(() => CircuitBreaker.restore(tampered, { failureTreshold: 2 }), { name: "TypeError", message: /unknown option "failureTreshold"/ });
});

test("text longer than 192 KiB is refused before the core reads it, and so is text whose UTF-8 is", () => {
  const cap = 196_608; // a full window of 4096 outcomes fits
  const text = JSON.stringify(openSnapshot());
  const atTheCap = text.slice(0, -1) + " ".repeat(cap - text.length) + "}";
  assert.equal(atTheCap.length, cap);
  assert.equal(CircuitBreaker.restore(atTheCap, { failureThreshold: 2 }).state, "open");
  assert.throws(() => CircuitBreaker.restore(atTheCap + " ", { failureThreshold: 2 }), {
    name: "RangeError",
    message: `snapshot must be at most ${cap} bytes of JSON; got ${cap + 1}`,
  });
  const wide = JSON.stringify({ ...openSnapshot(), state: "é".repeat(100_000) });
  assert.ok(wide.length <= cap);
  assert.throws(() => CircuitBreaker.restore(wide, { failureThreshold: 2 }), {
    name: "RangeError",
    message: `snapshot must be at most ${cap} bytes of JSON; got ${new TextEncoder().encode(wide).length}`,
  });
});

test("a breaker with the largest window, full, round-trips", () => {
  let now = 0;
  const options = { windowSize: 4096, failureThreshold: 4096, windowMs: 2 ** 53 - 1, clock: () => now };
  const breaker = new CircuitBreaker(options);
  for (let call = 0; call < 4096; call += 1) {
    now = call * 1_000_000_000; // ages of up to 16 digits
    const permit = breaker.acquire();
    if (call % 2 === 0) permit.success();
    else permit.failure();
  }
  const snapshot = breaker.snapshot();
  assert.equal(snapshot.window.length, 4096);
  assert.deepEqual(CircuitBreaker.restore(snapshot, options).snapshot(), snapshot);
});

test("a refused restore leaves nothing behind: the next breaker built is a new one", () => {
  assert.throws(() => CircuitBreaker.restore(openSnapshot(), { failureThreshold: 0 }), RangeError);
  assert.equal(new CircuitBreaker().state, "closed");
  assert.equal(new CircuitBreaker().getStatus().metrics.failedCalls, 0);
});

test("restore reads the clock once, and a clock that reads wrong is a RangeError naming clock", () => {
  let reads = 0;
  CircuitBreaker.restore(openSnapshot(), { failureThreshold: 2, clock: () => (reads++, 7) });
  assert.equal(reads, 1);
  assert.throws(() => CircuitBreaker.restore(openSnapshot(), { failureThreshold: 2, clock: () => -1 }), {
    name: "RangeError",
    message: /^clock must return a number of milliseconds/,
  });
});

test("snapshot() applies what time implies and announces it, as getStatus() does", () => {
  const { breaker, clock } = breakerAt({ failureThreshold: 1, resetTimeoutMs: 100 });
  const heard = [];
  breaker.addEventListener("statechange", (event) => heard.push(`${event.detail.from}->${event.detail.to}`));
  fail(breaker);
  clock.now += 150;
  assert.equal(breaker.snapshot().state, "half_open");
  assert.deepEqual(heard, ["closed->open", "open->half_open"]);
});

test("a restored half-open breaker has no probe in flight, and its probes close it", () => {
  const { breaker, clock } = breakerAt({ failureThreshold: 1, resetTimeoutMs: 100, successThreshold: 2 });
  fail(breaker);
  clock.now += 100;
  breaker.acquire().success();
  const lost = breaker.acquire();
  assert.ok(lost);
  const restored = CircuitBreaker.restore(breaker.snapshot(), { failureThreshold: 1, resetTimeoutMs: 100, clock: () => 0 });
  assert.equal(restored.getStatus().metrics.inFlight, 0);
  restored.acquire().success();
  assert.equal(restored.state, "closed", "one probe success before the snapshot, one after");
});
