// The "Edge functions" and "Fleets" snippets of the root README (read by
// harness/snippets.mjs) run as written: the
// Worker bundled as wrangler bundles it, in workerd, the Deno ones under the
// real deno with the permissions the README gives, the fleet's Worker with its
// coordinator bound, the fleet's Deno server on a denokv server, all before
// the fake upstream.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { DENOKV_TOKEN, startDenoKv } from "../harness/denokv.mjs";
import { consumerFolder } from "../harness/packed.mjs";
import { snippet } from "../harness/snippets.mjs";
import { startDeno, startWorkerd } from "./runtimes.mjs";
import { chatBody } from "./upstream.mjs";

const folder = mkdtempSync(join(consumerFolder(), "edge-snippets-"));
mkdirSync(join(folder, "src"));
writeFileSync(join(folder, "src", "worker.js"), snippet("edge-worker"));
writeFileSync(join(folder, "main.ts"), snippet("edge-deno"));
writeFileSync(join(folder, "src", "fleet-worker.js"), snippet("fleet-worker"));
writeFileSync(join(folder, "fleet-deno.ts"), snippet("fleet-deno"));

const snippets = {
  "the Worker snippet in workerd": (upstreamUrl) =>
    startWorkerd(join(folder, "src", "worker.js"), {
      compatibilityFlags: ["enable_request_signal"],
      bindings: { UPSTREAM_URL: upstreamUrl, UPSTREAM_API_KEY: "sk-test" },
    }),
  "the fleet Worker snippet in workerd, its coordinator bound as the README's wrangler.toml binds it": (upstreamUrl) =>
    startWorkerd(join(folder, "src", "fleet-worker.js"), {
      bindings: { UPSTREAM_URL: upstreamUrl, UPSTREAM_API_KEY: "sk-test" },
      durableObjects: { BREAKER_FLEET: { className: "FleetCoordinator", useSQLite: true } },
    }),
  "the fleet Deno snippet, on a denokv server": (upstreamUrl) =>
    startDeno(["run", "--allow-net", "--allow-env", "--unstable-kv", "fleet-deno.ts"], {
      cwd: folder,
      env: { UPSTREAM_URL: upstreamUrl, UPSTREAM_API_KEY: "sk-test", PORT: "0", FLEET_KV_URL: denokv.url, DENO_KV_ACCESS_TOKEN: DENOKV_TOKEN },
    }),
  "the Deno snippet": (upstreamUrl) =>
    startDeno(["run", "--allow-net", "--allow-env", "main.ts"], {
      cwd: folder,
      env: { UPSTREAM_URL: upstreamUrl, UPSTREAM_API_KEY: "sk-test", PORT: "0" },
    }),
};

let upstream;
let denokv;
before(async () => ([upstream, denokv] = await Promise.all([startFakeUpstream(), startDenoKv()])));
after(() => Promise.all([upstream.close(), denokv.close()]));

/** `probe()`'s first answer that is not undefined, asked every 50 ms for at most 5 s. */
async function waitFor(probe) {
  for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((done) => setTimeout(done, 50))) {
    const answer = await probe();
    if (answer !== undefined) return answer;
  }
  throw new Error("not within 5 s");
}

for (const [name, start] of Object.entries(snippets)) {
  describe(name, () => {
    let proxy;
    beforeEach(async () => {
      upstream.reset();
      proxy = await start(upstream.url);
    });
    afterEach(() => proxy.stop());
    const chat = (stream = false) => fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", body: chatBody({ stream }) });

    test("proxies completions, streamed and not", async () => {
      const whole = await chat();
      assert.equal(whole.status, 200);
      assert.match((await whole.json()).choices[0].message.content, /answering: hello$/);
      const streamed = await chat(true);
      assert.equal(streamed.headers.get("content-type"), "text/event-stream; charset=utf-8");
      assert.ok((await streamed.text()).endsWith("data: [DONE]\n\n"));
      assert.equal(upstream.counters.requests, 2);
    });

    test("a 503 with Retry-After opens the circuit: 503 + Retry-After from the proxy, nothing upstream", async () => {
      upstream.setFaults({ errorRate: 1, errorStatus: 503, retryAfter: 30 });
      assert.equal((await chat()).status, 503);
      upstream.setFaults({ errorRate: 0 });
      const blocked = await chat(true);
      assert.equal(blocked.status, 503);
      assert.equal(blocked.headers.get("retry-after"), "30");
      assert.equal((await blocked.json()).error.code, "circuit_open");
      assert.equal(upstream.counters.requests, 1);
      if (name.startsWith("the fleet")) {
        // The trip was reported at once; the fleet opened for the upstream's 30 s, and this isolate merged it.
        const [status] = await waitFor(async () => {
          const breakers = Object.values(await (await fetch(`${proxy.url}/status`)).json());
          return breakers[0]?.fleet?.state === "open" ? breakers : undefined;
        });
        assert.equal(status.fleet.generation, 1);
        assert.equal(status.fleet.errors, 0);
        assert.ok(status.retryAfterMs > 25_000 && status.retryAfterMs <= 30_000, `retryAfterMs ${status.retryAfterMs}`);
      }
    });
  });
}
