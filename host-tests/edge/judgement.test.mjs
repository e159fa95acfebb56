// Every judgement rule of breaker.fetch (the README's "Edge functions"), in
// workerd and in Deno: the lab (lab/lab.js) makes one fetch through a named
// breaker to the fake upstream, which fails as each test tells it; the test
// checks what the caller saw, what the breaker counted and what reached the upstream.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { labForEachTest, labRuntimes, networkErrorName } from "./labs.mjs";
import { sleep, waitFor } from "./upstream.mjs";

let upstream;
before(async () => (upstream = await startFakeUpstream()));
after(() => upstream.close());

for (const runtime of Object.keys(labRuntimes)) {
  describe(`breaker.fetch in ${runtime}`, () => {
    /** One fetch through this test's breaker; `plan` as lab.js reads it. */
    const { run } = labForEachTest(runtime, () => upstream);
    const metrics = (report) => report.breaker.metrics;

    describe("responses", () => {
      test("500, 502 and 503 are failures, and reach the caller with their status", async () => {
        for (const [index, status] of [500, 502, 503].entries()) {
          upstream.setFaults({ errorRate: 1, errorStatus: status });
          const report = await run({ options: { failureThreshold: 10 } });
          assert.equal(report.status, status);
          assert.equal(metrics(report).failedCalls, index + 1);
        }
      });

      test("429 is a failure", async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 429 });
        const report = await run();
        assert.equal(report.status, 429);
        assert.equal(metrics(report).failedCalls, 1);
      });

      test("400, 401 and 404 are the caller's fault: not failures", async () => {
        for (const status of [400, 401, 404]) {
          upstream.setFaults({ errorRate: 1, errorStatus: status });
          assert.equal((await run({ options: { failureThreshold: 1 } })).status, status);
        }
        const report = await run();
        assert.equal(report.breaker.state, "closed");
        assert.equal(metrics(report).failedCalls, 0);
        assert.equal(metrics(report).successfulCalls, 4);
      });

      test("isFailureResponse replaces the rule: with only 503 a failure, a 500 is a success", async () => {
        const options = { isFailureResponse: "only503", failureThreshold: 10 };
        upstream.setFaults({ errorRate: 1, errorStatus: 500 });
        assert.equal(metrics(await run({ options })).successfulCalls, 1);
        upstream.setFaults({ errorStatus: 503 });
        assert.equal(metrics(await run({ options })).failedCalls, 1);
      });
    });

    describe("errors", () => {
      test("a connection dropped before any response is a failure and rejects with the runtime's network error", async () => {
        upstream.setFaults({ dropAfterChunks: 0 });
        const report = await run();
        assert.equal(report.error.name, networkErrorName[runtime]);
        assert.equal(metrics(report).failedCalls, 1);
      });

      test("the caller's own abort before the headers is ignored", async () => {
        upstream.setFaults({ latencyMs: 2000 });
        const report = await run({ abortAfterMs: 50 });
        assert.equal(report.error.name, "AbortError");
        assert.equal(metrics(report).ignoredCalls, 1);
        assert.equal(metrics(report).failedCalls, 0);
        await waitFor("the upstream to see the request go", () => upstream.counters.inFlight === 0);
      });

      test("the caller's own abort in the middle of a stream is ignored", async () => {
        upstream.setFaults({ chunkDelayMs: 100, chunkCount: 20 });
        const report = await run({ stream: true, abortAfterMs: 250 });
        assert.equal(report.status, 200);
        assert.equal(report.bodyError.name, "AbortError");
        assert.equal(metrics(report).ignoredCalls, 1);
        assert.equal(metrics(report).failedCalls, 0);
      });
    });

    describe("Retry-After", () => {
      test("in seconds on a 429, it opens the circuit for that long, below the failure threshold", async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 429, retryAfter: 2 });
        const report = await run();
        assert.equal(report.retryAfter, "2", "the caller sees the upstream's own answer");
        assert.equal(report.breaker.state, "open");
        assert.ok(report.breaker.retryAfterMs > 1500 && report.breaker.retryAfterMs <= 2000, `${report.breaker.retryAfterMs}`);
      });

      test("as an HTTP date on a 503, it opens the circuit until that date", async () => {
        const date = new Date(Date.now() + 4000).toUTCString(); // whole seconds: 3 to 4 s from now
        upstream.setFaults({ errorRate: 1, errorStatus: 503, retryAfter: date });
        const report = await run();
        assert.equal(report.breaker.state, "open");
        assert.ok(report.breaker.retryAfterMs > 2500 && report.breaker.retryAfterMs <= 4000, `${report.breaker.retryAfterMs}`);
      });

      test("a longer one than maxRetryAfterMs is cut to it", async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 429, retryAfter: 3600 });
        const report = await run({ options: { maxRetryAfterMs: 1500 } });
        assert.equal(report.breaker.state, "open");
        assert.ok(report.breaker.retryAfterMs > 1000 && report.breaker.retryAfterMs <= 1500, `${report.breaker.retryAfterMs}`);
      });

      test("on a 500 it is not honoured: an ordinary failure", async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 500, retryAfter: 5 });
        const report = await run();
        assert.equal(report.breaker.state, "closed");
        assert.equal(metrics(report).failedCalls, 1);
      });

      test("the circuit lets a probe through once it has passed", async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 429, retryAfter: 1 });
        await run();
        upstream.setFaults({ errorRate: 0 });
        const early = await run();
        assert.equal(early.error.name, "CircuitBreakerError");
        await sleep(1000);
        const probe = await run();
        assert.equal(probe.status, 200);
        assert.equal(probe.breaker.state, "half_open", "one probe success of the two presets need");
        assert.equal(upstream.counters.requests, 2, "the blocked call never reached the upstream");
      });
    });

    describe("when blocked", () => {
      const tripped = { failureThreshold: 1, resetTimeoutMs: 30_000 };

      test("a call throws CircuitBreakerError and never reaches the upstream", async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 500 });
        await run({ options: tripped });
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const report = await run();
          assert.equal(report.error.name, "CircuitBreakerError");
          assert.equal(report.error.state, "open");
          assert.ok(report.error.retryAfterMs > 25_000);
        }
        assert.equal(upstream.counters.requests, 1);
        assert.equal(metrics(await run()).blockedCalls, 4);
      });

      test('with onOpen: "respond" it answers 503 with Retry-After and a small JSON body', async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 500 });
        await run({ options: { ...tripped, onOpen: "respond" } });
        const report = await run();
        assert.equal(report.status, 503);
        assert.equal(report.retryAfter, "30");
        assert.equal(report.contentType, "application/json");
        const body = JSON.parse(report.text);
        assert.equal(body.error.code, "circuit_open");
        assert.ok(body.error.retry_after_ms > 25_000);
        assert.equal(upstream.counters.requests, 1);
      });

      test("with a fallback it answers with the fallback's response", async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 500 });
        await run({ options: { ...tripped, fallback: "tagged" } });
        const report = await run();
        assert.equal(report.status, 200);
        assert.equal(report.fallback, "CircuitBreakerError");
        assert.equal(report.text, "fallback after CircuitBreakerError");
        assert.equal(upstream.counters.requests, 1);
      });

      test('onOpen: "respond" wins over a fallback for blocked calls; the fallback still answers a dropped connection', async () => {
        upstream.setFaults({ dropAfterChunks: 0 });
        const failed = await run({ options: { ...tripped, onOpen: "respond", fallback: "tagged" } });
        assert.equal(failed.fallback, networkErrorName[runtime]);
        assert.equal((await run()).status, 503);
      });
    });

    describe("timeouts", () => {
      test("timeoutMs bounds the time spent waiting on the upstream, body included: a failure that aborts the upstream", async () => {
        upstream.setFaults({ chunkDelayMs: 100, chunkCount: 20 });
        const report = await run({ stream: true, options: { timeoutMs: 400 } });
        assert.equal(report.status, 200);
        assert.ok(report.chunks >= 2, "chunks flowed before the timeout");
        assert.equal(report.bodyError.name, "TimeoutError");
        assert.equal(report.bodyError.timeout, "timeoutMs");
        assert.equal(metrics(report).failedCalls, 1);
        await waitFor("the upstream to see the stream go", () => upstream.counters.streamsClosedEarly === 1);
      });

      test("firstByteTimeoutMs: no headers in time is a failure that aborts the upstream", async () => {
        upstream.setFaults({ latencyMs: 3000 });
        const report = await run({ options: { firstByteTimeoutMs: 200 } });
        assert.equal(report.error.name, "TimeoutError");
        assert.equal(report.error.timeout, "firstByteTimeoutMs");
        assert.equal(metrics(report).failedCalls, 1);
        await waitFor("the upstream to see the request go", () => upstream.counters.inFlight === 0, 2000);
      });

      test("idleTimeoutMs: a stream that stalls is a failure that aborts the upstream", async () => {
        upstream.setFaults({ stallAfterChunks: 3 });
        const report = await run({ stream: true, options: { idleTimeoutMs: 300 } });
        assert.equal(report.status, 200);
        assert.match(report.text, /"role":"assistant"/, "what came before the stall passed through");
        assert.equal(report.bodyError.name, "TimeoutError");
        assert.equal(report.bodyError.timeout, "idleTimeoutMs");
        assert.equal(metrics(report).failedCalls, 1);
        await waitFor("the upstream to see the stream go", () => upstream.counters.inFlight === 0);
      });

      test("a slow first byte is a slow call; a long stream from a quick upstream is not", async () => {
        const options = { slowCallMs: 300, failureThreshold: 10 };
        upstream.setFaults({ chunkDelayMs: 100, chunkCount: 6 }); // ~700 ms in all, first byte at once
        const quick = await run({ stream: true, options });
        assert.equal(metrics(quick).slowCalls, 0);
        assert.equal(metrics(quick).successfulCalls, 1);
        upstream.setFaults({ latencyMs: 500, chunkDelayMs: 0 });
        const slow = await run({ stream: true, options });
        assert.equal(metrics(slow).slowCalls, 1);
        assert.equal(metrics(slow).failedCalls, 1);
      });
    });

    describe("streams", () => {
      test("a stream read to its end is a success, passed through whole", async () => {
        upstream.setFaults({ chunkCount: 5 });
        const report = await run({ stream: true });
        assert.equal(report.contentType, "text/event-stream; charset=utf-8");
        assert.equal(report.text.split("\n\n").filter(Boolean).length, 1 + 5 + 1 + 1);
        assert.ok(report.text.endsWith("data: [DONE]\n\n"));
        assert.equal(metrics(report).successfulCalls, 1);
      });

      test("a stream cut off mid-way is a failure", async () => {
        upstream.setFaults({ dropAfterChunks: 3 });
        const report = await run({ stream: true });
        assert.equal(report.status, 200);
        assert.ok(report.bodyError, "the reader saw the stream break");
        assert.equal(metrics(report).failedCalls, 1);
      });

      test("an OpenAI-style error object in a 200 stream is a failure, passed on untouched", async () => {
        upstream.setFaults({ errorEventAfterChunks: 2 });
        const report = await run({ stream: true });
        assert.equal(report.status, 200);
        assert.equal(report.bodyError, undefined);
        assert.match(report.text, /data: \{"error":\{"message":"The server had an error/);
        assert.equal(metrics(report).failedCalls, 1);
        assert.equal(metrics(report).successfulCalls, 0);
      });

      test("an Anthropic-style event: error in a 200 stream is a failure", async () => {
        upstream.setFaults({ errorEventAfterChunks: 2, errorEventStyle: "anthropic" });
        const report = await run({ stream: true });
        assert.match(report.text, /event: error\ndata: \{"type":"error"/);
        assert.equal(metrics(report).failedCalls, 1);
      });

      test("a reader that cancels mid-stream is ignored, and the upstream request is aborted", async () => {
        upstream.setFaults({ chunkDelayMs: 100, chunkCount: 20 });
        const report = await run({ stream: true, read: "first-then-cancel" });
        assert.equal(report.chunks, 1);
        assert.equal(metrics(report).ignoredCalls, 1);
        assert.equal(metrics(report).failedCalls, 0);
        await waitFor("the upstream to see the stream go", () => upstream.counters.streamsClosedEarly === 1);
      });
    });

    describe("truncated streams", () => {
      // The fake's stream: a role chunk, one per piece, a stop chunk, data: [DONE].
      const events = (report) => report.text.split("\n\n").filter(Boolean);

      test("a stream that ends cleanly without data: [DONE] is a failure, passed on whole", async () => {
        upstream.setFaults({ chunkCount: 5, truncateAfterChunks: 3 });
        const report = await run({ stream: true });
        assert.equal(report.status, 200);
        assert.equal(report.bodyError, undefined, "the reader sees the stream as the upstream ended it");
        assert.equal(events(report).length, 3);
        assert.deepEqual([metrics(report).failedCalls, metrics(report).successfulCalls], [1, 0]);
      });

      test("a chunked reply cut by a FIN before its last chunk is a failure", async () => {
        upstream.setFaults({ chunkCount: 5, finAfterChunks: 3 });
        const report = await run({ stream: true });
        assert.equal(report.status, 200);
        assert.ok(report.text.length > 0, "the events before the cut passed through");
        assert.deepEqual([metrics(report).failedCalls, metrics(report).successfulCalls], [1, 0]);
      });

      test("streamEnd: false takes any clean end for a whole stream", async () => {
        upstream.setFaults({ truncateAfterChunks: 3 });
        const report = await run({ stream: true, options: { streamEnd: false } });
        assert.equal(metrics(report).successfulCalls, 1);
      });

      test("a streamEnd function names the end instead of [DONE]", async () => {
        upstream.setFaults({ chunkCount: 2, truncateAfterChunks: 4 }); // role, 2 pieces, stop: no [DONE]
        const report = await run({ stream: true, options: { streamEnd: "atStopChunk" } });
        assert.match(events(report).at(-1), /"finish_reason":"stop"/);
        assert.equal(metrics(report).successfulCalls, 1);
        upstream.setFaults({ truncateAfterChunks: 3 }); // cut before the stop chunk
        assert.equal(metrics(await run({ stream: true, options: { streamEnd: "atStopChunk" } })).failedCalls, 1);
      });
    });
  });
}
