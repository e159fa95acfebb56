// The store's requests to Deno KV, one at a time per database: a Deno KV
// client over HTTP (Deno.openKv(url), as a self-hosted denokv is reached)
// answers requests sent together tens of milliseconds later than the same
// requests sent one after another (measured: ~45 ms for 2 to 5 gets at once
// on loopback, ~0.4 ms each in turn), which would push a lease or a sync past
// its timeout when a process's breakers need the store at the same moment.
// A queue keeps the latency of each at that of one request.
import type { DenoKv, KvAtomicOperation, KvKey, KvListedEntry, KvMaybeEntry, KvSelector } from "./kv.js";

export class KvRequests {
  readonly #kv: DenoKv;
  #last: Promise<unknown> = Promise.resolve();

  constructor(kv: DenoKv) {
    this.#kv = kv;
  }

  /** A new atomic operation (built here, sent by `commit`). */
  atomic(): KvAtomicOperation {
    return this.#kv.atomic();
  }

  get(key: KvKey): Promise<KvMaybeEntry> {
    return this.#inTurn(() => this.#kv.get(key));
  }

  /** Every entry `list` reads (at most `limit`), read in one turn. */
  entries(selector: KvSelector, limit: number): Promise<KvListedEntry[]> {
    return this.#inTurn(async () => {
      const entries: KvListedEntry[] = [];
      for await (const entry of this.#kv.list(selector, { limit })) entries.push(entry);
      return entries;
    });
  }

  commit(operation: KvAtomicOperation): Promise<{ ok: true; versionstamp: string } | { ok: false }> {
    return this.#inTurn(() => operation.commit());
  }

  /** `request` once every request before it has been answered (or has failed). */
  #inTurn<T>(request: () => Promise<T>): Promise<T> {
    const answer = this.#last.then(request, request);
    this.#last = answer.catch(() => undefined);
    return answer;
  }
}
