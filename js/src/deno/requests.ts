// The store's requests to Deno KV, one at a time per database: a Deno KV
// client over HTTP (Deno.openKv(url), as a self-hosted denokv is reached)
// answers requests sent together tens of milliseconds later than the same
// requests sent one after another (measured: ~45 ms for 2 to 5 gets at once
// on loopback, ~0.4 ms each in turn). Two lanes share the turn: a call
// waiting for its probe lease (lease, settle, transition) goes before the
// background syncs' requests still waiting, so a burst of calls that starts a
// sync does not put its lease behind it. A sync's commit whose turn comes
// after its caller has given up on it (the store hung, then came back) is not
// sent: the breaker reports those outcomes again with its next sync.
import type { DenoKv, KvAtomicOperation, KvKey, KvListedEntry, KvMaybeEntry, KvSelector } from "./kv.js";

/** The requests of one lane. */
export interface KvLane {
  get(key: KvKey): Promise<KvMaybeEntry>;
  /** Every entry `list` reads (at most `limit`), read in one turn. */
  entries(selector: KvSelector, limit: number): Promise<KvListedEntry[]>;
  /** Sends `operation`, unless its turn comes after `notAfter` (a reading of the store's monotonic clock). */
  commit(operation: KvAtomicOperation, notAfter?: number): Promise<{ ok: true; versionstamp: string } | { ok: false }>;
}

export class KvRequests {
  /** A new atomic operation (built here, sent by a lane's `commit`). */
  readonly atomic: () => KvAtomicOperation;
  readonly urgent: KvLane;
  readonly background: KvLane;
  readonly #waiting: [urgent: (() => void)[], background: (() => void)[]] = [[], []];
  #busy = false;

  constructor(kv: DenoKv, monotonicNow: () => number) {
    this.atomic = () => kv.atomic();
    const lane = (queue: (() => void)[]): KvLane => ({
      get: (key) => this.#inTurn(queue, () => kv.get(key)),
      entries: (selector, limit) =>
        this.#inTurn(queue, async () => {
          const entries: KvListedEntry[] = [];
          for await (const entry of kv.list(selector, { limit })) entries.push(entry);
          return entries;
        }),
      commit: (operation, notAfter) =>
        this.#inTurn(queue, () =>
          notAfter !== undefined && monotonicNow() > notAfter
            ? Promise.reject(new Error("not sent: its turn came after the sync had timed out"))
            : operation.commit(),
        ),
    });
    this.urgent = lane(this.#waiting[0]);
    this.background = lane(this.#waiting[1]);
  }

  /** `request`, once every request before it in its lane, and every urgent one, has been answered (or has failed). */
  #inTurn<T>(queue: (() => void)[], request: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push(() => {
        Promise.resolve()
          .then(request)
          .then(resolve, reject)
          .finally(() => {
            this.#busy = false;
            this.#next();
          });
      });
      this.#next();
    });
  }

  #next(): void {
    if (this.#busy) return;
    const turn = this.#waiting[0].shift() ?? this.#waiting[1].shift();
    if (turn === undefined) return;
    this.#busy = true;
    turn();
  }
}
