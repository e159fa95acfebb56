// Node on the packed package installed in node_modules, each run in a fresh
// process: the suite through `import`, the README snippets through `import`
// and `require()`, and the types as a Node user's tsc resolves them.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { test } from "node:test";
import { consumerFolder, repoDir } from "../harness/packed.mjs";
import { resultsFrom, runCommand } from "../harness/processes.mjs";
import { reportResults } from "../harness/report.mjs";
import { snippet } from "../harness/snippets.mjs";
import { checkTypes } from "../harness/typescript.mjs";

const consumer = consumerFolder();
const folder = join(consumer, "node");
mkdirSync(folder, { recursive: true });
const node = (...args) => runCommand(process.execPath, args, { cwd: folder });

writeFileSync(
  join(folder, "suite.mjs"),
  `import * as edgebreaker from "edgebreaker";
import * as lite from "edgebreaker/lite";
import { runSuite } from "../shared/suite.js";
import vectors from "../vectors.js";
console.log(JSON.stringify(await runSuite(edgebreaker, lite, vectors)));
`,
);
reportResults(
  await resultsFrom(process.execPath, ["suite.mjs"], { cwd: folder }).catch((error) => [
    { group: "suite", name: "the suite runs in Node", ok: false, error: error.message },
  ]),
);

test("the README's Node ESM snippet runs as written", async () => {
  writeFileSync(join(folder, "main.mjs"), snippet("node-esm"));
  const { code, stdout, stderr } = await node("main.mjs");
  assert.equal(code, 0, stderr);
  assert.equal(stderr, "");
  assert.equal(stdout, "results for wasm closed\n");
});

test("the README's require() snippet runs as written, without warnings", async () => {
  writeFileSync(join(folder, "main.cjs"), snippet("node-require"));
  const { code, stdout, stderr } = await node("main.cjs");
  assert.equal(code, 0, stderr);
  assert.equal(stderr, "");
  assert.equal(stdout, "results for wasm closed\n");
});

test("tsc resolves the types as Node users do (nodenext, from an ES module)", async () => {
  const { code, stdout } = await checkTypes(join(folder, "types-nodenext"), {
    module: "nodenext",
    moduleResolution: "nodenext",
  });
  assert.equal(code, 0, stdout);
});

test("tsc resolves the types through a bundler's resolution with the node condition", async () => {
  const { code, stdout } = await checkTypes(join(folder, "types-bundler"), {
    module: "esnext",
    moduleResolution: "bundler",
    customConditions: ["node"],
  });
  assert.equal(code, 0, stdout);
});

test("the installed package.json: conditional exports in the order the README gives (workerd, deno, node, browser, default), sideEffects false", () => {
  const manifest = JSON.parse(readFileSync(join(consumer, "node_modules", "edgebreaker", "package.json"), "utf8"));
  assert.equal(manifest.sideEffects, false);
  assert.equal(manifest.type, "module");
  const conditions = Object.keys(manifest.exports["."]);
  assert.deepEqual(conditions.slice(0, 2), ["types", "workerd"], "types (TypeScript reads it first), then workerd first");
  assert.ok(conditions.indexOf("deno") < conditions.indexOf("node"), "deno before node");
  assert.ok(conditions.indexOf("browser") > conditions.indexOf("node"), "browser after node (a Node bundle may set both)");
  assert.equal(conditions.at(-1), "default");
});

test("the tarball ships both licenses, word for word the repository's", () => {
  const installed = join(consumer, "node_modules", "edgebreaker");
  for (const file of ["LICENSE-MIT", "LICENSE-APACHE"]) {
    assert.equal(readFileSync(join(installed, file), "utf8"), readFileSync(join(repoDir, file), "utf8"), file);
  }
  assert.equal(JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).license, "MIT OR Apache-2.0");
});

test("make pack prints the tarball's absolute path as its last line, for npm install <path>", async () => {
  // -o package: the package as `make build` left it, not built again here.
  const { code, stdout, stderr } = await runCommand("make", ["-s", "-o", "package", "pack"], { cwd: repoDir });
  assert.equal(code, 0, stderr);
  const tarball = stdout.trimEnd().split("\n").at(-1);
  try {
    assert.ok(isAbsolute(tarball) && tarball.endsWith(".tgz"), tarball);
    assert.ok(statSync(tarball).size > 0);
  } finally {
    rmSync(tarball, { force: true });
  }
});
