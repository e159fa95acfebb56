// The simulated upstream: answers after a latency on simulated time, and fails
// at a chosen rate, or always during an outage.

export class FlakyService {
  failureRate = 0.02;
  latencyMs = 300;
  outage = false;

  #clock;
  #random;

  constructor(clock, random) {
    this.#clock = clock;
    this.#random = random;
  }

  /** Starts a request now; `settle(ok, latencyMs)` runs when it completes on simulated time. */
  request(settle) {
    // Both draws happen on every request, so a run's random sequence does not
    // depend on when the outage switch was flipped.
    const latencyMs = Math.round(this.latencyMs * (0.5 + this.#random()));
    const failsAnyway = this.#random() < this.failureRate;
    const ok = !this.outage && !failsAnyway;
    this.#clock.after(latencyMs, () => settle(ok, latencyMs));
  }
}
