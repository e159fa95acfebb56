// Small tools shared by the Node tests.
import { CircuitBreaker } from "edgebreaker";

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
