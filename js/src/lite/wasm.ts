// edgebreaker/lite's glue: the JS half of crate/wasm/src/lite.rs, whose wasm
// exports plain functions instead of wasm-bindgen's classes. It gives
// core.ts the `initSync` and `WasmBreaker` that wasm-bindgen's glue gives the
// main entries (the lite build swaps it in: scripts/entries.mjs), in a quarter
// of the bytes.
//
// A breaker is the address of its box in wasm memory, freed when its object
// is collected. Numbers that do not fit in arguments and a return value cross
// through the instance's one exchange, a Float64Array over wasm memory.
import type { WasmBreaker as BoundBreaker } from "../wasm/edgebreaker.js";

/** The exports of edgebreaker_lite_bg.wasm: addresses are i32s, counts usizes. */
interface LiteExports {
  readonly memory: WebAssembly.Memory;
  exchange_new(): number;
  exchange_refusal(exchange: number): number;
  exchange_refusal_length(exchange: number): number;
  breaker_new(exchange: number): number;
  breaker_free(breaker: number): void;
  breaker_acquire(breaker: number, now: number): number;
  breaker_acquire_if_closed(breaker: number): number;
  breaker_rejected_state(breaker: number): number;
  breaker_rejected_retry_after_ms(breaker: number): number;
  breaker_record(breaker: number, token: number, acquiredAt: number, outcome: number, now: number): number;
  breaker_record_retry_after(breaker: number, token: number, acquiredAt: number, retryAfterMs: number, now: number): number;
  breaker_state(breaker: number, now: number): number;
  breaker_status(breaker: number, now: number, exchange: number): number;
  breaker_reset(breaker: number, now: number): void;
  breaker_force_open(breaker: number, timed: number, durationMs: number, now: number): void;
  breaker_state_changes(breaker: number): number;
  breaker_transitions_since(breaker: number, seen: number, exchange: number): number;
  breaker_latest_time(breaker: number): number;
}

/** The exchange's size: room for the 8 state changes a breaker keeps, 8 numbers each (lite.rs's EXCHANGE_NUMBERS). */
const EXCHANGE_NUMBERS = 64;

let wasm: LiteExports;
let exchange: number;
/** The exchange's numbers; made again when the memory grows (its old buffer is then detached). */
let numbers = new Float64Array(0);
let freed: FinalizationRegistry<number> | undefined;

/** Instantiates the lite wasm (it imports nothing), once. */
export function initSync({ module }: { module: WebAssembly.Module }): { memory: WebAssembly.Memory } {
  if (wasm === undefined) {
    wasm = new WebAssembly.Instance(module).exports as unknown as LiteExports;
    exchange = wasm.exchange_new();
    // Where there is none (workerd before its 2025-05-05 compatibility date), a breaker lives as long as its instance.
    if (typeof FinalizationRegistry === "function") freed = new FinalizationRegistry((breaker) => wasm.breaker_free(breaker));
  }
  return wasm;
}

/** The exchange's numbers, viewed afresh if the memory has grown since. */
function exchanged(): Float64Array {
  if (numbers.buffer !== wasm.memory.buffer) numbers = new Float64Array(wasm.memory.buffer, exchange >>> 0, EXCHANGE_NUMBERS);
  return numbers;
}

/** The first `count` numbers the wasm wrote into the exchange, copied out. */
function answer(count: number): Float64Array {
  return exchanged().slice(0, count);
}

/** A core breaker, as wasm-bindgen's glue gives the main entries theirs. */
export class WasmBreaker implements Omit<BoundBreaker, "free" | typeof Symbol.dispose | "snapshot" | FleetMethods> {
  readonly #at: number;

  /** Throws the core's words, "<option> must be <rule>", as a string, as wasm-bindgen's glue does. */
  constructor(options: Float64Array) {
    exchanged().set(options);
    const at = wasm.breaker_new(exchange);
    if (at === 0) {
      const start = wasm.exchange_refusal(exchange) >>> 0;
      throw new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, start, wasm.exchange_refusal_length(exchange)));
    }
    this.#at = at;
    freed?.register(this, at);
  }

  acquire(now: number): number {
    return wasm.breaker_acquire(this.#at, now);
  }

  acquireIfClosed(): number {
    return wasm.breaker_acquire_if_closed(this.#at);
  }

  rejectedState(): number {
    return wasm.breaker_rejected_state(this.#at);
  }

  rejectedRetryAfterMs(): number | undefined {
    const ms = wasm.breaker_rejected_retry_after_ms(this.#at);
    return Number.isNaN(ms) ? undefined : ms; // NaN: forced open until reset
  }

  record(token: number, acquiredAt: number, outcome: number, now: number): number {
    return wasm.breaker_record(this.#at, token, acquiredAt, outcome, now);
  }

  recordRetryAfter(token: number, acquiredAt: number, retryAfterMs: number, now: number): number {
    return wasm.breaker_record_retry_after(this.#at, token, acquiredAt, retryAfterMs, now);
  }

  state(now: number): number {
    return wasm.breaker_state(this.#at, now);
  }

  status(now: number): Float64Array {
    return answer(wasm.breaker_status(this.#at, now, exchange));
  }

  reset(now: number): void {
    wasm.breaker_reset(this.#at, now);
  }

  forceOpen(durationMs: number | null | undefined, now: number): void {
    const timed = durationMs !== undefined && durationMs !== null;
    wasm.breaker_force_open(this.#at, timed ? 1 : 0, timed ? durationMs : 0, now);
  }

  stateChanges(): number {
    return wasm.breaker_state_changes(this.#at);
  }

  transitionsSince(seen: number): Float64Array {
    return answer(wasm.breaker_transitions_since(this.#at, seen, exchange));
  }

  latestTime(): number {
    return wasm.breaker_latest_time(this.#at);
  }
}

/** What only the main entries' breakers do: snapshots, a fleet member's side. */
type FleetMethods = {
  [Method in keyof BoundBreaker]: Method extends `fleet${string}` | "countBlocked" ? Method : never;
}[keyof BoundBreaker];
