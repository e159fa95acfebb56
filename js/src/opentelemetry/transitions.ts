// Each breaker's transitions by from, to and cause, counted from its
// "statechange" events. The core counts transitions (`stateChanges`) but not
// by cause, and a cumulative counter needs the tally per cause: the events
// carry the core's cause, so counting them here leaves the core as it is.
import type { CircuitBreaker, State, StateChangeEvent, TransitionCause } from "edgebreaker";

/** How many times a breaker went `from` → `to` for `cause`. */
export interface TransitionTally {
  readonly from: State;
  readonly to: State;
  readonly cause: TransitionCause;
  count: number;
}

/** The tallies of one breaker, from the moment it is watched until `stop()`. */
export class TransitionCounts {
  readonly #breaker: CircuitBreaker<unknown>;
  readonly #tallies = new Map<string, TransitionTally>();
  readonly #listener = (event: StateChangeEvent): void => {
    const { from, to, cause } = event.detail;
    const key = `${from} ${to} ${cause}`;
    const tally = this.#tallies.get(key);
    if (tally === undefined) this.#tallies.set(key, { from, to, cause, count: 1 });
    else tally.count += 1;
  };

  constructor(breaker: CircuitBreaker<unknown>) {
    this.#breaker = breaker;
    breaker.addEventListener("statechange", this.#listener);
  }

  /**
   * The tallies so far. A breaker announces a change when someone next looks
   * at it (an open circuit half-opens whenever it is next read): read its
   * status first, and the changes due by then are counted.
   */
  tallies(): IterableIterator<TransitionTally> {
    return this.#tallies.values();
  }

  stop(): void {
    this.#breaker.removeEventListener("statechange", this.#listener);
  }
}
