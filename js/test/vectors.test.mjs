// Every conformance vector (host-tests/vectors), through the installed package.
import { test } from "node:test";
import * as edgebreaker from "edgebreaker";
import { vectorTests } from "../shared/vectors.js";
import vectors from "../vectors.js";

test("there are conformance vectors to run", (t) => {
  t.assert.ok(vectors.length >= 40, `found ${vectors.length}`);
});

for (const { name, run } of vectorTests(edgebreaker, vectors)) {
  test(`vector: ${name}`, run);
}
