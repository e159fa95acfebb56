// Only the upstream moves the breaker (the README's "Edge functions"), in
// workerd and in Deno, through the lab (lab/lab.js) against the fake upstream:
// the caller's mistakes take no permit, a slow or absent reader is never
// blamed on the upstream, time limits outlive an SSE error event and a failure
// response, and a streamed probe is judged at its first chunk and never runs
// past probeTimeoutMs unjudged.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { labForEachTest, labRuntimes, runLab } from "./labs.mjs";
import { sleep, waitFor } from "./upstream.mjs";

/** A test that would hang (a reader left waiting for ever) fails instead. */
const bounded = { timeout: 10_000 };

let upstream;
before(async () => (upstream = await startFakeUpstream()));
after(() => upstream.close());

for (const runtime of Object.keys(labRuntimes)) {
  describe(`only the upstream moves the breaker, in ${runtime}`, () => {
    const { run, breakerName } = labForEachTest(runtime, () => upstream);
    const metrics = (report) => report.breaker.metrics;

    describe("the caller's own mistakes reject with the runtime's error and take no permit", () => {
      const mistakes = {
        "an invalid URL": { url: "http://exa mple.test/" },
        "a header value with a newline": { init: { headers: { "x-note": "one\ntwo" } } },
        "a GET with a body": { init: { method: "GET" } },
        "a method with a space": { init: { method: "PO ST" } },
        "an ftp: URL": { ftp: true }, // the upstream's address, as ftp:
        "an init that is not an object": { init: 5 },
        "a signal that is not an AbortSignal (a polyfill)": { signal: "polyfill" },
      };
      for (const [mistake, { ftp, ...plan }] of Object.entries(mistakes)) {
        test(mistake, bounded, async () => {
          if (ftp) plan.url = `${upstream.url.replace("http:", "ftp:")}/v1/chat/completions`;
          const report = await run({ ...plan, direct: true, options: { failureThreshold: 1 } });
          assert.ok(report.direct.fetch, "the runtime's own fetch refuses it");
          // The runtime's own error: its fetch's, or its Request constructor's (workerd words them apart).
          assert.ok(
            [report.direct.fetch, report.direct.request].some((error) => JSON.stringify(error) === JSON.stringify(report.error)),
            `${JSON.stringify(report.error)} is the runtime's own error (${JSON.stringify(report.direct)})`,
          );
          assert.equal(metrics(report).totalCalls, 0);
          assert.equal(report.breaker.state, "closed");
          assert.equal(upstream.counters.requests, 0);
        });
      }
    });

    if (runtime === "deno") {
      test("no permission for the upstream (--deny-net): NotCapable rejects, ignored, never 503 circuit_open", bounded, async () => {
        const denied = await labRuntimes.deno(["--allow-net", `--deny-net=127.0.0.1:${upstream.port}`]);
        try {
          const options = { failureThreshold: 1, onOpen: "respond" };
          for (let attempt = 0; attempt < 2; attempt += 1) {
            const report = await runLab(denied, upstream, breakerName(), { options });
            assert.equal(report.error?.name, "NotCapable");
            assert.equal(report.breaker.state, "closed");
          }
          const report = await runLab(denied, upstream, breakerName());
          assert.deepEqual([metrics(report).ignoredCalls, metrics(report).failedCalls], [3, 0]);
          assert.equal(upstream.counters.requests, 0);
        } finally {
          await denied.stop();
        }
      });
    }

    describe("time limits measure the upstream, not the reader", () => {
      test("a caller who only checks the status is no failure when timeoutMs passes", bounded, async () => {
        const report = await run({ read: "none", options: { timeoutMs: 200 }, statusAfterMs: 500 });
        assert.equal(report.status, 200);
        assert.equal(metrics(report).failedCalls, 0);
      });

      test("a reader taking 150 ms per chunk gets the whole stream, a success, though it reads for longer than timeoutMs", bounded, async () => {
        upstream.setFaults({ chunkCount: 8, chunkDelayMs: 20 });
        const report = await run({ stream: true, readDelayMs: 150, options: { timeoutMs: 400, idleTimeoutMs: 300 } });
        assert.equal(report.bodyError, undefined);
        assert.ok(report.text.endsWith("data: [DONE]\n\n"), "the whole stream");
        assert.ok(report.chunks >= 4, `read in ${report.chunks} chunks, for longer than timeoutMs`);
        assert.deepEqual([metrics(report).successfulCalls, metrics(report).failedCalls], [1, 0]);
      });
    });

    describe("time limits after the call was settled", () => {
      for (const [limit, options] of [
        ["idleTimeoutMs", { idleTimeoutMs: 300 }],
        ["timeoutMs", { timeoutMs: 500 }],
      ]) {
        test(`an SSE error event and then silence: ${limit} rejects the reader and aborts the upstream`, bounded, async () => {
          upstream.setFaults({ errorEventAfterChunks: 2, silenceAfterErrorEvent: true });
          const report = await run({ stream: true, options });
          assert.match(report.text, /"error"/, "the error event reached the reader");
          assert.equal(report.bodyError?.name, "TimeoutError");
          assert.equal(report.bodyError.timeout, limit);
          assert.deepEqual([metrics(report).failedCalls, metrics(report).inFlight], [1, 0]);
          await waitFor("the upstream to see the stream go", () => upstream.counters.inFlight === 0);
        });
      }

      test("a 503 whose body stalls: a failure at its headers, and its reader is not left hanging", bounded, async () => {
        upstream.setFaults({ errorRate: 1, errorStatus: 503, stallErrorBody: true });
        const report = await run({ options: { idleTimeoutMs: 300 } });
        assert.equal(report.status, 503);
        assert.equal(report.bodyError?.name, "TimeoutError");
        assert.equal(metrics(report).failedCalls, 1);
        await waitFor("the upstream to see the request go", () => upstream.counters.inFlight === 0);
      });
    });

    describe("half-open probes", () => {
      const reopening = { failureThreshold: 1, resetTimeoutMs: 300 }; // probeTimeoutMs = resetTimeoutMs; 2 probe successes close
      /** Trips this test's breaker with one 500, and waits until it lets a probe through. */
      async function tripThenWait() {
        await waitFor("earlier tests' requests to end upstream", () => upstream.counters.inFlight === 0, 5000);
        upstream.setFaults({ errorRate: 1, errorStatus: 500 });
        assert.equal((await run({ options: reopening })).breaker.state, "open");
        upstream.reset();
        await sleep(350);
      }

      test("the issue's repro: resetTimeoutMs 300 and 900 ms streams, the circuit closes", bounded, async () => {
        await tripThenWait();
        upstream.setFaults({ chunkCount: 8, chunkDelayMs: 100 }); // 10 events, ~900 ms
        const first = await run({ stream: true });
        assert.ok(first.text.endsWith("data: [DONE]\n\n"));
        assert.equal(first.breaker.state, "half_open");
        const second = await run({ stream: true });
        assert.equal(second.breaker.state, "closed");
        assert.deepEqual([metrics(second).successfulCalls, metrics(second).failedCalls], [2, 1]);
      });

      test("a probe nobody reads is judged at its first chunk, and frees its slot", bounded, async () => {
        await tripThenWait();
        upstream.setFaults({ chunkCount: 5, chunkDelayMs: 100 });
        const report = await run({ stream: true, read: "none", statusAfterMs: 300 });
        assert.equal(report.status, 200);
        assert.deepEqual([metrics(report).successfulCalls, metrics(report).inFlight], [1, 0]);
        assert.equal(report.breaker.state, "half_open");
      });

      test("a probe unjudged at probeTimeoutMs is aborted: the upstream never holds two probes at once", bounded, async () => {
        await tripThenWait();
        upstream.setFaults({ latencyMs: 8000 });
        const first = run();
        await waitFor("the first probe to reach the upstream", () => upstream.counters.requests === 1);
        // It expires at 300 ms and must be aborted then; unaborted, the upstream would hold it for 8 s.
        await waitFor("the expired probe to be aborted upstream", () => upstream.counters.inFlight === 0, 4000);
        await sleep(400); // the circuit re-opened for 300 ms at the expiry: half-open again
        const second = run();
        const reports = await Promise.all([first, second]);
        for (const report of reports) {
          assert.equal(report.error?.name, "TimeoutError");
          assert.equal(report.error.timeout, "probeTimeoutMs");
        }
        assert.equal(upstream.counters.requests, 2);
        assert.equal(upstream.counters.maxInFlight, 1);
      });
    });

    if (runtime === "deno") {
      test("a body never read: once collected, the call is released as ignored and the upstream let go", bounded, async () => {
        upstream.setFaults({ chunkCount: 50, chunkDelayMs: 100 });
        const report = await run({ stream: true, read: "none", collect: true });
        assert.equal(report.collected, true);
        assert.deepEqual([metrics(report).ignoredCalls, metrics(report).inFlight], [1, 0]);
        await waitFor("the upstream to see the stream go", () => upstream.counters.inFlight === 0);
      });
    }
  });
}
