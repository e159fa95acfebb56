#!/usr/bin/env node
// make demo: the Cloudflare example (js/examples/cloudflare) in workerd, in
// front of the fake LLM upstream, both on 127.0.0.1; no key, no internet.
//
//   node host-tests/edge/demo.mjs                 run until Ctrl-C; prints what to curl
//   node host-tests/edge/demo.mjs --script        drive traffic while the upstream fails and
//                                                 recovers, print each step, exit
//   options: --port 8787 --upstream-port 8788 (0: any free port) --retry-after 4 (seconds, script)
//
// It bundles the example against js/ as built by `make build` (linked, not packed), unless
// EDGEBREAKER_CONSUMER names a folder with the package installed (the tests pass the packed one).

import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { repoDir } from "../harness/packed.mjs";
import { examplesDir, stage, startCloudflareExample } from "./runtimes.mjs";
import { chatBody, sleep } from "./upstream.mjs";

const { values } = parseArgs({
  options: {
    script: { type: "boolean", default: false },
    port: { type: "string" },
    "upstream-port": { type: "string" },
    "retry-after": { type: "string", default: "4" },
  },
});
const scripted = values.script;
const retryAfterSeconds = Number(values["retry-after"]);

let linked;
if (!process.env.EDGEBREAKER_CONSUMER) {
  linked = mkdtempSync(join(tmpdir(), "edgebreaker-demo-"));
  mkdirSync(join(linked, "node_modules"));
  symlinkSync(join(repoDir, "js"), join(linked, "node_modules", "edgebreaker"), "dir");
  process.env.EDGEBREAKER_CONSUMER = linked;
}

const upstreamPort = Number(values["upstream-port"] ?? (scripted ? 0 : 8788));
const proxyPort = Number(values.port ?? (scripted ? 0 : 8787));
const upstream = await startFakeUpstream({ port: upstreamPort }).catch(portInUse(upstreamPort, "--upstream-port"));
const proxy = await startCloudflareExample(stage(join(examplesDir, "cloudflare")), { UPSTREAM_URL: upstream.url }, {
  port: proxyPort,
}).catch(async (error) => {
  await upstream.close();
  return portInUse(proxyPort, "--port")(error);
});
const stop = async () => {
  await proxy.stop();
  await upstream.close();
  if (linked) rmSync(linked, { recursive: true, force: true });
};

if (scripted) {
  try {
    await runScript();
  } finally {
    await stop();
  }
} else {
  printWhatToTry();
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => stop().then(() => process.exit(0)));
}

/** A clear word instead of a stack when a fixed port is taken. */
function portInUse(port, flag) {
  return (error) => {
    if (error?.code !== "EADDRINUSE" && error?.code !== "ERR_ADDRESS_IN_USE") throw error; // node · Miniflare
    console.error(`port ${port} on 127.0.0.1 is taken: pass ${flag} <another port>, or ${flag} 0 for any free one`);
    process.exit(1);
  };
}

function printWhatToTry() {
  const chat = `curl -s ${proxy.url}/v1/chat/completions -d '{"model":"fake-model","messages":[{"role":"user","content":"hi"}]`;
  const control = `curl -s ${upstream.url}/__control`;
  console.log(`edgebreaker demo: the Cloudflare example (js/examples/cloudflare) in workerd, before a fake LLM upstream.

  proxy     ${proxy.url}    the Worker, with UPSTREAM_URL=${upstream.url}
  upstream  ${upstream.url}    fake OpenAI chat completions; faults at /__control

Ask, streamed or not, and look at the breaker:
  ${chat}}'
  ${chat},"stream":true}' -N
  curl -s ${proxy.url}/status

Make the upstream fail (a 503 with Retry-After opens the circuit for that long;
three plain 500s open it for 60 s), then heal it:
  ${control}/faults -d '{"errorRate":1,"errorStatus":503,"retryAfter":10}'
  ${control}/faults -d '{"errorRate":1,"errorStatus":500}'
  ${control}/faults -d '{"dropAfterChunks":0}'          # no answer at all: the fallback's templated reply
  ${control}/reset -X POST

The scripted run: node host-tests/edge/demo.mjs --script.   Ctrl-C stops.`);
}

async function runScript() {
  const started = performance.now();
  const stamp = () => `+${((performance.now() - started) / 1000).toFixed(1).padStart(4)}s`;
  const note = (text) => console.log(`${stamp()}  ${text}`);
  const tick = retryAfterSeconds >= 2 ? 1000 : 400;

  const status = async () => (await (await fetch(`${proxy.url}/status`)).json())[upstream.url];
  const describe = ({ state, retryAfterMs, metrics }) =>
    `${state.padEnd(9)}${state === "open" ? ` probe in ${(retryAfterMs / 1000).toFixed(1)} s` : ""}` +
    ` · failed ${metrics.failedCalls} · blocked ${metrics.blockedCalls} · upstream saw ${upstream.counters.requests}`;
  const ask = async ({ stream = false } = {}) => {
    const response = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", body: chatBody({ stream }) });
    const text = await response.text();
    const fromBreaker = response.status === 503 && text.includes('"circuit_open"');
    const source = fromBreaker ? "the breaker" : response.headers.get("x-fallback") ? "the fallback" : "the upstream";
    const retryAfter = response.headers.get("retry-after");
    const what = `${stream ? "stream " : "request"} -> ${response.status} from ${source}${retryAfter ? `, Retry-After: ${retryAfter}` : ""}`;
    const breaker = await status();
    note(`${what.padEnd(52)} breaker ${describe(breaker)}`);
    return breaker;
  };
  const askWhileOpen = async () => {
    let breaker = await status();
    while (breaker.state === "open") {
      breaker = await ask();
      await sleep(tick);
      breaker = await status();
    }
  };

  note(`proxy ${proxy.url} (workerd) -> upstream ${upstream.url}; presets.llm: 3 failures open, 2 probe successes close`);
  note("the upstream is healthy");
  await ask();
  await ask({ stream: true });

  upstream.setFaults({ errorRate: 1, errorStatus: 503, retryAfter: retryAfterSeconds });
  note(`the upstream is overloaded: 503 with Retry-After: ${retryAfterSeconds}`);
  await ask(); // the upstream's 503 + Retry-After opens the circuit for that long
  await askWhileOpen(); // refused at once, the upstream left alone

  note(`breaker ${describe(await status())}`);
  note("the next request is a probe, and the upstream is still down");
  await ask(); // the probe fails: open again
  upstream.setFaults({ errorRate: 0 });
  note("the upstream recovers");
  await askWhileOpen();

  note(`breaker ${describe(await status())}`);
  note("probes go through, one at a time; two successes close the circuit");
  await ask();
  const final = await ask();
  note(final.state === "closed" ? "closed again: traffic flows" : `unexpected: the breaker is ${final.state}`);
  if (final.state !== "closed") process.exitCode = 1;
}
