import type { BreakerLogger } from "./options.js";
import type { StateChange } from "./status.js";
import { describeChange } from "./transition.js";

/**
 * The "statechange" event a breaker dispatches: `event.detail` is
 * `{ name, from, to, at, cause }` with the cause's figures (see
 * `StateChange`). A plain `Event` subclass (rather than
 * `CustomEvent`) so that it exists in every runtime.
 */
export class StateChangeEvent extends Event {
  readonly detail: StateChange;

  constructor(detail: StateChange) {
    super("statechange");
    this.detail = detail;
  }
}

/** A listener of "statechange" events. */
export type StateChangeListener =
  | ((event: StateChangeEvent) => void)
  | { handleEvent(event: StateChangeEvent): void };

/**
 * Tells everyone who asked about one change of state: the event's listeners,
 * then `onStateChange`, then the logger. One that throws is reported (see
 * `reportHookError`) and keeps neither the others from hearing nor the
 * breaker from going on.
 */
export function announce(
  target: EventTarget,
  change: StateChange,
  onStateChange: ((change: StateChange) => void) | undefined,
  logger: BreakerLogger | undefined,
  stateChanges: number,
): void {
  target.dispatchEvent(new StateChangeEvent(change)); // its listeners are guarded (guardListener)
  if (onStateChange !== undefined) {
    try {
      onStateChange(change);
    } catch (error) {
      reportHookError(change.name, "onStateChange", error);
    }
  }
  if (logger !== undefined) log(logger, change, stateChanges);
}

/** Names, states, times and counts: never a call's arguments, results or errors. */
function log(logger: BreakerLogger, change: StateChange, stateChanges: number): void {
  const level = change.to === "open" ? "warn" : change.to === "closed" ? "info" : "debug";
  const write = logger[level];
  if (typeof write !== "function") return;
  const message = `circuit breaker "${change.name}" ${describeChange(change)} (${change.from} -> ${change.to} at ${change.at}, state change ${stateChanges})`;
  try {
    write.call(logger, message, { ...change, stateChanges });
  } catch (error) {
    reportHookError(change.name, `logger.${level}`, error);
  }
}

/** The guard of each listener, made once, so that removing the listener finds it. */
const guards = new WeakMap<object, (this: { name: string }, event: Event) => void>();

/**
 * @internal What a breaker registers for a "statechange" listener: the
 * listener, called as the platform would call it, whose error is reported
 * rather than thrown. A throwing listener is an uncaught exception in Node
 * and Deno (the process exits) and an error report in browsers and workerd.
 */
export function guardListener(listener: StateChangeListener): (this: { name: string }, event: Event) => void {
  let guard = guards.get(listener);
  if (guard === undefined) {
    guard = function (this: { name: string }, event: Event): void {
      try {
        if (typeof listener === "function") listener.call(this, event as StateChangeEvent);
        else listener.handleEvent(event as StateChangeEvent);
      } catch (error) {
        reportHookError(this.name, 'a "statechange" listener', error);
      }
    };
    guards.set(listener, guard);
  }
  return guard;
}

/** @internal The guard registered for `listener`, if it was ever added. */
export function guardOf(listener: StateChangeListener): ((this: { name: string }, event: Event) => void) | undefined {
  return guards.get(listener);
}

/**
 * A hook that threw: reported with `console.error`, naming the breaker and
 * the hook, never thrown again. An uncaught error (`reportError`, a throw
 * from a microtask) ends a Node or Deno process: a failing log sink must not
 * take a server down at the moment its circuit opens.
 */
function reportHookError(breakerName: string, hook: string, error: unknown): void {
  try {
    console.error(`edgebreaker: circuit breaker "${breakerName}": ${hook} threw; the breaker goes on.`, error);
  } catch {
    // A console that throws as well: there is nowhere left to tell.
  }
}
