// Every fleet vector (../fleet-vectors) in Node through the wasm bindings: the
// coordinator and the members' fleet side as a JS host drives them, with the
// two wasm files of the packed package that hold them (the glue is the one `make wasm` generated,
// which the package's build copies). The fleet classes are not a public
// export of the package, so they are loaded by path.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { consumerFolder, hostTestsDir, repoDir } from "../harness/packed.mjs";
import { fleetVectorTests, OPTION_NAMES } from "../shared/fleet-vectors.js";

const vectorsDir = join(hostTestsDir, "fleet-vectors");
const vectors = readdirSync(vectorsDir)
  .filter((file) => file.endsWith(".json"))
  .sort()
  .map((file) => ({ file, ...JSON.parse(readFileSync(join(vectorsDir, file), "utf8")) }));

/** One of the package's wasm bindings that hold the fleet (the breakers', the coordinators'), initialised on the installed tarball's wasm. */
async function loadBinding(name) {
  const glue = await import(pathToFileURL(join(repoDir, "js", "wasm", `${name}.js`)).href);
  glue.initSync({ module: readFileSync(join(consumerFolder(), "node_modules", "edgebreaker", "dist", "wasm", `${name}_bg.wasm`)) });
  return glue;
}
const { WasmBreaker } = await loadBinding("edgebreaker");
const { WasmFleetCoordinator } = await loadBinding("edgebreaker_fleet");
const binding = { WasmBreaker, WasmFleetCoordinator };

test("the vectors' order of the options is the binding's (CoreOptionNames)", (t) => {
  const declared = readFileSync(join(repoDir, "js", "wasm", "edgebreaker.d.ts"), "utf8");
  const tuple = /CoreOptionNames = readonly \[(.*?)\];/.exec(declared)?.[1];
  t.assert.deepStrictEqual(tuple?.split(", ").map((name) => JSON.parse(name)), OPTION_NAMES);
});

test("there are fleet vectors to run", (t) => {
  t.assert.ok(vectors.length >= 12, `found ${vectors.length}`);
});

for (const { name, run } of fleetVectorTests(binding, vectors)) {
  test(`fleet vector: ${name}`, run);
}
