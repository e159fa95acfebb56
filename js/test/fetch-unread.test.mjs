// Only the upstream moves the breaker (Node): a body nobody reads releases its
// permit once it can no longer be read, and a half-open probe is judged at its
// first chunk, read or not, and never held past probeTimeoutMs unjudged.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker, CircuitBreakerError } from "edgebreaker";
import { collectGarbageUntil, counts, sleep, startServer, waitFor, zeroCounts } from "./helpers.mjs";

const encoder = new TextEncoder();

/** A body that sends `count` chunks, `everyMs` apart (the first at once); `state` tells whether it was let go. */
function chunksEvery(count, everyMs) {
  const state = { sent: 0, cancelled: false };
  const stream = new ReadableStream(
    {
      async pull(controller) {
        if (state.sent === count) return controller.close();
        if (state.sent > 0) await sleep(everyMs);
        state.sent += 1;
        controller.enqueue(encoder.encode(`chunk ${state.sent}\n`));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

describe("a body that is never read", () => {
  test("1,000 unread bodies: once collected, inFlight is back to 0 and each counts as ignored", async () => {
    const breaker = new CircuitBreaker({ fetch: async () => new Response(chunksEvery(3, 0).stream) });
    for (let call = 0; call < 1000; call += 1) await breaker.fetch("https://llm.test/");
    assert.equal(counts(breaker).inFlight, 1000);
    await collectGarbageUntil("inFlight to 0", () => counts(breaker).inFlight === 0);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1000, ignoredCalls: 1000 });
  });

  test("through the real fetch: collected unread bodies, of successes and of 503s, let their upstream connections go", async () => {
    let closed = 0;
    let requests = 0;
    const server = await startServer((req, res) => {
      res.on("close", () => (closed += 1));
      res.writeHead(requests++ % 2 === 0 ? 200 : 503, { "content-type": "text/plain" });
      const timer = setInterval(() => res.write("more\n"), 50); // streams for ever
      res.on("close", () => clearInterval(timer));
    });
    try {
      const breaker = new CircuitBreaker({ failureThreshold: 10 });
      for (let call = 0; call < 10; call += 1) await breaker.fetch(server.url);
      assert.equal(counts(breaker).inFlight, 5, "the 503s are settled at their headers");
      await collectGarbageUntil("the upstream to see every connection go", () => closed === 10);
      assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 10, failedCalls: 5, ignoredCalls: 5 });
    } finally {
      await server.close();
    }
  });
});

describe("a streamed probe", () => {
  /** A breaker tripped by one 500, half-open after 300 ms; then `respond()` answers every call. */
  async function halfOpen(respond, options = {}) {
    let tripped = false;
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      resetTimeoutMs: 300,
      successThreshold: 2,
      ...options,
      fetch: async (request, init) => {
        if (!tripped) return (tripped = true), new Response("", { status: 500 });
        return respond(request, init);
      },
    });
    await breaker.fetch("https://llm.test/");
    await sleep(320);
    assert.equal(breaker.state, "half_open");
    return breaker;
  }

  test("the issue's repro: resetTimeoutMs 300 and 900 ms streams, the circuit closes, each call counted once", async () => {
    const streams = [];
    const breaker = await halfOpen(() => {
      const body = chunksEvery(10, 100); // ~900 ms
      streams.push(body.state);
      return new Response(body.stream, { headers: { "content-type": "text/plain" } });
    });
    const first = await breaker.fetch("https://llm.test/");
    await waitFor("the first probe to be judged at its first chunk", () => counts(breaker).successfulCalls === 1);
    assert.equal(breaker.state, "half_open");
    assert.equal(streams[0].sent, 1, "judged at the first chunk, not the end");
    const second = await breaker.fetch("https://llm.test/");
    await waitFor("the second probe to be judged", () => counts(breaker).successfulCalls === 2);
    assert.equal(breaker.state, "closed");
    const texts = await Promise.all([first.text(), second.text()]);
    assert.deepEqual(texts.map((text) => text.split("\n").filter(Boolean).length), [10, 10], "every chunk reached the reader");
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 3, successfulCalls: 2, failedCalls: 1 });
  });

  test("a probe nobody reads is judged at its first chunk all the same, and frees its slot", async () => {
    const breaker = await halfOpen(() => new Response(chunksEvery(5, 100).stream));
    await breaker.fetch("https://llm.test/");
    await waitFor("the probe to be judged", () => counts(breaker).successfulCalls === 1);
    assert.equal(counts(breaker).inFlight, 0);
    await breaker.fetch("https://llm.test/"); // the slot is free: admitted
    await waitFor("the second probe to be judged", () => breaker.state === "closed");
  });

  test("a probe whose first chunk is an SSE error event is a failure", async () => {
    const breaker = await halfOpen(
      () => new Response('data: {"error":{"message":"overloaded"}}\n\n', { headers: { "content-type": "text/event-stream" } }),
    );
    await breaker.fetch("https://llm.test/");
    await waitFor("the probe to be judged", () => counts(breaker).failedCalls === 2);
    assert.equal(breaker.state, "open");
  });

  test("a probe with no headers by probeTimeoutMs: rejected with TimeoutError, the upstream aborted, no second probe runs beside it", { timeout: 3000 }, async () => {
    const aborted = [];
    const breaker = await halfOpen((request, init) => {
      const index = aborted.push(false) - 1;
      return new Promise((_, reject) =>
        init.signal.addEventListener("abort", () => {
          aborted[index] = true;
          reject(init.signal.reason);
        }),
      );
    });
    await assert.rejects(breaker.fetch("https://llm.test/"), { name: "TimeoutError", timeout: "probeTimeoutMs" });
    assert.deepEqual(aborted, [true]);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, failedCalls: 2 });
    await assert.rejects(breaker.fetch("https://llm.test/"), CircuitBreakerError); // re-opened at the expiry
  });

  test("a probe with headers but no first chunk by probeTimeoutMs: its body errors with TimeoutError, the upstream is let go", { timeout: 3000 }, async () => {
    const state = { cancelled: false };
    const silent = () => new ReadableStream({ pull: () => new Promise(() => {}), cancel: () => void (state.cancelled = true) }, { highWaterMark: 0 });
    const breaker = await halfOpen(() => new Response(silent()));
    const response = await breaker.fetch("https://llm.test/");
    await assert.rejects(response.text(), { name: "TimeoutError", timeout: "probeTimeoutMs" });
    assert.equal(state.cancelled, true);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 2, failedCalls: 2 });
  });
});
