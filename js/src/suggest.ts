// "did you mean": the valid name a misspelt one was most likely meant to be.

/**
 * @internal The name in `names` closest to `given` (ignoring case), or
 * undefined when none is close enough to be a slip of it: at most one edit
 * (insertion, deletion, substitution or swap of neighbours) per four
 * characters of `given`, and at least one. A unit left off costs nothing
 * ("timeout" is "timeoutMs"), since other libraries spell durations so.
 */
export function closestName(given: string, names: readonly string[]): string | undefined {
  const wanted = given.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(wanted.length / 4)) + 1;
  for (const name of names) {
    const candidate = name.toLowerCase();
    let distance = editDistance(wanted, candidate);
    if (candidate.endsWith("ms")) distance = Math.min(distance, editDistance(wanted, candidate.slice(0, -2)));
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Optimal string alignment distance: Levenshtein, plus a swap of two neighbours as one edit. */
function editDistance(a: string, b: string): number {
  // Rows i-2, i-1 and i of the classic table, over b's length.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, before[j - 2]! + 1);
      current[j] = distance;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}
