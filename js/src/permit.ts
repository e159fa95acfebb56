// Permits are disposable (`using`): consumers' type checks need Symbol.dispose
// whatever their own `lib`, so the declaration output keeps this reference.
/// <reference lib="esnext.disposable" preserve="true" />
import { FAILURE, IGNORED, SUCCESS, type Engine, type Outcome } from "./engine.js";
import { duration, optionalObject } from "./checks.js";

/** Options of `permit.failure()`. */
export interface FailureOptions {
  /**
   * The upstream asked to be left alone this long (an HTTP `Retry-After`, in
   * milliseconds, a whole number from 0 to 2^53 - 1): the failure is
   * recorded and the circuit opens for exactly that long, whatever the
   * window says. `null` is none, as `undefined` is.
   */
  retryAfterMs?: number | null;
}

/**
 * Leave to make one call, from `breaker.acquire()`. Settle it once with
 * `success()`, `failure()` or `ignore()`; later settles are no-ops. With
 * `using permit = breaker.acquire()`, leaving the block without settling
 * records a failure (the call never reported back).
 */
export class Permit {
  #engine: Engine | undefined;
  readonly #token: number;
  readonly #acquiredAt: number;

  /** @internal Permits come from `breaker.acquire()`. */
  constructor(engine: Engine, token: number, acquiredAt: number) {
    this.#engine = engine;
    this.#token = token;
    this.#acquiredAt = acquiredAt;
  }

  /** Whether the permit has been settled (or disposed). */
  get settled(): boolean {
    return this.#engine === undefined;
  }

  /** The call succeeded. (A success slower than `slowCallMs` counts as a failure.) */
  success(): void {
    this.#settle(SUCCESS);
  }

  /**
   * The call failed. Given an `error`, the breaker's `isFailure` judges it
   * first (returning `false` records the call as ignored).
   */
  failure(error?: unknown, options?: FailureOptions | null): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    const retryAfterMs = retryAfter(options);
    const outcome = arguments.length > 0 ? engine.judge(error) : FAILURE;
    if (retryAfterMs !== undefined && outcome === FAILURE) {
      this.#engine = undefined;
      engine.recordRetryAfter(this.#token, this.#acquiredAt, retryAfterMs);
    } else {
      this.#settle(outcome);
    }
  }

  /** The call neither succeeded nor failed (e.g. the client went away): no trace in the window; frees a probe slot. */
  ignore(): void {
    this.#settle(IGNORED);
  }

  /** Records a failure unless the permit was settled: a permit dropped unsettled is a call that never reported back. */
  declare [Symbol.dispose]: () => void;

  #settle(outcome: Outcome): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    this.#engine = undefined;
    engine.record(this.#token, this.#acquiredAt, outcome);
  }
}

// Where the runtime has no Symbol.dispose yet, `using` compiled by TypeScript
// or Babel looks for Symbol.for("Symbol.dispose").
const disposeKey: symbol = typeof Symbol.dispose === "symbol" ? Symbol.dispose : Symbol.for("Symbol.dispose");
Object.defineProperty(Permit.prototype, disposeKey, {
  value: function dispose(this: Permit): void {
    this.failure();
  },
  writable: true,
  configurable: true,
});

function retryAfter(options: FailureOptions | null | undefined): number | undefined {
  return duration("retryAfterMs", optionalObject<FailureOptions>("failure options", options)?.retryAfterMs);
}
