import { Engine } from "./engine.js";
import { guardListener, guardOf, type StateChangeListener } from "./events.js";
import { duration, requiredFunction } from "./checks.js";
import { validateOptions, type CircuitBreakerOptions } from "./options.js";
import { Permit } from "./permit.js";
import { CallRunner } from "./runner.js";
import { fetchThrough, snapshotOf, snapshotText } from "./features.js";
import type { FetchSettings } from "./fetch/call.js";
import type { BreakerSnapshot } from "./snapshot.js";
import { STATE_NAMES, type State } from "./state.js";
import type { BreakerStatus } from "./status.js";
import { statusFromNumbers } from "./status-numbers.js";

type ListenerOptions = Parameters<EventTarget["addEventListener"]>[2];

/** @internal The engine under a breaker, for the modules that read many breakers at once (figures.ts). */
export let engineOf: (breaker: CircuitBreaker<unknown>) => Engine;

/** The snapshot text `CircuitBreaker.restore` hands to the constructor it calls. */
let restoring: string | undefined;

/**
 * A circuit breaker. Protect calls with `call`, `callSync` or `wrap`, or make
 * the two steps yourself with `acquire()`; read `state` and `getStatus()`;
 * listen for "statechange" events.
 *
 * ```ts
 * const breaker = new CircuitBreaker({ name: "llm", failureThreshold: 3 });
 * const answer = await breaker.call(fetchCompletion, prompt);
 * ```
 *
 * `F` is what the `fallback` option returns, inferred from the options
 * (`never` without a fallback): a call's result is the function's or the
 * fallback's. `CircuitBreaker<unknown>` stands for any breaker.
 */
export class CircuitBreaker<F = never> extends EventTarget {
  readonly #engine: Engine;
  readonly #runner: CallRunner;
  readonly #fetch: FetchSettings;

  static {
    engineOf = (breaker) => breaker.#engine;
  }

  /**
   * @throws TypeError when an option has the wrong type or is unknown;
   *   RangeError when a value is out of range. The message names the option.
   */
  constructor(options?: CircuitBreakerOptions<F> | null) {
    super();
    const snapshot = restoring;
    restoring = undefined;
    const valid = validateOptions(options);
    this.#engine = new Engine(this, valid, snapshot);
    this.#runner = new CallRunner(this.#engine, valid.timeoutMs, valid.fallback);
    this.#fetch = { ...valid.fetch, timeoutMs: valid.timeoutMs, fallback: valid.fallback };
  }

  /**
   * A breaker with `options` in the state a snapshot describes (from
   * `snapshot()`, as the object or its JSON text), at the clock's time: the
   * open period ends `openForMs` from now, window entries and the last
   * failure and success are their age before now. Options never come from
   * the snapshot.
   * @throws TypeError when an option has the wrong type, or `snapshot` is
   *   neither an object nor a string; RangeError when an option is out of
   *   range or the snapshot is refused: malformed, tampered, longer than
   *   192 KiB of JSON, or not fitting the options (a window longer than
   *   `windowSize`, `probeSuccesses` reaching `successThreshold`). The
   *   message names the option or the field (`snapshot.generation`). Nothing is created.
   */
  static restore<F = never>(snapshot: BreakerSnapshot | string, options?: CircuitBreakerOptions<F> | null): CircuitBreaker<F> {
    restoring = snapshotText(snapshot);
    try {
      return new CircuitBreaker<F>(options);
    } finally {
      restoring = undefined;
    }
  }

  /** Identifies the breaker in status, errors, logs and the registry. */
  get name(): string {
    return this.#engine.name;
  }

  /** `"closed"`, `"open"` or `"half_open"` at the clock's current time. */
  get state(): State {
    const engine = this.#engine;
    const state = engine.core.state(engine.now());
    engine.announceUpTo(engine.core.stateChanges());
    return STATE_NAMES[state]!;
  }

  /**
   * Calls `fn(...args)` if the circuit lets it through, and records how it
   * went. `fn` may be sync or async; the result is always a Promise. Refused
   * calls reject with `CircuitBreakerError`; either way `fallback`, if set,
   * supplies the result instead.
   */
  call<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): Promise<Awaited<R> | Awaited<F>> {
    return this.#runner.run(fn, undefined, args);
  }

  /**
   * `call` for a synchronous `fn`: returns its result and throws its error
   * (or `CircuitBreakerError`) synchronously. If `fn` returns a promise
   * anyway, its settlement is what counts, and that promise's outcome is returned.
   */
  callSync<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R | F {
    requiredFunction("fn", fn);
    return this.#runner.runSync(fn, args) as R | F;
  }

  /**
   * `fn`, protected: each call goes through `call`, with its `this` and
   * arguments. The returned function always returns a Promise.
   */
  wrap<T, A extends unknown[], R>(fn: (this: T, ...args: A) => R): (this: T, ...args: A) => Promise<Awaited<R> | Awaited<F>> {
    requiredFunction("fn", fn);
    const runner = this.#runner;
    const wrapped = function (this: T, ...args: A): Promise<Awaited<R> | Awaited<F>> {
      return runner.run(fn, this, args);
    };
    Object.defineProperty(wrapped, "name", { value: fn.name, configurable: true });
    return wrapped;
  }

  /**
   * The first of two steps: a `Permit` to settle when the call is done.
   * @throws CircuitBreakerError when the circuit refuses the call.
   *
   * ```ts
   * using permit = breaker.acquire();
   * const response = await fetch(url);
   * response.ok ? permit.success() : permit.failure();
   * ```
   */
  acquire(): Permit {
    const engine = this.#engine;
    const token = engine.admit();
    return new Permit(engine, token, engine.acquiredAt);
  }

  /**
   * `fetch(input, init)` through the breaker: 5xx and 429 responses, network
   * errors and timeouts are failures, a streamed body is judged when it ends,
   * and a blocked call throws, answers 503 or falls back (see the fetch options;
   * the fallback's value is the result as it returned it).
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response | Awaited<F>> {
    return fetchThrough(this.#engine, this.#fetch, input, init) as Promise<Response | Awaited<F>>;
  }

  /** State, time until a probe, lifetime metrics, configuration and the fleet (with the `fleet` option), as plain JSON-safe data. */
  getStatus(): BreakerStatus {
    const engine = this.#engine;
    const now = engine.now();
    const status = statusFromNumbers(engine.core.status(now));
    engine.announceUpTo(engine.core.stateChanges());
    return {
      name: engine.name,
      state: status.state,
      retryAfterMs: status.retryAfterMs,
      metrics: status.metrics,
      config: status.config,
      fleet: !FLEETS || engine.fleet === undefined ? null : engine.fleet.status(now),
    };
  }

  /**
   * The breaker's state now, as plain JSON-safe data to restore later or
   * elsewhere with `CircuitBreaker.restore()`: ages and durations, never
   * absolute times; no options; no calls in flight.
   */
  snapshot(): BreakerSnapshot {
    return snapshotOf(this.#engine);
  }

  /** Closes the circuit with an empty window and no backoff. Lifetime metrics are kept. */
  reset(): void {
    const engine = this.#engine;
    engine.core.reset(engine.now());
    engine.announceUpTo(engine.core.stateChanges());
  }

  /**
   * Opens the circuit now: for `durationMs` (then it half-opens as usual), or
   * until `reset()` when no duration is given.
   * `null` is no duration, as `undefined` is.
   * @throws TypeError / RangeError when `durationMs` is not a whole number of milliseconds from 0 to 2^53 - 1.
   */
  forceOpen(durationMs?: number | null): void {
    const ms = duration("durationMs", durationMs);
    const engine = this.#engine;
    engine.core.forceOpen(ms, engine.now());
    engine.announceUpTo(engine.core.stateChanges());
  }

  /**
   * Listens for "statechange" events; `event.detail` is `{ name, from, to, at, cause }`
   * with the cause's figures (see `StateChange`).
   * A listener that throws is reported with `console.error`: the other
   * listeners still hear, and the breaker goes on.
   */
  override addEventListener(type: "statechange", listener: StateChangeListener | null, options?: ListenerOptions): void;
  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: ListenerOptions): void {
    if (type === "statechange" && isListener(listener)) {
      this.#engine.listening = true;
      super.addEventListener(type, guardListener(listener as StateChangeListener), options);
    } else {
      super.addEventListener(type, listener, options);
    }
  }

  override removeEventListener(type: "statechange", listener: StateChangeListener | null, options?: ListenerOptions): void;
  override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: Parameters<EventTarget["removeEventListener"]>[2],
  ): void {
    const guard = type === "statechange" && isListener(listener) ? guardOf(listener as StateChangeListener) : undefined;
    super.removeEventListener(type, guard ?? listener, options);
  }
}

/** A function or an object (one whose handleEvent is looked up at each event, as the platform does). */
function isListener(listener: unknown): listener is object {
  return typeof listener === "function" || (typeof listener === "object" && listener !== null);
}
