// A body nobody can read any more will never end, error or be cancelled, so
// its call would hold its permit forever: `inFlight` would only grow, and an
// unread probe would hold its half-open slot. Where the runtime has a
// FinalizationRegistry (Node, Deno, browsers; workerd from compatibility
// date 2025-05-05, or with the `enable_weak_ref` flag), a body the garbage
// collector takes releases its call, as ignored: nobody will learn how it went.

/** What a call does when its body has been collected. */
export interface Releasable {
  released(): void;
}

let registry: FinalizationRegistry<Releasable> | null | undefined;

/** Made on first use, so that importing the package does nothing. */
function unreadBodies(): FinalizationRegistry<Releasable> | null {
  if (registry === undefined) {
    registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((call) => call.released()) : null;
  }
  return registry;
}

/**
 * Releases `call` when `body` is collected, unless `forget(call)` comes
 * first. `call` must not hold `body`, or `body` could never be collected.
 */
export function releaseWhenUnreachable(body: object, call: Releasable): void {
  unreadBodies()?.register(body, call, call);
}

/** The call is over by other means (read to its end, cancelled, failed). */
export function forget(call: Releasable): void {
  registry?.unregister(call);
}
