#!/usr/bin/env node
// make demo: the demo page, the Cloudflare example (js/examples/cloudflare) in
// workerd and the fake LLM upstream, all on 127.0.0.1; no key, no internet.
// The example runs as a fleet: ISOLATES (3) isolates of it sharing one
// coordinator (its FleetCoordinator Durable Object), behind a router on
// PROXY_PORT that spreads requests over them round-robin; each isolate also
// answers on a port of its own, printed.
//
//   node host-tests/edge/demo.mjs               run until Ctrl-C; prints what to open and curl
//   node host-tests/edge/demo.mjs --script      no page: drive traffic while the upstream fails
//                                               and recovers, print each step, exit
//                                               (--retry-after 4: the upstream's, in seconds)
//
//   PAGE_PORT (8080), PROXY_PORT (8787), UPSTREAM_PORT (8788) move them; 0 picks a
//   free one (the script's default). ISOLATES (3, from 1 to 8) is how many
//   isolates. PROXY_TOKEN is the proxy's client token (default: a random one, printed).
//
// It bundles the example against js/ as built by `make build` (linked, not packed), unless
// EDGEBREAKER_CONSUMER names a folder with the package installed (the tests pass the packed one).
// Whatever it made in the temporary folder is removed on every exit: Ctrl-C, an error, a taken port.

import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../../www/serve.mjs";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { repoDir } from "../harness/packed.mjs";
import { buildPage } from "../../www/build.mjs";
import { examplesDir, stage, startCloudflareFleet } from "./runtimes.mjs";
import { chatBody, sleep } from "./upstream.mjs";

const { values } = parseArgs({
  options: {
    script: { type: "boolean", default: false },
    "retry-after": { type: "string", default: "4" },
  },
});
const scripted = values.script;
const retryAfterSeconds = Number(values["retry-after"]);
const upstreamPort = portFrom("UPSTREAM_PORT", scripted ? 0 : 8788);
const proxyPort = portFrom("PROXY_PORT", scripted ? 0 : 8787);
const pagePort = portFrom("PAGE_PORT", 8080);
const isolateCount = wholeNumberFrom("ISOLATES", 3, [1, 8]);
const proxyToken = process.env.PROXY_TOKEN || randomBytes(16).toString("hex");
const authorized = { authorization: `Bearer ${proxyToken}` };

// What to stop, last started first; and the temporary folder, removed even on an uncaught error.
const running = [];
let linked;
process.on("exit", () => linked && rmSync(linked, { recursive: true, force: true }));
const stopAll = async () => {
  for (const stop of running.reverse()) await stop();
  running.length = 0;
};
// Miniflare's own exit hook may end the process first, with the same code, once it has
// stopped workerd; the "exit" handler above still removes the folder.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => stopAll().then(() => process.exit(128 + constants.signals[signal])));
}

// First the ports, then the page's build: a taken port or a missing build fails before anything starts
// (workerd would print a stack of its own for a taken port).
await explainIfTaken("UPSTREAM_PORT", upstreamPort);
await explainIfTaken("PROXY_PORT", proxyPort);
if (!scripted) {
  await explainIfTaken("PAGE_PORT", pagePort);
  await buildPage({ quiet: true });
}
if (!process.env.EDGEBREAKER_CONSUMER) {
  linked = mkdtempSync(join(tmpdir(), "edgebreaker-demo-"));
  mkdirSync(join(linked, "node_modules"));
  symlinkSync(join(repoDir, "js"), join(linked, "node_modules", "edgebreaker"), "dir");
  process.env.EDGEBREAKER_CONSUMER = linked;
}

const upstream = await startOrExplain("UPSTREAM_PORT", upstreamPort, () => startFakeUpstream({ port: upstreamPort }), "close");
const proxy = await startOrExplain(
  "PROXY_PORT",
  proxyPort,
  () =>
    startCloudflareFleet(stage(join(examplesDir, "cloudflare")), { UPSTREAM_URL: upstream.url, PROXY_TOKEN: proxyToken }, { isolates: isolateCount, port: proxyPort }),
  "stop",
);

if (scripted) {
  try {
    await runScript();
  } finally {
    await stopAll();
  }
} else {
  const page = await startOrExplain("PAGE_PORT", pagePort, () => startServer({ port: pagePort, proxyUrl: proxy.url, isolates: proxy.isolates, proxyToken }), "close");
  printWhatToTry(page.url);
}

/** The port in environment variable `name`, or `fallback`; anything but a port number ends the demo with one line. */
function portFrom(name, fallback) {
  return wholeNumberFrom(name, fallback, [0, 65535], "a port number");
}

/**
 * The whole number in environment variable `name`, or `fallback`; anything but `what` from
 * `least` to `most` ends the demo with one line saying so.
 */
function wholeNumberFrom(name, fallback, [least, most], what = "a whole number") {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const number = Number(text);
  if (Number.isInteger(number) && number >= least && number <= most) return number;
  console.error(`${name} must be ${what} from ${least} to ${most}; got ${JSON.stringify(text)}`);
  process.exit(1);
}

/** Ends the demo with one line naming the variable that moves it if `port` cannot be listened on. */
async function explainIfTaken(name, port) {
  if (port === 0) return;
  const code = await new Promise((resolve) => {
    const probe = createServer()
      .once("error", (error) => resolve(error.code))
      .listen(port, "127.0.0.1", () => probe.close(() => resolve(null)));
  });
  if (code) portTaken(name, port, code);
}

function portTaken(name, port, code) {
  const why = code === "EADDRINUSE" || code === "ERR_ADDRESS_IN_USE" ? "is taken" : `cannot be used (${code})`;
  console.error(`port ${port} on 127.0.0.1 ${why}: set ${name} to a free one, e.g. ${name}=0 make ${scripted ? "demo-script" : "demo"} (0 picks any)`);
  process.exit(1);
}

/**
 * `start()`'s server, registered to be stopped by its `stopMethod`. If it cannot start,
 * everything started so far is stopped; a port taken since the check ends the demo with
 * the same one line.
 */
async function startOrExplain(name, port, start, stopMethod) {
  try {
    const server = await start();
    running.push(() => server[stopMethod]());
    return server;
  } catch (error) {
    await stopAll();
    if (error?.code !== "EADDRINUSE" && error?.code !== "ERR_ADDRESS_IN_USE") throw error; // node · Miniflare
    portTaken(name, port, error.code);
  }
}

function printWhatToTry(pageUrl) {
  const chat = `curl -s ${proxy.url}/v1/chat/completions -H 'authorization: Bearer ${proxyToken}' -d '{"model":"fake-model","messages":[{"role":"user","content":"hi"}]`;
  const control = `curl -s ${upstream.url}/__control`;
  const width = Math.max(...proxy.isolates.map(({ name }) => name.length), "upstream".length);
  const isolates = proxy.isolates.map(({ name, url }) => `  ${name.padEnd(width)}  ${url}    its own /status: this isolate's breakers and its view of the fleet`);
  console.log(`edgebreaker demo: the page, and the Cloudflare example (js/examples/cloudflare) in workerd before a fake LLM upstream:
${proxy.isolates.length} isolates of the Worker, one breaker for all of them (the example's FleetCoordinator Durable Object).

  ${"page".padEnd(width)}  ${pageUrl}    the wasm core in your browser; its "Local edge proxy" panel shows each isolate's breakers live beside the fleet's
  ${"proxy".padEnd(width)}  ${proxy.url}    the Worker: each request goes to the next isolate (x-edgebreaker-isolate says which), with UPSTREAM_URL=${upstream.url} and PROXY_TOKEN=${proxyToken}
${isolates.join("\n")}
  ${"upstream".padEnd(width)}  ${upstream.url}    fake OpenAI chat completions; faults at /__control

Ask, streamed or not, and look at the breakers (the proxy wants its token: 401 without):
  ${chat}}'
  ${chat},"stream":true}' -N
  curl -s ${proxy.isolates[0].url}/status -H 'authorization: Bearer ${proxyToken}'

Make the upstream fail (a 503 with Retry-After opens the circuit of the isolate that got it, which tells
the fleet at once, and the fleet opens for the Retry-After; three plain 500s among the fleet's calls open it
for presets.llm's 60 s), then heal it; the fleet lets one probe at a time through for every isolate:
  ${control}/faults -d '{"errorRate":1,"errorStatus":503,"retryAfter":10}'
  ${control}/faults -d '{"errorRate":1,"errorStatus":500}'
  ${control}/faults -d '{"dropAfterChunks":0}'          # no answer at all: the fallback's templated reply
  ${control}/reset -X POST

The scripted run: make demo-script.   Ctrl-C stops.`);
}

async function runScript() {
  const started = performance.now();
  const stamp = () => `+${((performance.now() - started) / 1000).toFixed(1).padStart(4)}s`;
  const note = (text) => console.log(`${stamp()}  ${text}`);
  const tick = 1000;
  const names = proxy.isolates.map(({ name }) => name);

  /** Each isolate's status of the upstream's breaker (undefined before its first call). */
  const statuses = () =>
    Promise.all(
      proxy.isolates.map(async ({ url }) => (await (await fetch(`${url}/status`, { headers: authorized })).json())[upstream.url]),
    );
  /** The fleet as the isolate that merged the highest generation sees it. */
  const fleetOf = (breakers) =>
    breakers.map((breaker) => breaker?.fleet).reduce((best, view) => ((view?.generation ?? -1) > (best?.generation ?? -1) ? view : best), null);
  const describe = (breakers) => {
    const fleet = fleetOf(breakers);
    const seenBy = breakers.filter((breaker) => breaker?.fleet?.generation === fleet?.generation).length;
    const local = breakers.map((breaker) => (breaker?.state ?? "-").padEnd(10)).join("");
    const fleetText = fleet?.state ? `${fleet.state} gen ${fleet.generation} (${seenBy} of ${breakers.length} know)` : "not synced yet";
    return `isolates ${local}· fleet ${fleetText.padEnd(26)} · upstream saw ${upstream.counters.requests}`;
  };
  const ask = async ({ stream = false, quiet = false } = {}) => {
    const response = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: authorized, body: chatBody({ stream }) });
    const text = await response.text();
    const fromBreaker = response.status === 503 && text.includes('"circuit_open"');
    const source = fromBreaker ? "the breaker" : response.headers.get("x-fallback") ? "the fallback" : "the upstream";
    const isolate = response.headers.get("x-edgebreaker-isolate");
    const what = `${stream ? "stream " : "request"} -> ${isolate}: ${response.status} from ${source}`;
    const breakers = await statuses();
    if (!quiet) note(`${what.padEnd(44)} ${describe(breakers)}`);
    return breakers;
  };
  /** Asks once a tick until `done(breakers)`, at most `ticks` times; prints a line when the picture changes, or every 10 s. */
  const askUntil = async (done, ticks) => {
    let last = "";
    let printed = 0;
    for (let count = 0; count < ticks; count += 1) {
      const breakers = await ask({ quiet: true });
      const picture = breakers.map((breaker) => `${breaker?.state} ${breaker?.fleet?.state} ${breaker?.fleet?.generation}`).join();
      if (picture !== last || performance.now() - printed >= 10_000) {
        note(`requests -> the isolates in turn${" ".repeat(12)} ${describe(breakers)}`);
        [last, printed] = [picture, performance.now()];
      }
      if (done(breakers)) return breakers;
      await sleep(tick);
    }
    throw new Error(`the fleet did not get there in ${ticks} s: ${describe(await statuses())}`);
  };
  const every = (state) => (breakers) => breakers.every((breaker) => breaker?.state === state && breaker.fleet?.state === state);

  note(`${names.length} isolates (workerd) share one coordinator -> upstream ${upstream.url}`);
  note("presets.llm: 3 failures or a 503 with Retry-After open, 2 probe successes close; each isolate syncs once a second");
  note("the upstream is healthy: each isolate gets a request");
  for (let index = 0; index < names.length; index += 1) await ask({ stream: index === 1 });

  upstream.setFaults({ errorRate: 1, errorStatus: 503, retryAfter: retryAfterSeconds });
  note(`the upstream is overloaded: 503 with Retry-After: ${retryAfterSeconds}`);
  await ask(); // its isolate opens and reports the trip at once; the others learn it at their next sync
  const opened = await askUntil(every("open"), 15);
  note(`every isolate refuses: the fleet opened them all (generation ${fleetOf(opened).generation}), the upstream is left alone`);

  upstream.setFaults({ errorRate: 0 });
  note(`the upstream recovers; the fleet stays open for the upstream's Retry-After, ${retryAfterSeconds} s, then lets one probe at a time through for all the isolates`);
  await askUntil((breakers) => breakers.some((breaker) => breaker?.state !== "open"), 90);
  const before = upstream.counters.requests;
  const closed = await askUntil(every("closed"), 20);
  note(`closed again on every isolate: traffic flows (generation ${fleetOf(closed).generation}; the upstream saw ${upstream.counters.requests - before} of those requests)`);
}
