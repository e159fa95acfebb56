// One fetch through a breaker: read the request (the caller's mistakes fail
// there, before any permit), acquire, send, judge the response at its headers
// (by judge.ts's rules), and (through body.ts) judge a body that is still
// coming when it ends, errors, stalls or is cancelled. A probe is judged at
// its first chunk. This file orchestrates; the rules are judge.ts's.
//
// Two things end once, each in one place: the permit (a Settlement, through #settle) and the
// exchange with the upstream (#finish: the caller's abort, the probe's timer
// and the watch for an unread body let go). Between them the body may go on
// after its call was settled (a failure response, an SSE error event, a probe
// judged at its first chunk), still under the time limits.

import { AWAIT_LEASE, FAILURE, IGNORED, SUCCESS, UNKNOWN_TIME, type Engine, type Outcome } from "../engine.js";
import { CircuitBreakerError } from "../errors.js";
import { refusal, type Fallback } from "../runner.js";
import { Settlement } from "../settlement.js";
import { MAX_TIMER_MS } from "../checks.js";
import { guardBody, type BodyWatcher, type GuardedBody } from "./body.js";
import { follow, unfollow, type Follower } from "./caller-signal.js";
import { firstLimit, type Waiting } from "./limits.js";
import type { ValidFetchOptions } from "./options.js";
import { errorBeforeHeaders, isFailureResponse, retryAfterMs } from "./judge.js";
import { isHttp, readRequest } from "./request.js";
import { circuitOpenResponse } from "./respond.js";
import { FetchTimeoutError } from "./timeout-error.js";
import { forget, releaseWhenUnreachable, type Releasable } from "./unread.js";
import { notAResponse } from "./upstream-response.js";

/** The fetch options, plus the breaker options a fetch honours (`isFailure` is the engine's `judge`). */
export interface FetchSettings extends ValidFetchOptions {
  timeoutMs: number | undefined;
  fallback: Fallback | undefined;
}

/** `breaker.fetch(input, init)`: fetch-compatible, never throws synchronously. */
export async function fetchThrough(
  engine: Engine,
  settings: FetchSettings,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const { request, signal } = readRequest(input, init); // the runtime's own error for a mistake of the caller: no permit taken
  if (!isHttp(request)) return send(settings, request, signal) as Promise<Response>; // no upstream to guard
  if (signal?.aborted) throw signal.reason; // as fetch would: the caller gave up before asking
  let token: number;
  let acquiredAt: number;
  let probe: boolean;
  try {
    token = engine.admit(true);
    if (token === AWAIT_LEASE) {
      // A half-open fleet: this fetch waits for its probe lease (one round trip), and is a probe,
      // unless no lease came (the local breaker admitted it, as it judges).
      token = await engine.fleet!.admitLeased();
      acquiredAt = engine.fleet!.acquiredAt(token);
      probe = token < 0 || engine.admittedProbe();
      if (signal?.aborted) {
        // The caller gave up while the call waited: as fetch would, before anything is sent (no trace in the window).
        engine.record(token, acquiredAt, IGNORED);
        throw signal.reason;
      }
    } else {
      acquiredAt = engine.acquiredAt;
      probe = token < 0 || engine.admittedProbe(); // below 0: admitted on a lease the fleet had sent for
    }
  } catch (error) {
    if (settings.onOpen === "respond" && error instanceof CircuitBreakerError) return circuitOpenResponse(error);
    // `onOpen: "throw"` wins over a fallback for refused calls.
    return (await refusal(error, settings.onOpen === undefined ? settings.fallback : undefined, [input, init])) as Response;
  }
  const call = new UpstreamCall(engine, token, acquiredAt, settings, signal, probe);
  return call.run(request, input, init);
}

/** The fetch to use, called so that whatever it does (throw, return junk) comes back as a promise. */
function send(settings: FetchSettings, request: Request, signal: AbortSignal | undefined): Promise<unknown> {
  const fetch = settings.fetch ?? globalThis.fetch;
  try {
    return Promise.resolve(signal === undefined ? fetch(request) : fetch(request, { signal }));
  } catch (error) {
    return Promise.reject(error);
  }
}

class UpstreamCall implements BodyWatcher, Releasable, Follower {
  readonly #engine: Engine;
  /** The call's permit, settled once (by the headers, the body, a time limit or the caller). */
  readonly #permit: Settlement;
  readonly #probe: boolean;
  /** The clock's reading when the headers came, when calls are timed. */
  #firstByteAt = UNKNOWN_TIME;
  readonly #settings: FetchSettings;
  /** The caller's signal, followed (caller-signal.ts) until the exchange ends. */
  readonly #callerSignal: AbortSignal | undefined;
  /** Aborts the upstream request: on a time limit, the caller's abort, or a body nobody can read. */
  readonly #upstream = new AbortController();
  /** The upstream body's reader, once the body is being read. */
  #source: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #finished = false;
  /** Why the exchange was stopped early (a TimeoutError, the caller's reason), and how that counted. */
  #stopped: unknown;
  #stoppedAs: Outcome = IGNORED;
  /** Fails the wait on the upstream in progress, if any. */
  #interrupt: ((reason: unknown) => void) | undefined;
  /** Time spent waiting on the upstream so far, for timeoutMs. */
  #waitedMs = 0;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(engine: Engine, token: number, acquiredAt: number, settings: FetchSettings, callerSignal: AbortSignal | undefined, probe: boolean) {
    this.#engine = engine;
    this.#permit = new Settlement(engine, token, acquiredAt);
    this.#probe = probe;
    this.#settings = settings;
    this.#callerSignal = callerSignal;
  }

  async run(request: Request, input: RequestInfo | URL, init: RequestInit | undefined): Promise<Response> {
    // (A look-alike signal was listened to by the runtime's Request already: this cannot throw.)
    if (this.#callerSignal !== undefined) follow(this.#callerSignal, this);
    if (this.#probe) this.#startProbeTimer();
    let response: unknown;
    try {
      response = await this.#wait(send(this.#settings, request, this.#upstream.signal), "headers", discard);
    } catch (error) {
      return this.#failedBeforeHeaders(error, input, init);
    }
    try {
      const problem = notAResponse(response);
      if (problem !== undefined) throw new TypeError(problem);
      return this.#judge(response as Response);
    } catch (error) {
      // Whatever went wrong here is no news of the upstream; the permit is settled all the same.
      this.#settle(IGNORED);
      this.#finish();
      discard(response);
      throw error;
    }
  }

  #judge(response: Response): Response {
    if (this.#permit.acquiredAt !== UNKNOWN_TIME) this.#firstByteAt = this.#engine.now();
    if (isFailureResponse(response, this.#settings.isFailureResponse)) {
      // An HTTP-date is a point on the wall clock, which the breaker's clock need not be (a fake one, performance.now).
      this.#settle(FAILURE, retryAfterMs(response, this.#settings.maxRetryAfterMs, Date.now()));
    }
    if (response.body === null || response.body === undefined) {
      this.#settle(SUCCESS);
      this.#finish();
      return response;
    }
    let guarded: GuardedBody;
    try {
      guarded = guardBody(response, this, this.#settings.streamEnd);
    } catch {
      // A response the runtime will not rebuild (a status outside 200–599, a
      // body already read): judged by its headers alone, handed on as it is.
      this.#settle(SUCCESS);
      this.#finish();
      return response;
    }
    // A failure response is settled, but its body still passes under the time
    // limits (a 5xx whose body stalls must not hang its reader), and one left
    // unread still lets its upstream go once collected.
    releaseWhenUnreachable(guarded.readable, this);
    if (this.#probe && !this.#permit.settled) guarded.readAhead(); // judged at its first chunk, whoever reads it, and when
    return guarded.response;
  }

  async #failedBeforeHeaders(error: unknown, input: RequestInfo | URL, init: RequestInit | undefined): Promise<Response> {
    let failure: unknown;
    if (this.#stopped !== undefined) {
      // A time limit, the probe's end or the caller's abort came first (settled then).
      if (this.#stoppedAs === IGNORED) throw this.#stopped;
      failure = this.#stopped;
    } else {
      const outcome = errorBeforeHeaders(error, this.#engine);
      this.#settle(outcome);
      this.#finish();
      if (outcome === IGNORED) throw error; // the caller gets what fetch threw
      failure = error;
    }
    if (this.#settings.fallback === undefined) throw failure;
    return (await this.#settings.fallback(failure, input, init)) as Response;
  }

  /**
   * `pending` (a wait on the upstream) raced against the time limit that
   * applies to it and anything that stops the call, so that a limit rejects
   * the caller even when a custom fetch ignores the abort signal. `late`
   * gets what comes after the wait was given up.
   */
  #wait<T>(pending: Promise<T>, waiting: Waiting, late?: (value: T) => void): Promise<T> {
    const limit = firstLimit(waiting, this.#settings, this.#waitedMs);
    const started = performance.now();
    return new Promise<T>((resolve, reject) => {
      let open = true;
      const close = (): boolean => {
        if (!open) return false;
        open = false;
        clearTimeout(timer);
        this.#interrupt = undefined;
        this.#waitedMs += performance.now() - started;
        return true;
      };
      const timer =
        limit === undefined
          ? undefined
          : setTimeout(() => this.#stop(FAILURE, new FetchTimeoutError(this.#engine.name, limit.timeout, limit.ms)), limit.after);
      this.#interrupt = (reason) => {
        if (close()) reject(reason);
      };
      pending.then(
        (value) => (close() ? resolve(value) : late?.(value)),
        (error: unknown) => {
          if (close()) reject(error);
        },
      );
    });
  }

  /** A probe is never held past probeTimeoutMs unjudged: the core counts it failed then, and the upstream is let go. */
  #startProbeTimer(): void {
    const ms = this.#engine.probeTimeoutMs;
    if (ms > MAX_TIMER_MS) return; // weeks: setTimeout cannot wait that long, and the core's expiry still applies
    this.#probeTimer = setTimeout(() => this.#stop(FAILURE, new FetchTimeoutError(this.#engine.name, "probeTimeoutMs", ms)), ms);
  }

  /**
   * Stops the exchange early: settles (unless settled already) as `outcome`,
   * aborts the upstream, and fails the wait in progress, and every later
   * read, with `reason`.
   */
  #stop(outcome: Outcome, reason: unknown): void {
    if (this.#stopped !== undefined || this.#finished) return;
    this.#stopped = reason;
    this.#stoppedAs = outcome;
    this.#settle(outcome);
    this.#interrupt?.(reason);
    this.#finish();
    try {
      this.#upstream.abort(reason);
      this.#source?.cancel(reason).catch(ignore);
    } catch {
      // workerd refuses I/O outside a request, where the collector's callback
      // (released) runs: the call is settled, and the connection goes with the body.
    }
  }

  #settle(outcome: Outcome, retryAfterMs?: number): void {
    const permit = this.#permit;
    if (permit.settled) return;
    clearTimeout(this.#probeTimer);
    if (retryAfterMs !== undefined) {
      permit.recordRetryAfter(retryAfterMs);
    } else if (outcome === SUCCESS) {
      const now = this.#engine.now(); // one reading, for both the slowness and the record
      permit.record(SUCCESS, this.#timedFrom(now), now);
    } else {
      permit.record(outcome);
    }
  }

  /** The exchange is over: nothing more to hear from the caller, the probe's timer or the collector. */
  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#callerSignal !== undefined) unfollow(this.#callerSignal, this);
    clearTimeout(this.#probeTimer);
    forget(this);
  }

  /**
   * The acquire time to judge a success settled at `now` by: a call is as slow
   * as its first byte, so a long stream from a quick upstream is not a slow
   * call. The core measures from acquire to now; this shifts acquire forward
   * by the time the body took.
   */
  #timedFrom(now: number): number {
    const acquiredAt = this.#permit.acquiredAt;
    if (acquiredAt === UNKNOWN_TIME || this.#firstByteAt < acquiredAt || now === UNKNOWN_TIME) return acquiredAt;
    return Math.max(acquiredAt, now - (this.#firstByteAt - acquiredAt));
  }

  // BodyWatcher: what body.ts reports about a body still coming.

  read(source: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>> {
    this.#source = source;
    if (this.#stopped !== undefined) return Promise.reject(this.#stopped);
    return this.#wait(source.read(), "chunk");
  }

  received(): void {
    if (this.#probe) this.#settle(SUCCESS); // healthy headers and a first chunk: the upstream is back
  }

  ended(): void {
    this.#settle(SUCCESS);
    this.#finish();
  }

  failed(error: unknown): unknown {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#settle(this.#engine.judge(error));
    this.#finish();
    return error;
  }

  errorEvent(): void {
    this.#settle(FAILURE);
  }

  cancelled(): void {
    this.#settle(IGNORED);
    this.#finish();
  }

  // Follower: the caller's signal aborted. That stops the call at once, not
  // when a read fails: in workerd a client that disconnects (request.signal)
  // may end the invocation before any pending read settles.

  callerAborted(reason: unknown): void {
    this.#stop(IGNORED, reason);
  }

  // Releasable: the body was collected unread.

  released(): void {
    this.#stop(IGNORED, new DOMException("the response body was never read", "AbortError"));
  }
}

function ignore(): void {}

/** A response that came after its call gave up on it: its body is let go, so the connection is freed. */
function discard(response: unknown): void {
  const body = (response as { body?: { cancel?: () => Promise<void> } } | null)?.body;
  if (typeof body?.cancel === "function") body.cancel().catch(ignore);
}
