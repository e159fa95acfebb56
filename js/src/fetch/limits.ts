// Which time limit ends a wait on the upstream first. The limits measure the
// upstream, never the consumer: they run only while we wait for the response
// headers or for a chunk a reader asked for (highWaterMark 0: nothing is read
// ahead of a reader), so a client that reads slowly, or only checks `res.ok`,
// cannot make the upstream look slow and open the circuit for everyone.

import type { FetchTimeout } from "./timeout-error.js";

/** What a wait on the upstream is for: the response headers, or the next chunk of the body. */
export type Waiting = "headers" | "chunk";

/** The fetch layer's time limits, in ms (undefined: off). */
interface TimeLimits {
  /** The total time spent waiting on the upstream, over the headers and every chunk. */
  readonly timeoutMs: number | undefined;
  readonly firstByteTimeoutMs: number | undefined;
  readonly idleTimeoutMs: number | undefined;
}

/** A limit that applies to a wait: which one, its configured value, and how long from the wait's start it runs out. */
interface Limit {
  readonly timeout: FetchTimeout;
  readonly ms: number;
  readonly after: number;
}

/**
 * The limit that runs out first for a wait of this kind, `waitedMs` having
 * been spent waiting on the upstream already; undefined when none applies.
 * On a tie the wait's own limit wins: it says more about what went wrong.
 */
export function firstLimit(waiting: Waiting, limits: TimeLimits, waitedMs: number): Limit | undefined {
  const timeout: FetchTimeout = waiting === "headers" ? "firstByteTimeoutMs" : "idleTimeoutMs";
  const own = waiting === "headers" ? limits.firstByteTimeoutMs : limits.idleTimeoutMs;
  const total = limits.timeoutMs;
  const left = total === undefined ? undefined : Math.max(0, total - waitedMs);
  if (left !== undefined && total !== undefined && (own === undefined || left < own)) {
    return { timeout: "timeoutMs", ms: total, after: left };
  }
  return own === undefined ? undefined : { timeout, ms: own, after: own };
}
