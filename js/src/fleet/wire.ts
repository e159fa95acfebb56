// The isolate's side of the text a coordinator answers with, before the core
// reads it: a size cap, and the envelope of a lease answer (the snapshot in it
// is the core's to validate). Pure functions; link.ts counts what they refuse.

import { describe } from "../describe.js";
import { MAX_FLEET_MESSAGE_LENGTH } from "./transport.js";

/** What a reader made of an answer: the value, or why it was refused. */
export type Read<T> = { ok: true; value: T } | { ok: false; why: string };

const refused = (why: string): { ok: false; why: string } => ({ ok: false, why });

/** An answer as text the core may read: a string of at most MAX_FLEET_MESSAGE_LENGTH characters. */
export function answerText(answer: unknown): Read<string> {
  if (typeof answer !== "string") return refused(`the answer must be a string; got ${describe(answer)}`);
  if (answer.length > MAX_FLEET_MESSAGE_LENGTH) {
    return refused(`the answer must be at most ${MAX_FLEET_MESSAGE_LENGTH} characters; got ${answer.length}`);
  }
  return { ok: true, value: answer };
}

/**
 * A lease answer `{"version":1,"lease":n|null,"snapshot":{...}}` (text that
 * passed `answerText`): the lease as the JSON the coordinator takes back
 * (null: none granted), and the snapshot as text for the core to merge.
 */
export function leaseAnswer(text: string): Read<{ lease: string | null; snapshot: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refused("the lease answer is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return refused("the lease answer is not an object");
  const { version, lease, snapshot, ...unknown } = parsed as Record<string, unknown>;
  const extra = Object.keys(unknown)[0];
  if (extra !== undefined) return refused(`${JSON.stringify(extra).slice(0, 40)} is not a key of a lease answer`);
  if (version !== 1) return refused(`version must be 1; got ${describe(version)}`);
  if (lease !== null && !(Number.isSafeInteger(lease) && (lease as number) >= 0)) {
    return refused(`lease must be null or a whole number from 0 to 2^53 - 1; got ${describe(lease)}`);
  }
  return { ok: true, value: { lease: lease === null ? null : JSON.stringify({ version: 1, lease }), snapshot: JSON.stringify(snapshot) ?? "" } };
}

/** The pacing in a snapshot the core has merged (so it is JSON with a valid `syncAfterMs`). */
export function syncAfterMs(snapshot: string): number {
  return (JSON.parse(snapshot) as { syncAfterMs: number }).syncAfterMs;
}

/**
 * `send()`'s answer, or a rejection when it throws, rejects or takes longer
 * than `timeoutMs`. After a timeout the transport's promise goes to `late`
 * (an answer may still come, and what it grants must be given back);
 * without `late` it is left to itself.
 */
export function within(timeoutMs: number, send: () => Promise<unknown>, late?: (answer: Promise<unknown>) => void): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let sent: Promise<unknown>;
    try {
      sent = Promise.resolve(send());
    } catch (error) {
      sent = Promise.reject(error);
    }
    const timer = setTimeout(() => {
      reject(new Error(`no answer within ${timeoutMs} ms`));
      late?.(sent);
    }, timeoutMs);
    sent.then(
      (answer) => {
        clearTimeout(timer);
        resolve(answer);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
