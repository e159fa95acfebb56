// Permits are disposable (`using`): consumers' type checks need Symbol.dispose
// whatever their own `lib`, so the declaration output keeps this reference.
/// <reference lib="esnext.disposable" preserve="true" />
import { FAILURE, IGNORED, SUCCESS, type Engine } from "./engine.js";
import { duration, optionalObject } from "./checks.js";
import { Settlement } from "./settlement.js";

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
export class Permit extends Settlement {
  /** Judges the error given to `failure()`. */
  readonly #engine: Engine;

  /** @internal Permits come from `breaker.acquire()`. */
  constructor(engine: Engine, token: number, acquiredAt: number) {
    super(engine, token, acquiredAt);
    this.#engine = engine;
  }

  /** The call succeeded. (A success slower than `slowCallMs` counts as a failure.) */
  success(): void {
    this.record(SUCCESS);
  }

  /**
   * The call failed. Given an `error`, the breaker's `isFailure` judges it
   * first (returning `false` records the call as ignored).
   */
  failure(error?: unknown, options?: FailureOptions | null): void {
    if (this.settled) return;
    const retryAfterMs = retryAfter(options);
    const outcome = arguments.length > 0 ? this.#engine.judge(error) : FAILURE;
    if (retryAfterMs !== undefined && outcome === FAILURE) this.recordRetryAfter(retryAfterMs);
    else this.record(outcome);
  }

  /** The call neither succeeded nor failed (e.g. the client went away): no trace in the window; frees a probe slot. */
  ignore(): void {
    this.record(IGNORED);
  }

  /** Records a failure unless the permit was settled: a permit dropped unsettled is a call that never reported back. */
  declare [Symbol.dispose]: () => void;
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
