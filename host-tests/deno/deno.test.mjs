// Deno 2 (the real binary from npm `deno`) on the packed package installed in
// node_modules. Every command runs with no permissions and --no-prompt: if the
// package needed --allow-read (or anything else) the run would fail.

import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { consumerFolder } from "../harness/packed.mjs";
import { denoBinary, resultsFrom, runCommand } from "../harness/processes.mjs";
import { reportResults } from "../harness/report.mjs";
import { snippet } from "../harness/snippets.mjs";
import { throwingHooksProblems, throwingHooksProgram } from "../shared/throwing-hooks.js";
import { consumerSource } from "../harness/typescript.mjs";

const consumer = consumerFolder();
const folder = join(consumer, "deno");
mkdirSync(folder, { recursive: true });
const deno = (...args) => runCommand(denoBinary, args, { cwd: folder, env: { DENO_NO_UPDATE_CHECK: "1" } });

writeFileSync(join(folder, "main.ts"), snippet("deno"));
writeFileSync(join(folder, "types.ts"), consumerSource);
writeFileSync(
  join(folder, "suite.js"),
  `import * as edgebreaker from "edgebreaker";
import * as lite from "edgebreaker/lite";
import { runSuite } from "../shared/suite.js";
import vectors from "../vectors.js";
console.log(JSON.stringify(await runSuite(edgebreaker, lite, vectors)));
`,
);
reportResults(
  await resultsFrom(denoBinary, ["run", "--no-prompt", "--no-lock", "suite.js"], {
    cwd: folder,
    env: { DENO_NO_UPDATE_CHECK: "1" },
  }).catch((error) => [{ group: "suite", name: "the suite runs in Deno", ok: false, error: error.message }]),
);

test("the README's Deno snippet runs as written, with no permissions", async () => {
  const { code, stdout, stderr } = await deno("run", "--no-prompt", "--no-lock", "main.ts");
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "results for wasm closed\n");
});

test("npm:edgebreaker resolves to the same installed package", async () => {
  writeFileSync(
    join(folder, "npm-specifier.ts"),
    `import { CircuitBreaker } from "npm:edgebreaker";\nconsole.log(new CircuitBreaker().state);\n`,
  );
  const { code, stdout, stderr } = await deno("run", "--no-prompt", "--no-lock", "npm-specifier.ts");
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "closed\n");
});

test("deno check: the package's types resolve and are used, in a consumer file and in the snippet", async () => {
  const { code, stdout, stderr } = await deno("check", "--no-lock", "types.ts", "main.ts");
  assert.equal(code, 0, stderr + stdout);
});

test("a throwing listener, onStateChange or logger is reported with console.error, and Deno does not exit 1", async () => {
  // Beside node_modules/ and shared/, as the program imports them.
  writeFileSync(join(consumer, "throwing-hooks.js"), throwingHooksProgram);
  const run = await deno("run", "--no-prompt", "--no-lock", "../throwing-hooks.js");
  assert.deepEqual(throwingHooksProblems(run), []);
});
