// Holds the page's one breaker and rebuilds it when options change (a
// breaker's config is fixed at construction). Its clock is the simulated one.

export class BreakerHost {
  /** @type {any} the current CircuitBreaker */
  current = null;

  #CircuitBreaker;
  #clock;
  #onStateChange;

  constructor({ CircuitBreaker, clock, onStateChange }) {
    this.#CircuitBreaker = CircuitBreaker;
    this.#clock = clock;
    this.#onStateChange = onStateChange;
  }

  /**
   * Builds a breaker with `options`; on invalid options it throws the
   * package's TypeError / RangeError and keeps the current breaker.
   */
  rebuild(options) {
    const breaker = new this.#CircuitBreaker({ ...options, name: "simulated-upstream", clock: this.#clock.read });
    breaker.addEventListener("statechange", (event) => {
      if (breaker === this.current) this.#onStateChange(event.detail);
    });
    this.current = breaker;
    return breaker;
  }
}
