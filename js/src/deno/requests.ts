// The store's requests to Deno KV, one at a time per database: a Deno KV
// client over HTTP (Deno.openKv(url), as a self-hosted denokv is reached)
// answers requests sent together tens of milliseconds later than the same
// requests sent one after another (measured: ~45 ms for 2 to 5 gets at once
// on loopback, ~0.4 ms each in turn). Two lanes share the turn: a call
// waiting for its probe lease (lease, settle, transition) goes before the
// background syncs' requests still waiting, so a burst of calls that starts a
// sync does not put its lease behind it.
import type { DenoKv, KvAtomicOperation, KvKey, KvListedEntry, KvMaybeEntry, KvSelector } from "./kv.js";

/** The requests of one lane. */
export interface KvLane {
  get(key: KvKey): Promise<KvMaybeEntry>;
  /** Every entry `list` reads (at most `limit`), read in one turn. */
  entries(selector: KvSelector, limit: number): Promise<KvListedEntry[]>;
  commit(operation: KvAtomicOperation): Promise<{ ok: true; versionstamp: string } | { ok: false }>;
}

export class KvRequests {
  /** A new atomic operation (built here, sent by a lane's `commit`). */
  readonly atomic: () => KvAtomicOperation;
  readonly urgent: KvLane;
  readonly background: KvLane;
  readonly #waiting: [urgent: (() => void)[], background: (() => void)[]] = [[], []];
  #busy = false;

  constructor(kv: DenoKv) {
    this.atomic = () => kv.atomic();
    const lane = (queue: (() => void)[]): KvLane => ({
      get: (key) => this.#inTurn(queue, () => kv.get(key)),
      entries: (selector, limit) =>
        this.#inTurn(queue, async () => {
          const entries: KvListedEntry[] = [];
          for await (const entry of kv.list(selector, { limit })) entries.push(entry);
          return entries;
        }),
      commit: (operation) => this.#inTurn(queue, () => operation.commit()),
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
