// The soak's memory control: the soak's plain traffic (no faults), REQUESTS
// (default 100,000) requests, first through a bare fetch proxy in workerd
// (control-proxy/worker.js: no breaker), then through the Cloudflare example,
// each in a workerd of its own. workerd's RSS for both, side by side: what the
// runtime takes by itself, and what the example adds.
//
//   node host-tests/bench/soak-control.mjs [requests]     (after `make build`; not part of make bench)

import { join } from "node:path";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { examplesDir, stage, startCloudflareExample, startWorkerd } from "../edge/runtimes.mjs";
import { childPids, memoryReport, sampleMemory } from "./soak-memory.mjs";
import { NOT_DELIVERED, OK, PLAIN, send } from "./soak-requests.mjs";

const requests = Number(process.argv[2] ?? 100_000);
if (!Number.isInteger(requests) || requests < 1000) {
  throw new RangeError(`requests must be a whole number ≥ 1000; got ${process.argv[2]}`);
}
const CONCURRENCY = 64; // as in soak.mjs
const TOKEN = "soak-client-token";

const upstream = await startFakeUpstream({ faults: { requestFaults: true } });
const proxies = {
  "bare fetch proxy (no breaker)": () =>
    startWorkerd(join(stage(join(import.meta.dirname, "control-proxy")), "worker.js"), {
      bindings: { UPSTREAM_URL: upstream.url },
      compatibilityFlags: ["enable_request_signal"], // as the example's wrangler.toml
    }),
  "the Cloudflare example": () =>
    startCloudflareExample(stage(join(examplesDir, "cloudflare")), { UPSTREAM_URL: upstream.url, PROXY_TOKEN: TOKEN }, { fleet: false }), // as soak.mjs
};

let failed = false;
for (const [name, start] of Object.entries(proxies)) {
  const proxy = await start();
  const proxyUrl = new URL(proxy.url);
  const workerd = childPids("workerd").at(-1); // the one just started (the previous one has exited)
  let done = 0;
  const seen = new Map();
  let left = requests;
  const memory = sampleMemory(workerd, () => done);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left > 0) {
        left -= 1;
        const result = await send(proxyUrl, TOKEN, PLAIN[left % PLAIN.length]);
        seen.set(result.seen, (seen.get(result.seen) ?? 0) + 1);
        done += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const samples = memory.stop();
  await proxy.stop();
  const outcomes = [...seen].map(([what, count]) => `${count} ${what}`).join(", ");
  console.log(`${name}: ${done} requests in ${seconds.toFixed(0)} s (${(done / seconds).toFixed(0)}/s): ${outcomes}`);
  console.log(memoryReport(samples, done, "at the end"));
  failed ||= [...seen.keys()].some((what) => what !== OK && what !== NOT_DELIVERED);
}
await upstream.close();
process.exit(failed ? 1 : 0);
