// The caller's signal, followed with one listener per signal, not per call. A
// proxy often hands every call the same long-lived signal (its shutdown
// signal): a listener per call would warn in Node from the 11th concurrent
// call (MaxListenersExceededWarning), and AbortSignal.any leaks in Node 20.
// Here the first call on a signal adds the one listener, the last to end
// removes it, and an abort reaches every call still following.

/** A call that stops when its caller's signal aborts. */
export interface Follower {
  callerAborted(reason: unknown): void;
}

const followers = new WeakMap<AbortSignal, Set<Follower>>();

/** `call` hears of `signal`'s abort until `unfollow`. */
export function follow(signal: AbortSignal, call: Follower): void {
  let calls = followers.get(signal);
  if (calls === undefined) {
    calls = new Set();
    followers.set(signal, calls);
    signal.addEventListener("abort", aborted);
  }
  calls.add(call);
}

/** `call` is over: it no longer follows `signal`, and the last one out removes the listener. */
export function unfollow(signal: AbortSignal, call: Follower): void {
  const calls = followers.get(signal);
  if (calls === undefined || !calls.delete(call) || calls.size > 0) return;
  followers.delete(signal);
  signal.removeEventListener("abort", aborted);
}

/** The one listener, shared by every signal: it finds its calls by the signal that fired. */
function aborted(event: Event): void {
  const signal = event.target as AbortSignal;
  const calls = followers.get(signal);
  if (calls === undefined) return;
  followers.delete(signal);
  signal.removeEventListener("abort", aborted);
  for (const call of calls) call.callerAborted(signal.reason);
}
