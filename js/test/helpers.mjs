// Small tools shared by the Node tests.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CircuitBreaker } from "edgebreaker";

/** The installed package's dist/ folder. */
export const dist = dirname(fileURLToPath(import.meta.resolve("edgebreaker")));

/** The text of a file in the installed package's dist/ (an entry: "lite.js"). */
export function distText(file) {
  return readFileSync(join(dist, file), "utf8");
}

/** A breaker on a fake clock: `clock.now` is the time; set it to move time. */
export function breakerAt(options = {}, start = 1_000) {
  const clock = { now: start };
  const breaker = new CircuitBreaker({ clock: () => clock.now, ...options });
  return { breaker, clock };
}

/** Settles `count` failures through permits. */
export function fail(breaker, count = 1) {
  for (let i = 0; i < count; i++) breaker.acquire().failure();
}

/** The metrics, minus the ones a test does not care about. */
export function counts(breaker) {
  const { totalCalls, successfulCalls, failedCalls, blockedCalls, ignoredCalls, slowCalls, inFlight } = breaker.getStatus().metrics;
  return { totalCalls, successfulCalls, failedCalls, blockedCalls, ignoredCalls, slowCalls, inFlight };
}

export const zeroCounts = Object.freeze({
  totalCalls: 0,
  successfulCalls: 0,
  failedCalls: 0,
  blockedCalls: 0,
  ignoredCalls: 0,
  slowCalls: 0,
  inFlight: 0,
});

/** Records every "statechange" event as { from, to, at }. */
export function recordChanges(breaker) {
  const changes = [];
  breaker.addEventListener("statechange", (event) => {
    const { from, to, at } = event.detail;
    changes.push({ from, to, at });
  });
  return changes;
}

/** Resolves after the microtasks queued so far (and those they queue) have run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

const encoder = new TextEncoder();

/** A fetch that answers every call with `respond(input, init)`, and counts the calls. */
export function fakeFetch(respond) {
  const fetch = async (input, init) => {
    fetch.calls.push({ input, init });
    return respond(input, init);
  };
  fetch.calls = [];
  return fetch;
}

/** A streamed body that sends `chunks` (strings or byte arrays) one by one. */
export function streamOf(chunks) {
  const queue = chunks.map((chunk) => (typeof chunk === "string" ? encoder.encode(chunk) : chunk));
  return new ReadableStream({
    pull(controller) {
      if (queue.length === 0) controller.close();
      else controller.enqueue(queue.shift());
    },
  });
}

/** A 200 `text/event-stream` response that sends `chunks` one by one. */
export const sse = (chunks) => new Response(streamOf(chunks), { headers: { "content-type": "text/event-stream" } });

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition()` holds, checking every 10 ms; rejects after `timeoutMs` naming `what`. */
export async function waitFor(what, condition, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

let gc;
/**
 * Collects garbage until `condition()` holds (finalizers run in tasks after a
 * collection, so it takes a few rounds); rejects after 100 rounds naming `what`.
 * `node --test` gives no --expose-gc, so the flag is set at run time.
 */
export async function collectGarbageUntil(what, condition) {
  if (gc === undefined) {
    const { setFlagsFromString } = await import("node:v8");
    const { runInNewContext } = await import("node:vm");
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc");
  }
  for (let round = 0; round < 100 && !condition(); round += 1) {
    gc();
    await sleep(5);
  }
  if (!condition()) throw new Error(`garbage collection did not bring ${what}`);
}

/**
 * A real HTTP server on 127.0.0.1 running `handler(req, res)`; `url` is its
 * origin. `close()` ends every connection.
 */
export async function startServer(handler) {
  const { createServer } = await import("node:http");
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
