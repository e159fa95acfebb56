// What the fake upstream does wrong, and how often. One plain object, changed
// at runtime through the control endpoint (or in-process), so a test or the
// demo can make the upstream fail and recover without restarting it.

export const DEFAULT_FAULTS = Object.freeze({
  errorRate: 0, // 0..1: this share of requests is answered with errorStatus (deterministic, see ErrorSchedule)
  errorStatus: 500, // status of an injected error response
  retryAfter: null, // Retry-After header sent with injected errors: seconds (number) or any string (an HTTP date)
  latencyMs: 0, // delay before the response headers
  chunkDelayMs: 0, // delay before each streamed event after the first
  chunkCount: null, // content chunks in a reply; null: one per word of the reply
  stallAfterChunks: null, // streams: stop sending after this many events, keep the connection open
  errorEventAfterChunks: null, // streams: after this many events, send an error event and end
  errorEventStyle: "openai", // "openai": data: {"error":{...}} · "anthropic": event: error
  silenceAfterErrorEvent: false, // true: after the error event the stream neither ends nor sends anything again
  stallErrorBody: false, // true: an injected error sends its headers and the start of its body, then nothing
  dropAfterChunks: null, // destroy the socket after this many events (0: before any response)
  truncateAfterChunks: null, // streams: after this many events, end the reply cleanly, without the rest ([DONE] among it)
  finAfterChunks: null, // streams: after this many events, close the connection (FIN) without the reply's last chunk
  requestFaults: false, // true: a request may carry its own faults ("fault" in its JSON body), for it alone
});

const CHECKS = {
  errorRate: (value) => typeof value === "number" && value >= 0 && value <= 1,
  errorStatus: (value) => Number.isInteger(value) && value >= 100 && value <= 599,
  retryAfter: (value) => value === null || typeof value === "string" || (typeof value === "number" && value >= 0),
  latencyMs: nonNegative,
  chunkDelayMs: nonNegative,
  chunkCount: nullOrCount,
  stallAfterChunks: nullOrCount,
  errorEventAfterChunks: nullOrCount,
  errorEventStyle: (value) => value === "openai" || value === "anthropic",
  silenceAfterErrorEvent: (value) => typeof value === "boolean",
  stallErrorBody: (value) => typeof value === "boolean",
  dropAfterChunks: nullOrCount,
  truncateAfterChunks: nullOrCount,
  finAfterChunks: nullOrCount,
  requestFaults: (value) => typeof value === "boolean",
};

function nonNegative(value) {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function nullOrCount(value) {
  return value === null || (Number.isInteger(value) && value >= 0);
}

/** The faults after applying `update`; throws a TypeError naming the first bad field. */
export function mergeFaults(current, update) {
  if (update === null || typeof update !== "object" || Array.isArray(update)) {
    throw new TypeError("faults must be a JSON object");
  }
  for (const [name, value] of Object.entries(update)) {
    if (!(name in CHECKS)) throw new TypeError(`unknown fault "${name}"`);
    if (!CHECKS[name](value)) throw new TypeError(`bad value for fault "${name}": ${JSON.stringify(value)}`);
  }
  return Object.freeze({ ...current, ...update });
}

/**
 * Decides which requests get an injected error. Deterministic rather than
 * random, so a test can count on it: with rate r, the n-th request fails when
 * floor(n·r) grows, e.g. every other request at 0.5, every request at 1.
 */
export class ErrorSchedule {
  #seen = 0;
  #failed = 0;

  next(rate) {
    this.#seen += 1;
    const due = Math.floor(this.#seen * rate + 1e-9);
    if (due > this.#failed) {
      this.#failed = due;
      return true;
    }
    return false;
  }

  reset() {
    this.#seen = 0;
    this.#failed = 0;
  }
}
