// The part of Deno KV the fleet store uses, typed by its shape alone: a
// `Deno.Kv` (from `Deno.openKv()`) fits it, and so the package's declarations
// need no Deno types to compile, and a project's `Deno.Kv` passes as it is.

/** A key of Deno KV (`Deno.KvKey`); the fleet's keys are strings and numbers. */
export type KvKey = readonly (string | number | bigint | boolean | symbol | Uint8Array)[];

/** An entry read by `get`: `versionstamp` is null when the key holds nothing. */
export interface KvMaybeEntry {
  readonly key: KvKey;
  readonly value: unknown;
  readonly versionstamp: string | null;
}

/** An entry read by `list`. */
export interface KvListedEntry {
  readonly key: KvKey;
  readonly value: unknown;
  readonly versionstamp: string;
}

/** Which keys `list` reads: every key under `prefix`, or those from `start` (included) to `end` (excluded). */
export type KvSelector = { readonly prefix: KvKey } | { readonly start: KvKey; readonly end: KvKey };

/** An atomic operation (`Deno.AtomicOperation`): its checks pass and its mutations apply together, or nothing does. */
export interface KvAtomicOperation {
  /** Fails the commit unless each key's versionstamp is still the one given (null: the key holds nothing). */
  check(...checks: { key: KvKey; versionstamp: string | null }[]): this;
  /** Adds `n` to the 64-bit unsigned integer (`Deno.KvU64`) at `key`, or stores it there when the key holds nothing. */
  sum(key: KvKey, n: bigint): this;
  /** Writes `value`; `expireIn` (ms) lets the key be deleted after that long at the earliest. */
  set(key: KvKey, value: unknown, options?: { expireIn?: number }): this;
  delete(key: KvKey): this;
  /** `{ ok: false }` when a check failed (nothing was written); throws when the write itself failed. */
  commit(): Promise<{ ok: true; versionstamp: string } | { ok: false }>;
}

/**
 * What the fleet store needs of a Deno KV database: a `Deno.Kv` from
 * `Deno.openKv()` (local, Deno Deploy's, or a self-hosted `denokv` server's
 * URL). Reads are strongly consistent (the default).
 */
export interface DenoKv {
  get(key: KvKey): Promise<KvMaybeEntry>;
  list(selector: KvSelector, options?: { limit?: number }): AsyncIterable<KvListedEntry>;
  atomic(): KvAtomicOperation;
}
