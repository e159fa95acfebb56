// Calls at a steady rate on simulated time, each through the breaker to the
// flaky service. It uses the two-step permit API (acquire now, settle when the
// simulated response arrives) because a permit settles synchronously: the
// outcome is recorded at the exact simulated time of the response, with no
// promise continuation running after the clock has moved on.

export class Traffic {
  ratePerSecond = 5;

  #clock;
  #service;
  #breakers;
  #isBlocked;
  #record;
  #cancelNext = null;

  /**
   * @param {object} parts
   * @param {import("./sim-clock.js").SimClock} parts.clock
   * @param {import("./flaky-service.js").FlakyService} parts.service
   * @param {{ current: { acquire(): { success(): void, failure(error?: unknown): void } } }} parts.breakers
   * @param {(error: unknown) => boolean} parts.isBlocked  true for the breaker's rejection
   * @param {(outcome: "success" | "failure" | "blocked", at: number) => void} parts.record
   */
  constructor({ clock, service, breakers, isBlocked, record }) {
    this.#clock = clock;
    this.#service = service;
    this.#breakers = breakers;
    this.#isBlocked = isBlocked;
    this.#record = record;
  }

  /** Sets calls per simulated second (0 stops traffic); the next call is one interval (in whole ms) from now. */
  setRate(ratePerSecond) {
    this.ratePerSecond = ratePerSecond;
    this.#cancelNext?.();
    this.#scheduleNext();
  }

  #scheduleNext() {
    this.#cancelNext = this.ratePerSecond > 0 ? this.#clock.after(Math.round(1000 / this.ratePerSecond), () => this.#send()) : null;
  }

  #send() {
    this.#scheduleNext();
    let permit;
    try {
      permit = this.#breakers.current.acquire();
    } catch (error) {
      if (!this.#isBlocked(error)) throw error;
      this.#record("blocked", this.#clock.now);
      return;
    }
    this.#service.request((ok) => {
      if (ok) permit.success();
      else permit.failure(new Error("upstream answered 503"));
      this.#record(ok ? "success" : "failure", this.#clock.now);
    });
  }
}
