// Where a fleet lives in Deno KV. Every key of breaker `name` starts with
// ["edgebreaker", name]; then
//
//   "phase"                            the phase record (text); its versionstamp is the compare-and-set token
//   "window", version, bucket, kind    outcomes counted while that phase was closed, in buckets of a tenth of
//                                      windowMs by wall clock: Deno.KvU64 sums, kind "successes" or "failures"
//   "pace", bucket                     the syncing members' periodMs, summed by 100 ms of wall clock
//   "lease", version, slot             a probe lease of that phase (slot < maxLeases): its id
//   "probes", version, lease           a probe success settled in that phase, one key per lease (so
//                                      settles that race write different keys; counted by listing)
//
// `version` is the phase's versionstamp ("" while none is stored). Versionstamps
// grow, so the keys of old phases list first, which is how they are found and
// deleted (sums cannot expire: a `sum` clears a key's expiry).
import { describe } from "../describe.js";
import type { KvKey } from "./kv.js";

/** The longest breaker name, in UTF-16 code units: keys stay far below Deno KV's 2 KiB. */
export const MAX_NAME_LENGTH = 256;
/** Buckets in a window, and the pace's bucket width in ms (a second's syncs in 10 buckets). */
export const WINDOW_BUCKETS = 10;
export const PACE_BUCKET_MS = 100;

export type OutcomeKind = "successes" | "failures";

/** The key prefixes of one fleet. */
export class FleetKeys {
  readonly phase: KvKey;
  readonly window: KvKey;
  readonly pace: KvKey;
  readonly #root: readonly string[];

  constructor(name: unknown) {
    if (typeof name !== "string") throw new TypeError(`name must be a string; got ${describe(name)}`);
    if (name.length > MAX_NAME_LENGTH) throw new RangeError(`name must be at most ${MAX_NAME_LENGTH} characters; got ${name.length}`);
    this.#root = ["edgebreaker", name];
    this.phase = [...this.#root, "phase"];
    this.window = [...this.#root, "window"];
    this.pace = [...this.#root, "pace"];
  }

  windowBucket(version: string, bucket: number, kind: OutcomeKind): KvKey {
    return [...this.window, version, bucket, kind];
  }

  /** The window keys of `version` from bucket `from` (included) to `to` (excluded). */
  windowRange(version: string, from: number, to: number): { start: KvKey; end: KvKey } {
    return { start: [...this.window, version, from], end: [...this.window, version, to] };
  }

  paceBucket(bucket: number): KvKey {
    return [...this.pace, bucket];
  }

  paceRange(from: number, to: number): { start: KvKey; end: KvKey } {
    return { start: [...this.pace, from], end: [...this.pace, to] };
  }

  leases(version: string): KvKey {
    return [...this.#root, "lease", version];
  }

  lease(version: string, slot: number): KvKey {
    return [...this.#root, "lease", version, slot];
  }

  /** The prefix of a phase's probe successes. */
  probes(version: string): KvKey {
    return [...this.#root, "probes", version];
  }

  probe(version: string, lease: number): KvKey {
    return [...this.#root, "probes", version, lease];
  }
}

/** A key as a message names it. */
export function keyText(key: KvKey): string {
  return `[${key.map((part) => (typeof part === "string" ? JSON.stringify(part) : String(part))).join(", ")}]`;
}
