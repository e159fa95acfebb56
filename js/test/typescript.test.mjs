// The TypeScript tests (test/ts/*.ts), compiled by stage.mjs against the
// installed package's types: `using`, standard decorators, and the types.
import { test } from "node:test";
import { tests } from "./ts/typed.js";

for (const { name, run } of tests) test(`TypeScript: ${name}`, run);
