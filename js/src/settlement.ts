// A permit that is recorded once: the first outcome counts, and every later
// one changes nothing. The one place settle-once is kept: for a Permit, a
// call raced against its timeoutMs, and a fetch (whose body may go on after
// its call was judged).
import type { Engine, Outcome } from "./engine.js";

export class Settlement {
  /** The engine to record with; undefined once recorded. */
  #engine: Engine | undefined;
  readonly #token: number;
  readonly #acquiredAt: number;

  /** @internal */
  constructor(engine: Engine, token: number, acquiredAt: number) {
    this.#engine = engine;
    this.#token = token;
    this.#acquiredAt = acquiredAt;
  }

  /** @internal The clock's reading at acquire, or UNKNOWN_TIME when the breaker times no calls. */
  get acquiredAt(): number {
    return this.#acquiredAt;
  }

  /** Whether the permit has been settled (or disposed). */
  get settled(): boolean {
    return this.#engine === undefined;
  }

  /**
   * @internal Records `outcome`, timed from `acquiredAt`, at `now` (by default
   * one reading of the clock), unless settled already.
   */
  record(outcome: Outcome, acquiredAt: number = this.#acquiredAt, now?: number): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    this.#engine = undefined;
    engine.record(this.#token, acquiredAt, outcome, now);
  }

  /** @internal Records a failure with the upstream's Retry-After, unless settled already. */
  recordRetryAfter(retryAfterMs: number): void {
    const engine = this.#engine;
    if (engine === undefined) return;
    this.#engine = undefined;
    engine.recordRetryAfter(this.#token, this.#acquiredAt, retryAfterMs);
  }
}
