// Many breakers' figures at once, flat: one core call per breaker writes its
// numbers into one buffer in wasm memory, read out once at the end, where listCircuitBreakers() builds an object tree
// per breaker (at 100,000 breakers, seconds and tens of MB of JSON). What a
// metrics exporter reads on every scrape.
import { CircuitBreaker, engineOf } from "./breaker.js";
import { wasmMemory } from "./core.js";
import { WasmFigures } from "./wasm/edgebreaker.js";
import { describe } from "./describe.js";
import { registeredBreakers } from "./registry.js";
import { STATE_NAMES, type State } from "./state.js";
import { FIGURES } from "./status-numbers.js";
import type { TransitionCause } from "./status.js";
import { CAUSE_NAMES } from "./transition.js";

export { FIGURES };

/** The figures of many breakers at one reading of each one's clock: plain numbers, no object per breaker. */
export interface BreakerFigures {
  /** The breakers' names; breaker `i`'s numbers start at `figures[i * FIGURES.count]`. */
  readonly names: readonly string[];
  /** `FIGURES.count` numbers per breaker, each at its `FIGURES` offset. */
  readonly figures: Float64Array;
  /**
   * Every change of state since each breaker was built, by change and cause,
   * 5 numbers a row: the breaker's index in `names`, from and to (codes in
   * `states`), the cause (its code in `causes`) and the count. Rows that
   * would count 0 are left out. A breaker restored from a snapshot counts
   * from its restoring.
   */
  readonly transitions: Float64Array;
  /** The state codes' names. */
  readonly states: readonly State[];
  /** The cause codes' names. */
  readonly causes: readonly TransitionCause[];
}

/**
 * The figures of `breakers` (every registered breaker when none are given),
 * each read at its clock's time, as a status would be (and announcing the
 * changes that time implies, as `getStatus()` does).
 * @throws TypeError when `breakers` is not an iterable of `CircuitBreaker`s; nothing is read then.
 */
export function circuitBreakerFigures(breakers?: Iterable<CircuitBreaker<unknown>> | null): BreakerFigures {
  const list = breakerList(breakers ?? registeredBreakers());
  const memory = wasmMemory();
  const names: string[] = [];
  const buffers = new WasmFigures();
  try {
    try {
      buffers.prepare(list.length);
      list.forEach((breaker, index) => {
        const engine = engineOf(breaker);
        names.push(engine.name);
        engine.readFigures(buffers, index);
      });
    } catch (error) {
      // The binding throws its refusals (no wasm memory for so many) as strings.
      throw typeof error === "string" ? new RangeError(`${error}: ${list.length}`) : error;
    }
    // Views made after the last read (see the binding's figuresPointer), copied out of wasm memory.
    const view = (pointer: number, length: number) => new Float64Array(memory.buffer, pointer, length).slice();
    return {
      names,
      figures: view(buffers.figuresPointer(), list.length * FIGURES.count),
      transitions: view(buffers.transitionsPointer(), buffers.transitionsLength()),
      states: STATE_NAMES,
      causes: CAUSE_NAMES,
    };
  } finally {
    buffers.free();
  }
}

/** `breakers` as an array, every element checked before any is read. */
function breakerList(breakers: Iterable<CircuitBreaker<unknown>>): CircuitBreaker<unknown>[] {
  if (typeof (breakers as { [Symbol.iterator]?: unknown } | null)?.[Symbol.iterator] !== "function" || typeof breakers === "string") {
    throw new TypeError(`breakers must be an iterable of CircuitBreaker (an array, a Set); got ${describe(breakers)}`);
  }
  const list = Array.from(breakers);
  list.forEach((breaker, index) => {
    if (!(breaker instanceof CircuitBreaker)) throw new TypeError(`breakers[${index}] must be a CircuitBreaker; got ${describe(breaker)}`);
  });
  return list;
}
