// Node side of every runtime's test: turns the results a runtime sent back
// (from suite.js) into node:test tests, one per vector, smoke test and fuzz run,
// so a failure names the vector and each runtime's count shows in the summary.

import { describe, test } from "node:test";

/** @param {{ group: string, name: string, ok: boolean, error?: string }[]} results */
export function reportResults(results) {
  const groups = new Map();
  for (const result of results) groups.set(result.group, [...(groups.get(result.group) ?? []), result]);
  for (const [group, members] of groups) {
    describe(group, () => {
      for (const result of members) {
        test(result.name, () => {
          if (!result.ok) throw new Error(result.error);
        });
      }
    });
  }
}
