/**
 * The three states of a circuit, spelled as they appear in status, events and
 * errors. `State.CLOSED` admits every call, `State.OPEN` rejects every call,
 * `State.HALF_OPEN` lets a few probe calls through to test the upstream.
 */
export const State = Object.freeze({
  CLOSED: "closed",
  OPEN: "open",
  HALF_OPEN: "half_open",
} as const);

/** `"closed" | "open" | "half_open"`. */
export type State = (typeof State)[keyof typeof State];

/** The binding's state codes (0, 1, 2) as names. */
export const STATE_NAMES: readonly State[] = Object.freeze([State.CLOSED, State.OPEN, State.HALF_OPEN]);
