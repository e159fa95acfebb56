// The runtime-neutral fuzz (host-tests/shared/fuzz.js) in Node: a few thousand
// random operations with hostile values, then the breakers must still answer correctly.
import { test } from "node:test";
import * as edgebreaker from "edgebreaker";
import { fuzzTests } from "../shared/fuzz.js";

for (const seed of [1, 2, 3]) {
  for (const { name, run } of fuzzTests(edgebreaker, { iterations: 3000, seed })) {
    test(`seed ${seed}: ${name}`, run);
  }
}
