// Simulated time: a discrete-event scheduler whose clock moves only when the
// page advances it. Every timer of the simulation (request latency, traffic
// arrivals) is an event here, and each event runs with the clock set to the
// time it fell due. So the breaker, which reads this clock, sees the same
// times however the advance is chunked (one frame at 50x or many small steps),
// and a run is reproducible from its seed.

export class SimClock {
  #now = 0;
  #queue = new EventQueue();

  /** The simulated time in ms. */
  get now() {
    return this.#now;
  }

  /** A clock function for `new CircuitBreaker({ clock })`. */
  read = () => this.#now;

  /** Runs `callback` when the clock reaches `delayMs` from now; returns a cancel function. */
  after(delayMs, callback) {
    const event = { time: this.#now + Math.max(0, delayMs), callback, cancelled: false };
    this.#queue.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  /** Moves the clock forward by `ms`, running every event that falls due on the way, in time order. */
  advance(ms) {
    const target = this.#now + Math.max(0, ms);
    for (let event = this.#queue.peek(); event && event.time <= target; event = this.#queue.peek()) {
      this.#queue.pop();
      if (event.cancelled) continue;
      this.#now = event.time;
      event.callback();
    }
    this.#now = target;
  }
}

/** A binary min-heap on (time, insertion order): events due at the same time run in the order they were scheduled. */
class EventQueue {
  #heap = [];
  #inserted = 0;

  peek() {
    return this.#heap[0];
  }

  push(event) {
    event.order = this.#inserted++;
    const heap = this.#heap;
    heap.push(event);
    for (let index = heap.length - 1; index > 0; ) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index], heap[parent])) break;
      [heap[index], heap[parent]] = [heap[parent], heap[index]];
      index = parent;
    }
  }

  pop() {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      heap[0] = last;
      for (let index = 0; ; ) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && earlier(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && earlier(heap[right], heap[smallest])) smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest], heap[index]];
        index = smallest;
      }
    }
    return top;
  }
}

function earlier(a, b) {
  return a.time < b.time || (a.time === b.time && a.order < b.order);
}
