// The benches' order of turns: shuffled afresh for every round, so that no
// library always runs after the same one and a noisy moment hits them alike.

/** A copy of `values` in a random order (Fisher–Yates). */
export function shuffled(values) {
  const copy = [...values];
  for (let index = copy.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other], copy[index]];
  }
  return copy;
}
