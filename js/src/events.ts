import type { BreakerLogger } from "./options.js";
import type { StateChange } from "./status.js";

/**
 * The "statechange" event a breaker dispatches: `event.detail` is
 * `{ name, from, to, at }`. A plain `Event` subclass (rather than
 * `CustomEvent`) so that it exists in every runtime.
 */
export class StateChangeEvent extends Event {
  readonly detail: StateChange;

  constructor(detail: StateChange) {
    super("statechange");
    this.detail = detail;
  }
}

/**
 * Tells everyone who asked about one change of state: the event's listeners,
 * then `onStateChange`, then the logger. A listener that throws is reported
 * as the platform reports event-listener errors (asynchronously), so it can
 * neither corrupt the breaker nor keep the others from hearing.
 */
export function announce(
  target: EventTarget,
  change: StateChange,
  onStateChange: ((change: StateChange) => void) | undefined,
  logger: BreakerLogger | undefined,
  stateChanges: number,
): void {
  target.dispatchEvent(new StateChangeEvent(change));
  if (onStateChange !== undefined) {
    try {
      onStateChange(change);
    } catch (error) {
      reportLater(error);
    }
  }
  if (logger !== undefined) log(logger, change, stateChanges);
}

/** Names, states, times and counts: never a call's arguments, results or errors. */
function log(logger: BreakerLogger, change: StateChange, stateChanges: number): void {
  const level = change.to === "open" ? "warn" : change.to === "closed" ? "info" : "debug";
  const write = logger[level];
  if (typeof write !== "function") return;
  const message = `circuit breaker "${change.name}" ${change.from} -> ${change.to} at ${change.at} (state change ${stateChanges})`;
  try {
    write.call(logger, message, { ...change, stateChanges });
  } catch (error) {
    reportLater(error);
  }
}

/** As the platform reports an event listener's error: `reportError` where it exists, else an uncaught exception. */
function reportLater(error: unknown): void {
  if (typeof reportError === "function") {
    reportError(error);
    return;
  }
  queueMicrotask(() => {
    throw error;
  });
}
