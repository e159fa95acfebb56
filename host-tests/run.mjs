// `npm test` here: packs js/ once, installs the tarball into a temporary
// folder, then runs each runtime's tests against it, one runtime at a time.
// Assumes `make build` has run. `node run.mjs deno workerd` runs only those.

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { hostTestsDir, packAndInstall } from "./harness/packed.mjs";

const runtimes = ["node", "deno", "workerd", "browser"];
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !runtimes.includes(name));
if (unknown.length) {
  console.error(`unknown runtime ${unknown.join(", ")}; choose from ${runtimes.join(", ")}`);
  process.exit(2);
}

const consumer = packAndInstall();
const testFiles = (chosen.length ? chosen : runtimes).map((name) => join(hostTestsDir, name, `${name}.test.mjs`));
const run = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...testFiles], {
  stdio: "inherit",
  env: { ...process.env, EDGEBREAKER_CONSUMER: consumer },
});
rmSync(consumer, { recursive: true, force: true });
process.exit(run.status ?? 1);
