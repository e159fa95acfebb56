// The edge suite: the fake upstream's own tests, then breaker.fetch and the
// examples in workerd and Deno, then the scripted demo. Packs js/ once (as
// ../run.mjs does) and hands the folder on; assumes `make build` has run.
//
//   node host-tests/edge/run.mjs

import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { hostTestsDir, packAndInstall } from "../harness/packed.mjs";

const consumer = packAndInstall();
const files = ["fake-upstream/server.test.mjs", "edge/judgement.test.mjs", "edge/upstream-only.test.mjs", "edge/examples.test.mjs", "edge/snippets.test.mjs", "edge/demo.test.mjs"];
const run = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files.map((file) => join(hostTestsDir, file))], {
  stdio: "inherit",
  env: { ...process.env, EDGEBREAKER_CONSUMER: consumer },
});
rmSync(consumer, { recursive: true, force: true });
process.exit(run.status ?? 1);
