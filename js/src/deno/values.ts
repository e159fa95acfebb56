// What the fleet store reads from Deno KV, checked like user input before it
// is believed: a value of the wrong kind is an Error naming its key (the
// fleet then falls back on each member's own breaker and shows the message in
// getStatus().fleet.lastError). The phase record's text is passed on as it is:
// the core validates it.
import { describe } from "../describe.js";
import type { KvKey, KvListedEntry, KvMaybeEntry } from "./kv.js";
import { keyText, type OutcomeKind } from "./keys.js";

/** The phase as stored: its record text and versionstamp, both null when none is stored. */
export interface StoredPhase {
  readonly phase: unknown;
  readonly version: string | null;
}

/** The longest versionstamp believed (Deno KV's are 20 hex digits). */
const MAX_VERSIONSTAMP_LENGTH = 64;

function wrongValue(key: KvKey, value: unknown, expected: string): Error {
  return new Error(`Deno KV holds ${describe(value)} at ${keyText(key)}, where the fleet keeps ${expected}`);
}

/** A versionstamp as read with an entry. */
export function versionstamp(key: KvKey, stamp: unknown): string {
  if (typeof stamp === "string" && stamp.length > 0 && stamp.length <= MAX_VERSIONSTAMP_LENGTH) return stamp;
  throw new Error(`Deno KV answered ${describe(stamp)} as the versionstamp of ${keyText(key)}`);
}

/** The phase record read at the phase key, or nothing stored. A value that is not text is passed on: the coordinator refuses it, and writes over it. */
export function storedPhase(entry: KvMaybeEntry, key: KvKey): StoredPhase {
  if (entry.versionstamp === null) return { phase: null, version: null };
  return { phase: entry.value, version: versionstamp(key, entry.versionstamp) };
}

/** A sum (Deno.KvU64) as a number: at most 2^53 - 1. */
export function count(entry: KvListedEntry): number {
  const value = entry.value as { value?: unknown } | null;
  const sum = typeof value === "object" && value !== null ? value.value : undefined;
  if (typeof sum !== "bigint" || sum > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw wrongValue(entry.key, entry.value, "a count (a Deno.KvU64 of at most 2^53 - 1)");
  }
  return Number(sum);
}

/** A lease id or a probe count: a whole number from 0 to 2^53 - 1. */
export function wholeNumber(key: KvKey, value: unknown, what: string): number {
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  throw wrongValue(key, value, `${what} (a whole number from 0 to 2^53 - 1)`);
}

/** The key part at `index` of a listed key, when it is of `type`; else an Error naming the key. */
function keyPart<T>(key: KvKey, index: number, check: (part: unknown) => part is T, expected: string): T {
  const part = key[index];
  if (check(part)) return part;
  throw new Error(`Deno KV holds a key ${keyText(key)} under the fleet's keys, with ${describe(part)} where ${expected} belongs`);
}

const isString = (part: unknown): part is string => typeof part === "string";
const isBucket = (part: unknown): part is number => Number.isSafeInteger(part);
const isKind = (part: unknown): part is OutcomeKind => part === "successes" || part === "failures";

/** A listed window key `[.., "window", version, bucket, kind]` (prefix of `depth` parts) read. */
export function windowKey(key: KvKey, depth: number): { version: string; bucket: number; kind: OutcomeKind } {
  if (key.length !== depth + 3) throw new Error(`Deno KV holds a key ${keyText(key)} under the fleet's window, of ${key.length} parts`);
  return {
    version: keyPart(key, depth, isString, "a versionstamp"),
    bucket: keyPart(key, depth + 1, isBucket, "a bucket number"),
    kind: keyPart(key, depth + 2, isKind, `"successes" or "failures"`),
  };
}

/** A listed pace key `[.., "pace", bucket]` read. */
export function paceBucket(key: KvKey, depth: number): number {
  if (key.length !== depth + 1) throw new Error(`Deno KV holds a key ${keyText(key)} under the fleet's pace, of ${key.length} parts`);
  return keyPart(key, depth, isBucket, "a bucket number");
}

/** A listed lease key `[.., "lease", version, slot]` read: its slot. */
export function leaseSlot(key: KvKey, depth: number): number {
  if (key.length !== depth + 1) throw new Error(`Deno KV holds a key ${keyText(key)} under the fleet's leases, of ${key.length} parts`);
  return keyPart(key, depth, isBucket, "a slot number");
}
