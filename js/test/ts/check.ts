// The one assertion the TypeScript tests share (they run without node:assert's types).

/** Throws `what` unless `condition` holds. */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}
