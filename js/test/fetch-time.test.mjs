// Only the upstream moves the breaker (Node): the time limits measure waiting
// on the upstream, not the reader; they keep applying after an SSE error event
// or a failure response has settled the call; and they reject the caller even
// when a custom fetch ignores the abort signal.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker } from "edgebreaker";
import { counts, sleep, startServer, zeroCounts } from "./helpers.mjs";

const encoder = new TextEncoder();

/**
 * A body that sends `chunks` one by one, each `delayMs` after it is asked
 * for, then stays silent for ever when `thenStall`; `state.cancelled` tells
 * whether the reader (the breaker) let the upstream go.
 */
function upstreamBody(chunks, { delayMs = 0, thenStall = false } = {}) {
  const queue = chunks.map((chunk) => encoder.encode(chunk));
  const state = { cancelled: false };
  const stream = new ReadableStream(
    {
      async pull(controller) {
        if (queue.length === 0) {
          if (thenStall) return new Promise(() => {});
          return controller.close();
        }
        if (delayMs > 0) await sleep(delayMs);
        controller.enqueue(queue.shift());
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const sseHeaders = { "content-type": "text/event-stream" };

describe("time limits measure waiting on the upstream, never the reader", () => {
  test("a caller who only checks res.ok causes no failure when timeoutMs passes", async () => {
    const breaker = new CircuitBreaker({ timeoutMs: 50, fetch: async () => new Response("x".repeat(1000)) });
    const response = await breaker.fetch("https://llm.test/");
    assert.equal(response.ok, true);
    await sleep(150);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, inFlight: 1 }, "unread: not judged, not failed");
    assert.equal((await response.text()).length, 1000);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
  });

  test("a reader taking 150 ms per chunk gets all of a 512 KB body, and the call is a success", async () => {
    const size = 512 * 1024;
    const server = await startServer((req, res) => res.end(Buffer.alloc(size, 97)));
    try {
      const breaker = new CircuitBreaker({ timeoutMs: 400, idleTimeoutMs: 100 });
      const reader = (await breaker.fetch(server.url)).body.getReader();
      let received = 0;
      for (let result = await reader.read(); !result.done; result = await reader.read()) {
        received += result.value.length;
        await sleep(150);
      }
      assert.equal(received, size);
      assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
    } finally {
      await server.close();
    }
  });

  test("timeoutMs is the time spent waiting on the upstream: a slow reader's pauses do not count", async () => {
    // 5 chunks, each 30 ms after it is asked for: 150 ms of waiting, 900 ms in all.
    const { stream } = upstreamBody(["a", "b", "c", "d", "e"], { delayMs: 30 });
    const breaker = new CircuitBreaker({ timeoutMs: 400, fetch: async () => new Response(stream) });
    const reader = (await breaker.fetch("https://llm.test/")).body.getReader();
    let text = "";
    for (let result = await reader.read(); !result.done; result = await reader.read()) {
      text += new TextDecoder().decode(result.value);
      await sleep(150);
    }
    assert.equal(text, "abcde");
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("timeoutMs still bounds the waiting: an upstream slower than it fails, and is let go", async () => {
    const { stream, state } = upstreamBody(["a", "b", "c", "d", "e", "f"], { delayMs: 60 });
    const breaker = new CircuitBreaker({ timeoutMs: 200, fetch: async () => new Response(stream) });
    const response = await breaker.fetch("https://llm.test/");
    await assert.rejects(response.text(), { name: "TimeoutError", timeout: "timeoutMs" });
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
    assert.equal(state.cancelled, true);
  });
});

describe("time limits after the call was settled", () => {
  const errorEvent = 'data: {"error":{"message":"overloaded"}}\n\n';

  for (const [limit, options] of [
    ["idleTimeoutMs", { idleTimeoutMs: 100 }],
    ["timeoutMs", { timeoutMs: 150 }],
  ]) {
    test(`an SSE error event and then silence: ${limit} rejects the reader and lets the upstream go`, { timeout: 3000 }, async () => {
      const { stream, state } = upstreamBody(["data: {}\n\n", errorEvent], { thenStall: true });
      const breaker = new CircuitBreaker({ ...options, fetch: async () => new Response(stream, { headers: sseHeaders }) });
      const reader = (await breaker.fetch("https://llm.test/")).body.getReader();
      await reader.read();
      await reader.read(); // the error event: the call fails here
      assert.equal(counts(breaker).failedCalls, 1);
      await assert.rejects(reader.read(), { name: "TimeoutError", timeout: limit });
      assert.equal(state.cancelled, true);
      assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 }, "one call, one failure");
    });
  }

  test("a 5xx whose body stalls: failed at its headers, and its reader is not left hanging", { timeout: 3000 }, async () => {
    const { stream, state } = upstreamBody(['{"error":'], { thenStall: true });
    const breaker = new CircuitBreaker({ idleTimeoutMs: 100, fetch: async () => new Response(stream, { status: 503 }) });
    const response = await breaker.fetch("https://llm.test/");
    assert.equal(response.status, 503);
    assert.equal(counts(breaker).failedCalls, 1);
    await assert.rejects(response.text(), { name: "TimeoutError", timeout: "idleTimeoutMs" });
    assert.equal(state.cancelled, true);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });
});

describe("a custom fetch that ignores the abort signal", () => {
  const deaf = () => new Promise(() => {}); // never answers, never hears the abort

  for (const [limit, options] of [
    ["firstByteTimeoutMs", { firstByteTimeoutMs: 100 }],
    ["timeoutMs", { timeoutMs: 100 }],
  ]) {
    test(`${limit} rejects the caller all the same`, { timeout: 3000 }, async () => {
      const breaker = new CircuitBreaker({ ...options, fetch: deaf });
      await assert.rejects(breaker.fetch("https://llm.test/"), { name: "TimeoutError", timeout: limit });
      assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
    });
  }

  test("the caller's abort rejects the caller all the same, ignored", { timeout: 3000 }, async () => {
    const caller = new AbortController();
    const breaker = new CircuitBreaker({ fetch: deaf });
    const pending = breaker.fetch("https://llm.test/", { signal: caller.signal });
    setTimeout(() => caller.abort(), 50);
    await assert.rejects(pending, { name: "AbortError" });
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, ignoredCalls: 1 });
  });

  test("the fallback answers a timeout of a deaf fetch", { timeout: 3000 }, async () => {
    const breaker = new CircuitBreaker({ firstByteTimeoutMs: 50, fetch: deaf, fallback: (error) => new Response(`fallback: ${error.timeout}`) });
    assert.equal(await (await breaker.fetch("https://llm.test/")).text(), "fallback: firstByteTimeoutMs");
  });
});
