// Drives simulated time from real time: each animation frame advances the
// simulated clock by the real time elapsed times the speed. Pause stops it;
// step advances it by a fixed amount while paused. Simulated time moves in
// whole milliseconds (the fractions carry over), so every event and every
// reading of the breaker's clock is a whole number, as the core counts time.

const LONGEST_FRAME_MS = 100; // a frame after a stall (tab hidden, debugger) does not jump time ahead

export class Playback {
  speed = 10;
  paused = false;

  #clock;
  #onFrame;
  #lastFrame = null;
  #carryMs = 0;

  constructor(clock, onFrame) {
    this.#clock = clock;
    this.#onFrame = onFrame;
  }

  start() {
    requestAnimationFrame(this.#frame);
  }

  /** Pauses, then advances simulated time by `ms`. */
  step(ms) {
    this.paused = true;
    this.#clock.advance(ms);
  }

  #frame = (realNow) => {
    const elapsed = this.#lastFrame === null ? 0 : Math.min(realNow - this.#lastFrame, LONGEST_FRAME_MS);
    this.#lastFrame = realNow;
    if (!this.paused) {
      this.#carryMs += elapsed * this.speed;
      const wholeMs = Math.floor(this.#carryMs);
      this.#carryMs -= wholeMs;
      this.#clock.advance(wholeMs);
    }
    this.#onFrame(realNow);
    requestAnimationFrame(this.#frame);
  };
}
