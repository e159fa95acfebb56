// The "Edge functions" snippets of the root README (read by
// harness/snippets.mjs) run as written: the
// Worker bundled as wrangler bundles it in workerd, the Deno one under the
// real deno with the permissions the README gives, both before the fake upstream.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { consumerFolder } from "../harness/packed.mjs";
import { snippet } from "../harness/snippets.mjs";
import { startDeno, startWorkerd } from "./runtimes.mjs";
import { chatBody } from "./upstream.mjs";

const folder = mkdtempSync(join(consumerFolder(), "edge-snippets-"));
mkdirSync(join(folder, "src"));
writeFileSync(join(folder, "src", "worker.js"), snippet("edge-worker"));
writeFileSync(join(folder, "main.ts"), snippet("edge-deno"));

const snippets = {
  "the Worker snippet in workerd": (upstreamUrl) =>
    startWorkerd(join(folder, "src", "worker.js"), {
      compatibilityFlags: ["enable_request_signal"],
      bindings: { UPSTREAM_URL: upstreamUrl, UPSTREAM_API_KEY: "sk-test" },
    }),
  "the Deno snippet": (upstreamUrl) =>
    startDeno(["run", "--allow-net", "--allow-env", "main.ts"], {
      cwd: folder,
      env: { UPSTREAM_URL: upstreamUrl, UPSTREAM_API_KEY: "sk-test", PORT: "0" },
    }),
};

let upstream;
before(async () => (upstream = await startFakeUpstream()));
after(() => upstream.close());

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
    });
  });
}
