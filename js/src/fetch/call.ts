// One fetch through a breaker: acquire, send, judge the response at its
// headers, and (through body.ts) judge a body that is still coming when it
// ends, errors, stalls or is cancelled. Each call settles its permit once.

import { FAILURE, IGNORED, SUCCESS, UNKNOWN_TIME, type Engine, type Outcome } from "../engine.js";
import { CircuitBreakerError } from "../errors.js";
import { guardBody, type BodyWatcher } from "./body.js";
import type { ValidFetchOptions } from "./options.js";
import { circuitOpenResponse } from "./respond.js";
import { parseRetryAfter } from "./retry-after.js";
import { FetchTimeoutError, type FetchTimeout } from "./timeout-error.js";

/** The fetch options, plus the breaker options a fetch honours (`isFailure` is the engine's `judge`). */
export interface FetchSettings extends ValidFetchOptions {
  timeoutMs: number | undefined;
  fallback: ((error: unknown, ...args: any[]) => unknown) | undefined;
}

/** `breaker.fetch(input, init)`: fetch-compatible, never throws synchronously. */
export async function fetchThrough(
  engine: Engine,
  settings: FetchSettings,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  let token: number;
  try {
    token = engine.admit();
  } catch (error) {
    if (!(error instanceof CircuitBreakerError)) throw error;
    if (settings.onOpen === "respond") return circuitOpenResponse(error);
    if (settings.onOpen === undefined && settings.fallback !== undefined) {
      return (await settings.fallback(error, input, init)) as Response;
    }
    throw error;
  }
  const call = new UpstreamCall(engine, token, engine.acquiredAt, settings, callerSignal(input, init));
  return call.run(input, init);
}

class UpstreamCall implements BodyWatcher {
  readonly #engine: Engine;
  readonly #token: number;
  /** The clock's reading at acquire, or UNKNOWN_TIME when the breaker times no calls (no slowCallMs). */
  readonly #acquiredAt: number;
  /** The clock's reading when the headers came, when calls are timed. */
  #firstByteAt = UNKNOWN_TIME;
  readonly #settings: FetchSettings;
  readonly #callerSignal: AbortSignal | undefined;
  /** Aborts the upstream request: on a timeout, or when the caller aborts. */
  readonly #upstream = new AbortController();
  #settled = false;
  #timedOut: FetchTimeoutError | undefined;
  #callTimer: ReturnType<typeof setTimeout> | undefined;
  #firstByteTimer: ReturnType<typeof setTimeout> | undefined;
  #body: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /**
   * The caller's abort settles the call at once, not when a read fails: in
   * workerd a client that disconnects (request.signal) may end the
   * invocation before any pending read settles.
   */
  readonly #onCallerAbort = (): void => this.#settle(IGNORED);

  constructor(engine: Engine, token: number, acquiredAt: number, settings: FetchSettings, caller: AbortSignal | undefined) {
    this.#engine = engine;
    this.#token = token;
    this.#acquiredAt = acquiredAt;
    this.#settings = settings;
    this.#callerSignal = caller;
  }

  async run(input: RequestInfo | URL, init: RequestInit | undefined): Promise<Response> {
    const caller = this.#callerSignal;
    if (caller?.aborted) {
      this.#settle(IGNORED);
      throw caller.reason;
    }
    caller?.addEventListener("abort", this.#onCallerAbort, { once: true });
    const { timeoutMs, firstByteTimeoutMs, fetch: fetchImpl } = this.#settings;
    if (timeoutMs !== undefined) this.#callTimer = setTimeout(() => this.#timeOut("timeoutMs", timeoutMs), timeoutMs);
    if (firstByteTimeoutMs !== undefined) {
      this.#firstByteTimer = setTimeout(() => this.#timeOut("firstByteTimeoutMs", firstByteTimeoutMs), firstByteTimeoutMs);
    }
    const upstreamInit: RequestInit = { ...init, signal: either(caller, this.#upstream) };
    let response: Response;
    try {
      response = await (fetchImpl === undefined ? globalThis.fetch(input, upstreamInit) : fetchImpl(input, upstreamInit));
    } catch (error) {
      return this.#failedBeforeHeaders(error, input, init);
    } finally {
      clearTimeout(this.#firstByteTimer);
    }
    if (this.#settled) {
      // A timeout or the caller's abort won the race with the headers.
      response.body?.cancel().catch(() => {});
      return this.#failedBeforeHeaders(this.#timedOut ?? caller?.reason, input, init);
    }
    if (this.#acquiredAt !== UNKNOWN_TIME) this.#firstByteAt = this.#engine.now();
    return this.#judge(response);
  }

  #judge(response: Response): Response {
    if (this.#isFailureResponse(response)) {
      this.#settle(FAILURE, this.#retryAfterMs(response));
      return response; // settled: nothing left to watch, the body passes as it is
    }
    if (response.body === null) {
      this.#settle(SUCCESS);
      return response;
    }
    return guardBody(response, this, this.#settings.streamEnd);
  }

  #isFailureResponse(response: Response): boolean {
    try {
      return this.#settings.isFailureResponse(response) !== false;
    } catch {
      return true; // a predicate that throws cannot vouch for the response
    }
  }

  /** How long a 429 or 503 asks the circuit to stay open, capped; undefined: an ordinary failure. */
  #retryAfterMs(response: Response): number | undefined {
    const { maxRetryAfterMs } = this.#settings;
    if ((response.status !== 429 && response.status !== 503) || maxRetryAfterMs === 0) return undefined;
    const asked = parseRetryAfter(response.headers.get("retry-after"), Date.now());
    return asked === null ? undefined : Math.min(asked, maxRetryAfterMs);
  }

  async #failedBeforeHeaders(error: unknown, input: RequestInfo | URL, init: RequestInit | undefined): Promise<Response> {
    const failure = this.#judgeError(error);
    if (failure === undefined) throw error; // ignored: the caller gets what fetch threw
    if (this.#settings.fallback === undefined) throw failure;
    return (await this.#settings.fallback(failure, input, init)) as Response;
  }

  /**
   * Settles the call for an error and returns what to report: the timeout
   * that fired, or the error itself when it counts as a failure; undefined
   * when it is ignored (the caller's own abort, or `isFailure` says so).
   */
  #judgeError(error: unknown): unknown {
    if (this.#timedOut !== undefined) return this.#timedOut;
    const outcome = this.#callerSignal?.aborted ? IGNORED : this.#engine.judge(error);
    this.#settle(outcome);
    return outcome === IGNORED ? undefined : error;
  }

  #timeOut(timeout: FetchTimeout, ms: number): void {
    if (this.#settled) return;
    const error = new FetchTimeoutError(this.#engine.name, timeout, ms);
    this.#timedOut = error;
    this.#settle(FAILURE);
    this.#upstream.abort(error);
    this.#body?.cancel(error).catch(() => {});
  }

  #settle(outcome: Outcome, retryAfterMs?: number): void {
    if (this.#settled) return;
    this.#settled = true;
    clearTimeout(this.#callTimer);
    clearTimeout(this.#firstByteTimer);
    this.#callerSignal?.removeEventListener("abort", this.#onCallerAbort);
    const engine = this.#engine;
    if (retryAfterMs !== undefined) {
      engine.recordRetryAfter(this.#token, this.#acquiredAt, retryAfterMs);
    } else if (outcome === SUCCESS) {
      const now = engine.now(); // one reading, for both the slowness and the record
      engine.record(this.#token, this.#timedFrom(now), SUCCESS, now);
    } else {
      engine.record(this.#token, this.#acquiredAt, outcome);
    }
  }

  /**
   * The acquire time to judge a success settled at `now` by: a call is as slow
   * as its first byte, so a long stream from a quick upstream is not a slow
   * call. The core measures from acquire to now; this shifts acquire forward
   * by the time the body took.
   */
  #timedFrom(now: number): number {
    const acquiredAt = this.#acquiredAt;
    if (acquiredAt === UNKNOWN_TIME || this.#firstByteAt < acquiredAt || now === UNKNOWN_TIME) return acquiredAt;
    return Math.max(acquiredAt, now - (this.#firstByteAt - acquiredAt));
  }

  // BodyWatcher: what body.ts reports about a body still coming.

  read(body: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
    this.#body = body;
    const { idleTimeoutMs } = this.#settings;
    if (idleTimeoutMs === undefined || this.#settled) return body.read();
    const timer = setTimeout(() => this.#timeOut("idleTimeoutMs", idleTimeoutMs), idleTimeoutMs);
    return body.read().finally(() => clearTimeout(timer));
  }

  get timedOut(): FetchTimeoutError | undefined {
    return this.#timedOut;
  }

  ended(): void {
    this.#settle(SUCCESS);
  }

  failed(error: unknown): unknown {
    return this.#judgeError(error) ?? error;
  }

  errorEvent(): void {
    this.#settle(FAILURE);
  }

  cancelled(): void {
    this.#settle(IGNORED);
  }
}

/** The signal the caller gave, on the Request or in init (init wins, as in fetch). */
function callerSignal(input: RequestInfo | URL, init: RequestInit | undefined): AbortSignal | undefined {
  if (init !== undefined && init !== null && "signal" in init) return init.signal ?? undefined;
  return typeof Request === "function" && input instanceof Request ? input.signal : undefined;
}

/** Aborted when the caller's signal or our own controller is. */
function either(caller: AbortSignal | undefined, own: AbortController): AbortSignal {
  if (caller === undefined) return own.signal;
  // AbortSignal.any lets the runtime drop the link when the signals go; older runtimes forward by hand.
  if (typeof AbortSignal.any === "function") return AbortSignal.any([caller, own.signal]);
  caller.addEventListener("abort", () => own.abort(caller.reason), { once: true });
  return own.signal;
}
