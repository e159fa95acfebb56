// The options that only a breaker wrapping `fetch` reads. They are breaker
// options like the others (one bag for `new CircuitBreaker()`,
// `getCircuitBreaker()` and `protectFetch()`), checked here.

import { duration, isUnset, optionalFunction, timeLimit } from "../checks.js";
import { describe } from "../describe.js";
import { DEFAULT_MAX_RETRY_AFTER_MS, isFailureStatus } from "./judge.js";
import { isLlmStreamEnd, type StreamEndRule } from "./sse.js";

/** Options for `breaker.fetch()` and `protectFetch()`, on top of the breaker's own. */
export interface FetchOptions {
  /**
   * Judges a response by its status and headers: `true` counts it as a
   * failure. Default: 5xx and 429 are failures; every other status (other
   * 4xx included: the caller's fault, not the upstream's) is a success.
   */
  isFailureResponse?: ((response: Response) => boolean) | null;
  /**
   * Give up when the response headers have not arrived within this many ms: a
   * failure (`TimeoutError`), and the upstream request is aborted; the caller
   * is rejected even by a custom `fetch` that ignores the abort. Default: off.
   */
  firstByteTimeoutMs?: number | null;
  /**
   * Give up when a read of the body waits this many ms for the upstream's
   * next chunk: a failure (the body errors with `TimeoutError`), and the
   * upstream request is aborted. It runs only while a reader waits, never
   * while the reader takes its time, and still after the call was judged (an
   * SSE error event, a 5xx whose body stalls). Default: off.
   */
  idleTimeoutMs?: number | null;
  /**
   * The longest a `Retry-After` on a 429 or 503 may keep the circuit open, in
   * ms; a longer one is cut to this. 0 disables Retry-After: such responses
   * are ordinary failures. Default 300000 (5 minutes).
   */
  maxRetryAfterMs?: number | null;
  /**
   * What a blocked call does: `"throw"` a `CircuitBreakerError`, or
   * `"respond"` with 503, `Retry-After` and a small JSON body, as a proxy
   * would. Default: `fallback` when there is one, else `"throw"`. Either
   * value wins over `fallback` for blocked calls; `fallback` still answers
   * calls that fail without a response (network errors, timeouts).
   */
  onOpen?: "throw" | "respond" | null;
  /**
   * How a `text/event-stream` body shows that it arrived whole. A stream
   * that ends cleanly without its end marker was cut short upstream: a
   * failure, as a stream that breaks off is.
   * - `"llm"` (the default, also for `null`): once the stream has shown an
   *   LLM API's shape (a Chat Completions chunk, `event: message_start`, an
   *   `event: response.…`, a chunk with `candidates`), it must end with that
   *   API's marker: `data: [DONE]` (OpenAI Chat Completions and the APIs
   *   compatible with it), `event: message_stop` (Anthropic),
   *   `event: response.completed` or `event: response.incomplete` (OpenAI
   *   Responses), a chunk with a `finishReason` (Gemini). A stream of no
   *   such shape (plain SSE) needs no marker.
   * - a function: called with each line of the stream (without its line
   *   ending, lines up to 64 KB); `true` marks the end. It replaces the
   *   built-in markers; one that throws has not seen the end.
   * - `false`: any clean end is a whole stream (plain SSE, no end marker).
   *
   * Error events are found whatever this says.
   */
  streamEnd?: "llm" | ((line: string) => boolean) | false | null;
  /**
   * The fetch to protect, called with a `Request` and `{ signal }` (the
   * breaker's own, which follows the caller's). It must resolve to a
   * `Response` with a web stream body (or none); anything else is a TypeError
   * and the call is ignored. Default: the global `fetch`, looked up at each call.
   */
  fetch?: ((input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) | null;
}

/** What the fetch layer keeps of its options. */
export interface ValidFetchOptions {
  isFailureResponse: (response: Response) => boolean;
  firstByteTimeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  maxRetryAfterMs: number;
  onOpen: "throw" | "respond" | undefined;
  streamEnd: StreamEndRule;
  fetch: ((input: RequestInfo | URL, init?: RequestInit) => Promise<Response>) | undefined;
}

/** Options that only `protectFetch` takes: a breaker refuses them, naming protectFetch in its message. */
export const PROTECT_FETCH_ONLY: readonly string[] = Object.freeze(["key"]);

export const FETCH_OPTION_NAMES: readonly string[] = Object.freeze([
  "isFailureResponse",
  "firstByteTimeoutMs",
  "idleTimeoutMs",
  "maxRetryAfterMs",
  "onOpen",
  "streamEnd",
  "fetch",
]);

/** Checks the fetch options among `given` (every other name is the breaker's business). */
export function validateFetchOptions(given: Record<string, unknown>): ValidFetchOptions {
  const onOpen = given.onOpen ?? undefined;
  if (onOpen !== undefined && onOpen !== "throw" && onOpen !== "respond") {
    throw new TypeError(`onOpen must be "throw" or "respond"; got ${typeof onOpen === "string" ? JSON.stringify(onOpen) : describe(onOpen)}`);
  }
  return {
    isFailureResponse: optionalFunction("isFailureResponse", given.isFailureResponse) ?? isFailureStatus,
    firstByteTimeoutMs: timeLimit("firstByteTimeoutMs", given.firstByteTimeoutMs),
    idleTimeoutMs: timeLimit("idleTimeoutMs", given.idleTimeoutMs),
    maxRetryAfterMs: duration("maxRetryAfterMs", given.maxRetryAfterMs) ?? DEFAULT_MAX_RETRY_AFTER_MS,
    onOpen,
    streamEnd: streamEndRule(given.streamEnd),
    fetch: optionalFunction("fetch", given.fetch),
  };
}

function streamEndRule(value: unknown): StreamEndRule {
  if (isUnset(value) || value === "llm") return isLlmStreamEnd;
  if (value === false) return null;
  if (typeof value === "function") return value as (line: string) => boolean;
  throw new TypeError(`streamEnd must be "llm", a function (line) => boolean, or false; got ${describe(value)}`);
}
