// workerd, through Miniflare, on Workers bundled as wrangler bundles them from
// the packed package. workerd forbids compiling wasm from bytes at run time,
// so these pass only if the `workerd` entry imports its wasm as a module.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { Miniflare } from "miniflare";
import { bundleWorker, workerModules } from "../harness/bundle.mjs";
import { consumerFolder } from "../harness/packed.mjs";
import { reportResults } from "../harness/report.mjs";
import { snippet } from "../harness/snippets.mjs";
import { throwingHooksProblems } from "../shared/throwing-hooks.js";
import { checkTypes } from "../harness/typescript.mjs";

const consumer = consumerFolder();
const folder = join(consumer, "workerd");
mkdirSync(folder, { recursive: true });

const running = [];
after(() => Promise.all(running.map((worker) => worker.dispose())));

/**
 * Bundles `entry` and starts it in workerd; `upstream` answers the Worker's
 * outbound fetches; `miniflare` adds to Miniflare's options.
 */
async function startWorker(name, entry, upstream = () => new Response("no upstream", { status: 599 }), miniflare = {}) {
  const outdir = join(folder, `${name}-dist`);
  const { script } = await bundleWorker(entry, outdir);
  const worker = new Miniflare({
    name,
    ...workerModules(outdir, script),
    compatibilityDate: "2025-09-01",
    outboundService: upstream,
    ...miniflare,
  });
  running.push(worker);
  await worker.ready;
  return { worker, outdir, script };
}

writeFileSync(
  join(folder, "suite-worker.js"),
  `import * as edgebreaker from "edgebreaker";
import * as lite from "edgebreaker/lite";
import { runSuite } from "../shared/suite.js";
import vectors from "../vectors.js";

export default {
  async fetch() {
    return Response.json(await runSuite(edgebreaker, lite, vectors, { fuzz: true }));
  },
};
`,
);
const suite = await startWorker("suite", join(folder, "suite-worker.js")).catch((error) => ({ error }));
reportResults(
  await Promise.resolve(suite.error ? Promise.reject(suite.error) : suite.worker.dispatchFetch("http://worker.test/"))
    .then((response) => response.json())
    .catch((error) => [{ group: "suite", name: "the suite runs in workerd", ok: false, error: error.stack }]),
);

test("the README's Worker snippet runs as written: the circuit opens after three upstream failures", async () => {
  mkdirSync(join(folder, "src"), { recursive: true });
  writeFileSync(join(folder, "src", "worker.js"), snippet("workerd"));
  let upstreamStatus = 200;
  let upstreamCalls = 0;
  const { worker } = await startWorker("snippet", join(folder, "src", "worker.js"), () => {
    upstreamCalls += 1;
    return new Response("models", { status: upstreamStatus });
  });
  const get = () => worker.dispatchFetch("http://worker.test/");

  const healthy = await get();
  assert.equal(healthy.status, 200);
  assert.equal(await healthy.text(), "models");

  upstreamStatus = 500;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const failed = await get();
    assert.equal(failed.status, 502);
    await failed.arrayBuffer();
  }
  const blocked = await get();
  assert.equal(blocked.status, 503);
  assert.equal(blocked.headers.get("Retry-After"), "60");
  await blocked.arrayBuffer();
  assert.equal(upstreamCalls, 4, "the open circuit kept the fifth request from the upstream");
});

test("the Worker bundle imports each entry's wasm as a module (edgebreaker's and edgebreaker/lite's) and inlines no wasm bytes", async () => {
  if (suite.error) throw suite.error;
  const bundle = readFileSync(join(suite.outdir, suite.script), "utf8");
  const wasmImported = [...bundle.matchAll(/^import \w+ from "\.\/([\w.-]+\.wasm)";$/gm)].map(([, file]) => file);
  assert.deepEqual(wasmImported.sort(), ["edgebreaker_bg.wasm", "edgebreaker_lite_bg.wasm"]);
  assert.doesNotMatch(bundle, /[A-Za-z0-9+/]{2000}/, "a long run of hex (or base64): the inlined bytes of another entry");
});

test("tsc resolves the types as a Workers project does (bundler resolution, workerd conditions)", async () => {
  const { code, stdout } = await checkTypes(join(folder, "types"), {
    module: "esnext",
    moduleResolution: "bundler",
    customConditions: ["workerd", "worker", "browser"],
  });
  assert.equal(code, 0, stdout);
});

test("a throwing listener, onStateChange or logger is reported with console.error, and the Worker still answers", async () => {
  writeFileSync(
    join(folder, "hooks-worker.js"),
    `import * as edgebreaker from "edgebreaker";
import { driveThrowingHooks } from "../shared/throwing-hooks.js";

export default {
  async fetch() {
    return Response.json(await driveThrowingHooks(edgebreaker));
  },
};
`,
  );
  let stderr = "";
  const { worker } = await startWorker("hooks", join(folder, "hooks-worker.js"), undefined, {
    handleRuntimeStdio(stdoutStream, stderrStream) {
      stdoutStream.resume();
      stderrStream.on("data", (chunk) => (stderr += chunk));
    },
  });
  const response = await worker.dispatchFetch("http://worker.test/");
  const stdout = await response.text();
  running.splice(running.indexOf(worker), 1);
  await worker.dispose(); // workerd's stderr is complete once it has exited
  assert.deepEqual(throwingHooksProblems({ code: response.status === 200 ? 0 : response.status, stdout, stderr }), []);
});
