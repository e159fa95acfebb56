// The fetch lab (lab/) started in each runtime, and one call through it: the
// edge tests that drive breaker.fetch through the lab share these.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, beforeEach } from "node:test";
import { stage, startDeno, startWorkerd } from "./runtimes.mjs";

const labFolder = stage(join(import.meta.dirname, "lab"));

/**
 * How to start the lab in each runtime. Deno gets `permissions` (default:
 * --allow-net) and lets the lab collect garbage on request (its `collect`).
 */
export const labRuntimes = {
  workerd: () => startWorkerd(join(labFolder, "worker.js")),
  deno: (permissions = ["--allow-net"]) => startDeno(["run", ...permissions, "--v8-flags=--expose-gc", "deno.js"], { cwd: labFolder }),
};

/** What each runtime's fetch rejects with when the connection drops: workerd's is a plain Error. */
export const networkErrorName = { workerd: "Error", deno: "TypeError" };

/** One fetch through the lab at `lab` to `upstream`, through the breaker called `breaker`; `plan` as lab.js reads it. */
export async function runLab(lab, upstream, breaker, plan = {}) {
  const response = await fetch(lab.url, {
    method: "POST",
    body: JSON.stringify({ upstream: upstream.url, breaker, ...plan }),
  });
  assert.equal(response.status, 200, "the lab itself answered");
  return response.json();
}

/**
 * For the enclosing describe: the lab started in `runtime` before its tests
 * and stopped after them; before each test, the upstream (`upstream()`)
 * reset and a breaker of the test's own. `run(plan)` makes one call through
 * that breaker; `breakerName()` names it (for a call through another lab).
 */
export function labForEachTest(runtime, upstream) {
  let lab;
  let tests = 0;
  let breaker;
  before(async () => (lab = await labRuntimes[runtime]()));
  after(() => lab.stop());
  beforeEach(() => {
    upstream().reset();
    breaker = `${runtime}-${++tests}`;
  });
  return { run: (plan = {}) => runLab(lab, upstream(), breaker, plan), breakerName: () => breaker };
}
