// The fetch lab (lab/) started in each runtime, and one call through it: the
// edge tests that drive breaker.fetch through the lab share these.

import assert from "node:assert/strict";
import { join } from "node:path";
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
