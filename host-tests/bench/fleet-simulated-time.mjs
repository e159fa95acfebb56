// Simulated time for the fleet simulation: a clock and a queue of events.
// `run(until)` takes the events in time order; after the events of each
// millisecond it lets the promise jobs they started run (a macrotask turn),
// so code written against promises (the package's breakers) runs unchanged
// between two readings of the clock.

export class SimulatedTime {
  /** The clock, in milliseconds: readings of the breakers and coordinators. */
  now;
  #heap = [];
  #order = 0;

  constructor(start) {
    this.now = start;
  }

  /** Runs `event` at `time` (not before now). */
  at(time, event) {
    const entry = { time: Math.max(time, this.now), order: this.#order++, event };
    const heap = this.#heap;
    heap.push(entry);
    for (let index = heap.length - 1; index > 0; ) {
      const parent = (index - 1) >> 1;
      if (!before(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  /** Runs every event due up to `until`, in order; the clock then reads `until`. */
  async run(until) {
    while (this.#heap.length > 0 && this.#heap[0].time <= until) {
      const time = this.#heap[0].time;
      this.now = time;
      while (this.#heap.length > 0 && this.#heap[0].time === time) this.#pop().event();
      await new Promise(setImmediate);
    }
    this.now = until;
  }

  #pop() {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      heap[0] = last;
      for (let index = 0; ; ) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && before(heap[right], heap[smallest])) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
        index = smallest;
      }
    }
    return top;
  }
}

const before = (a, b) => a.time < b.time || (a.time === b.time && a.order < b.order);

/** A seeded pseudo-random source (mulberry32): the same run each time. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
