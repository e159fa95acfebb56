// make demo as a newcomer meets it: the page, the proxy (three isolates of the
// Cloudflare example sharing one fleet coordinator) behind its token and the
// upstream answer, each isolate's /status has its view of the fleet, the
// page's server gathers them all and its proxy panel (in Chromium) lists each
// isolate's breaker beside the fleet's; Ctrl-C, or a taken port (one line naming
// the variable that moves it), leaves no process, port or temporary folder
// behind. And the scripted demo (demo.mjs --script) runs to its end and shows
// the story it promises, in order: closed, one isolate opened by the
// upstream's Retry-After, the fleet opening every isolate with the upstream
// left alone, then the fleet's probes closing every isolate.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { launchChromium } from "../harness/chromium.mjs";
import { consumerFolder } from "../harness/packed.mjs";

const demo = join(import.meta.dirname, "demo.mjs");

/**
 * The environment of a `make demo` on free ports, with a temporary folder of its own (TMPDIR) to
 * look into afterwards. Without EDGEBREAKER_CONSUMER, as make runs it: the example is linked to js/.
 */
function demoEnvironment(ports = {}) {
  const { EDGEBREAKER_CONSUMER, PROXY_TOKEN, ...inherited } = process.env;
  const temporary = mkdtempSync(join(tmpdir(), "edgebreaker-demo-test-"));
  const env = { ...inherited, TMPDIR: temporary, PAGE_PORT: "0", PROXY_PORT: "0", UPSTREAM_PORT: "0", ...ports };
  return { env, temporary };
}

test("make demo serves the page, the proxy behind its token, and the upstream; Ctrl-C stops them all and leaves nothing behind", { timeout: 90_000 }, async () => {
  const { env, temporary } = demoEnvironment();
  const child = spawn(process.execPath, [demo], { env, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  try {
    let stdout = "";
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    await new Promise((resolve, reject) => {
      child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk) && stdout.includes("Ctrl-C stops") && resolve());
      exited.then(() => reject(new Error(`the demo exited before it was ready:\n${stderr}${stdout}`)));
    });
    const url = (name) => new RegExp(`^  ${name} +(http://127\\.0\\.0\\.1:\\d+)`, "m").exec(stdout)?.[1];
    const [page, proxy, upstream] = [url("page"), url("proxy"), url("upstream")];
    const isolates = [1, 2, 3].map((number) => url(`isolate-${number}`));
    const token = /PROXY_TOKEN=(\S+)/.exec(stdout)?.[1];
    assert.ok(page && proxy && upstream && token && isolates.every(Boolean), stdout);
    assert.equal(url("isolate-4"), undefined, "three isolates unless ISOLATES says otherwise");
    assert.match(stdout, new RegExp(`-H 'authorization: Bearer ${token}'`), "the curl lines carry the token");

    assert.equal((await fetch(page)).status, 200);
    assert.equal((await fetch(`${proxy}/status`)).status, 401, "the proxy wants its token");
    const chat = await fetch(`${proxy}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "hi" }] }),
    });
    assert.match((await chat.json()).choices[0].message.content, /answering: hi/);
    const answeredBy = [chat.headers.get("x-edgebreaker-isolate")];
    for (let more = 0; more < 2; more += 1) {
      const another = await fetch(`${proxy}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: '{"model":"m","messages":[]}' });
      await another.arrayBuffer();
      answeredBy.push(another.headers.get("x-edgebreaker-isolate"));
    }
    assert.deepEqual(answeredBy.toSorted(), ["isolate-1", "isolate-2", "isolate-3"], "the router spreads requests over the isolates in turn");

    // Each isolate answers its own /status: its breaker, and its view of the one fleet.
    for (const isolate of isolates) {
      assert.equal((await fetch(`${isolate}/status`)).status, 401, "each isolate wants the token");
      const { [upstream]: breaker } = await (await fetch(`${isolate}/status`, { headers: { authorization: `Bearer ${token}` } })).json();
      assert.equal(breaker.metrics.totalCalls, 1, "the router spread the three requests over the three isolates");
      assert.equal(breaker.fleet.state, "closed", `${isolate} synced with the coordinator`);
      assert.equal(breaker.fleet.generation, 0);
      assert.equal(breaker.fleet.errors, 0);
    }
    const forwarded = await fetch(`${page}/proxy/status`); // the page's panel reads the isolates through its server
    assert.equal(forwarded.status, 200, "the page server sends the isolates the token");
    const gathered = (await forwarded.json()).isolates;
    assert.deepEqual(gathered.map(({ name, url }) => [name, url]), isolates.map((url, index) => [`isolate-${index + 1}`, url]));
    for (const { breakers } of gathered) assert.equal(breakers[upstream].fleet.state, "closed");

    // The page's proxy panel, in Chromium, lists each isolate's breaker beside its view of the fleet.
    const { context, close } = await launchChromium();
    try {
      const tab = await context.newPage();
      await tab.goto(page);
      const breaker = `#proxy-breakers[data-view="fleet"] li[data-name="${upstream}"][data-state="closed"][data-generation="0"]`;
      await tab.waitForSelector(`${breaker} tr[data-isolate="isolate-3"]`, { timeout: 10_000 });
      assert.equal(await tab.textContent(`${breaker} .proxy-breaker-facts`), "generation 0 · 3 of 3 isolates have it");
      const rows = await tab.$$eval(`${breaker} tbody tr`, (rows) => rows.map((row) => [row.dataset.isolate, row.dataset.state, row.dataset.fleetState]));
      assert.deepEqual(rows, [1, 2, 3].map((number) => [`isolate-${number}`, "closed", "closed"]));
      // Its request to try is the proxy's own chat route, the token left as $PROXY_TOKEN (printed above); sent, it is answered.
      const command = await tab.textContent("#proxy-curl");
      const prefix = `curl -s ${proxy}/v1/chat/completions -H "authorization: Bearer $PROXY_TOKEN" -d '`;
      assert.ok(command.startsWith(prefix) && command.endsWith("'"), command);
      const offered = await fetch(`${proxy}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: command.slice(prefix.length, -1) });
      assert.match((await offered.json()).choices[0].message.content, /answering: hi/);
    } finally {
      await close();
    }

    child.kill("SIGINT");
    const { code } = await exited;
    assert.equal(code, 130, stderr); // 128 + SIGINT
    assert.deepEqual(readdirSync(temporary), [], "its temporary folders are gone");
    for (const origin of [page, proxy, upstream, ...isolates]) {
      await assert.rejects(fetch(origin), `nothing listens at ${origin} any more`);
    }
    assert.doesNotMatch(stderr, /error|uncaught|warn/i, "nothing went wrong on the way");
  } finally {
    child.kill("SIGKILL");
    rmSync(temporary, { recursive: true, force: true });
  }
});

test("make demo needs only the npm package: no Chromium, no apt, no component", async () => {
  const { code, stdout, stderr } = await new Promise((resolve) =>
    execFile("make", ["-n", "demo"], { cwd: join(import.meta.dirname, "..", "..") }, (error, stdout, stderr) =>
      resolve({ code: error ? error.code : 0, stdout, stderr }),
    ),
  );
  assert.equal(code, 0, stderr);
  // The package's setup (the wasm target, wasm-bindgen) and none of the others: no component, lint or browser.
  assert.match(stdout, /rustup target add wasm32-unknown-unknown\n/, stdout);
  assert.match(stdout, /cargo install wasm-bindgen-cli /, stdout);
  assert.doesNotMatch(stdout, /wasip2|edgebreaker-component|clippy|apt-get|chromium/i);
});

for (const name of ["UPSTREAM_PORT", "PROXY_PORT", "PAGE_PORT"]) {
  test(`a taken ${name} ends make demo with one line naming it, and leaves nothing behind`, async () => {
    const holder = createServer();
    await new Promise((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = holder.address().port;
    const { env, temporary } = demoEnvironment({ [name]: String(port) });
    try {
      const { code, stdout, stderr } = await new Promise((resolve) =>
        execFile(process.execPath, [demo], { env, timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? error.code : 0, stdout, stderr }),
        ),
      );
      assert.equal(code, 1);
      assert.equal(stdout, "");
      assert.equal(stderr, `port ${port} on 127.0.0.1 is taken: set ${name} to a free one, e.g. ${name}=0 make demo (0 picks any)\n`);
      assert.deepEqual(readdirSync(temporary), []);
    } finally {
      holder.close();
      rmSync(temporary, { recursive: true, force: true });
    }
  });
}

test("ISOLATES other than a whole number from 1 to 8 ends make demo with one line, before anything starts", async () => {
  for (const isolates of ["0", "9", "two", "1.5"]) {
    const { env, temporary } = demoEnvironment({ ISOLATES: isolates });
    try {
      const { code, stdout, stderr } = await new Promise((resolve) =>
        execFile(process.execPath, [demo], { env, timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr })),
      );
      assert.equal(code, 1);
      assert.equal(stdout, "");
      assert.equal(stderr, `ISOLATES must be a whole number from 1 to 8; got ${JSON.stringify(isolates)}\n`);
      assert.deepEqual(readdirSync(temporary), []);
    } finally {
      rmSync(temporary, { recursive: true, force: true });
    }
  }
});

test("the scripted demo opens every isolate through the fleet, leaves the upstream alone, probes and closes them all", { timeout: 150_000 }, async () => {
  const consumer = consumerFolder(); // the packed package, as every edge test uses
  const { code, stdout, stderr } = await new Promise((resolve) =>
    execFile(
      process.execPath,
      [demo, "--script", "--retry-after", "5"],
      { env: { ...process.env, EDGEBREAKER_CONSUMER: consumer }, timeout: 140_000 }, // the fleet stays open for the Retry-After
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
    ),
  );
  assert.equal(code, 0, stderr + stdout);
  const lines = stdout.split("\n");
  const story = [
    /request -> isolate-1: 200 from the upstream +isolates closed +- +- +· fleet closed gen 0 \(1 of 3 know\)/,
    /request -> isolate-3: 200 from the upstream +isolates closed +closed +closed +· fleet closed gen 0 \(3 of 3 know\) · upstream saw 3$/,
    /request -> isolate-1: 503 from the upstream +isolates open +closed +closed /,
    /isolates open +open +open +· fleet open gen 1 \(3 of 3 know\)/,
    /every isolate refuses: the fleet opened them all \(generation 1\)/,
    /the upstream recovers/,
    /half_open/,
    /isolates closed +closed +closed +· fleet closed gen 3 \(3 of 3 know\)/,
    /closed again on every isolate: traffic flows \(generation 3; the upstream saw [1-9]\d* of those requests\)/,
  ];
  let from = 0;
  for (const step of story) {
    const at = lines.findIndex((line, index) => index >= from && step.test(line));
    assert.ok(at >= 0, `no line after line ${from} matches ${step}:\n${stdout}`);
    from = at + 1;
  }
  // From the moment every isolate refuses until the first probe, nothing reaches the upstream.
  const refusing = lines.findIndex((line) => line.includes("every isolate refuses"));
  const probing = lines.findIndex((line) => line.includes("half_open"));
  const seen = new Set(lines.slice(refusing - 1, probing).flatMap((line) => /upstream saw (\d+)$/.exec(line)?.[1] ?? []));
  assert.equal(seen.size, 1, `the upstream saw requests while the fleet was open:\n${stdout}`);
});
