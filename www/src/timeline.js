// What the chart shows: outcomes per bucket of simulated time, and the spans
// the circuit spent in each state. Old buckets are dropped as time moves on.

export const BUCKET_MS = 2000;
export const SPAN_MS = 180_000;

export class Timeline {
  /** @type {Map<number, { success: number, failure: number, blocked: number }>} */
  buckets = new Map();
  /** State spans as their start: [{ at, state }], oldest first. */
  states = [{ at: 0, state: "closed" }];
  #newestBucket = 0;

  record(outcome, at) {
    const index = Math.floor(at / BUCKET_MS);
    let bucket = this.buckets.get(index);
    if (!bucket) {
      bucket = { success: 0, failure: 0, blocked: 0 };
      this.buckets.set(index, bucket);
      if (index > this.#newestBucket) this.#forgetBefore(index);
    }
    bucket[outcome] += 1;
  }

  enterState(state, at) {
    if (this.states.at(-1).state !== state) this.states.push({ at, state });
  }

  /** Totals per outcome over the span ending at `now`. */
  totals(now) {
    const first = Math.floor((now - SPAN_MS) / BUCKET_MS);
    const totals = { success: 0, failure: 0, blocked: 0 };
    for (const [index, bucket] of this.buckets) {
      if (index < first) continue;
      totals.success += bucket.success;
      totals.failure += bucket.failure;
      totals.blocked += bucket.blocked;
    }
    return totals;
  }

  #forgetBefore(index) {
    this.#newestBucket = index;
    const oldest = index - Math.ceil(SPAN_MS / BUCKET_MS) - 2;
    for (const key of this.buckets.keys()) if (key < oldest) this.buckets.delete(key);
    const horizon = index * BUCKET_MS - SPAN_MS;
    while (this.states.length > 1 && this.states[1].at <= horizon) this.states.shift();
  }
}
