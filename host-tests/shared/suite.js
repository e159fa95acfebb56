// Everything a runtime runs against the installed package, runtime-neutral:
// every conformance vector and the fuzz (shared with js/test) and the smoke
// tests, then the same but the fuzz on edgebreaker/lite (lite.js). Each
// runtime's entry imports both entries its own way, calls runSuite and sends
// the results back to its node:test file (stdout, a Response, a page global).

import { fuzzTests } from "./fuzz.js";
import { liteTests } from "./lite.js";
import { vectorTests } from "./vectors.js";
import { smokeTests } from "./smoke.js";

/**
 * @param {typeof import("edgebreaker")} edgebreaker the package, as the runtime imported it
 * @param {typeof import("edgebreaker/lite")} lite edgebreaker/lite, as the runtime imported it (`liteTests`)
 * @param {object[]} vectors every vector file, as { file, ...vector }
 * @param {{ fuzz?: boolean }} [options] fuzz: also run the fuzz (3 seeds of 3000 operations)
 * @returns {Promise<{ group: string, name: string, ok: boolean, error?: string }[]>}
 */
export async function runSuite(edgebreaker, lite, vectors, { fuzz = false } = {}) {
  const groups = {
    vectors: vectorTests(edgebreaker, vectors),
    smoke: smokeTests(edgebreaker),
    fuzz: fuzz ? [1, 2, 3].flatMap((seed) => seedNamed(seed, fuzzTests(edgebreaker, { iterations: 3000, seed }))) : [],
    ...liteTests(lite, edgebreaker, vectors),
  };
  const results = [];
  for (const [group, tests] of Object.entries(groups)) {
    for (const { name, run } of tests) {
      try {
        await run();
        results.push({ group, name, ok: true });
      } catch (error) {
        results.push({ group, name, ok: false, error: describe(error) });
      }
    }
  }
  return results;
}

function seedNamed(seed, tests) {
  return tests.map(({ name, run }) => ({ name: `seed ${seed}: ${name}`, run }));
}

function describe(error) {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
