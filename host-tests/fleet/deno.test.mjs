// One breaker for four Deno processes sharing a Deno KV database served by
// denokv: the fleet scenarios every engine passes (scenarios.mjs), then what
// only this engine has: the store's atomic operations raced by the four
// processes at once, what it refuses to believe, denoKvFleet's options and
// memoisation, and the types.

import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { examplesDir, stage, startDenoExample } from "../edge/runtimes.mjs";
import { chatBody } from "../edge/upstream.mjs";
import { startDenoKv } from "../harness/denokv.mjs";
import { consumerFolder } from "../harness/packed.mjs";
import { denoBinary, runCommand } from "../harness/processes.mjs";
import engine from "./engines/deno.mjs";
import { until } from "./drive.mjs";
import { fleetScenarios } from "./scenarios.mjs";

const fleet = fleetScenarios(engine);

const LIMITS = { windowMs: 60_000, maxLeases: 3, probeTimeoutMs: 10_000 };
const record = (state, generation) =>
  JSON.stringify({ version: 1, state, generation, openForMs: 1_000, forcedOpen: false, consecutiveOpens: state === "closed" ? 0 : 1 });

let namesMade = 0;
const storeName = () => `deno-store-${++namesMade}`;

/** Member `member`'s answers to `count` concurrent `op`s of its DenoKvStore. */
const inMember = (member, op, name, args, count = 1) => fleet.members[member].post(`/store/${op}`, { name, args, count });
/** The same, in every member at once: the answers of all. */
const inEveryMember = async (op, name, args, count) =>
  (await Promise.all(fleet.members.map((_, member) => inMember(member, op, name, args, count)))).flat();
const withoutErrors = (answers) => {
  for (const answer of answers) assert.equal(answer.error, undefined);
  return answers;
};

/** A phase written from none stored; its view. */
async function phaseWritten(name, state, limits = LIMITS) {
  const [view] = withoutErrors(await inMember(0, "transition", name, [null, record(state, 1), limits]));
  assert.equal(view.phase, record(state, 1));
  return view;
}

describe("the Deno KV store's operations, raced by four processes at once", () => {
  test("4 processes × 50 concurrent lease requests in one half-open phase: exactly maxLeases granted, each id once; a settled lease frees its slot and counts once", async () => {
    const name = storeName();
    const { version } = await phaseWritten(name, "half_open");
    const answers = withoutErrors(await inEveryMember("lease", name, [version, LIMITS], 50));
    const granted = answers.map(({ lease }) => lease).filter((lease) => lease !== null);
    assert.equal(granted.length, LIMITS.maxLeases);
    assert.equal(new Set(granted).size, LIMITS.maxLeases);
    for (const lease of granted) assert.ok(Number.isSafeInteger(lease) && lease >= 0, `lease ${lease}`);

    const [settled] = withoutErrors(await inMember(2, "settle", name, [version, granted[0], true, LIMITS]));
    assert.deepEqual([settled.live, settled.probeSuccesses, settled.view.leasesLive], [true, 1, LIMITS.maxLeases - 1]);
    const [again] = withoutErrors(await inMember(3, "settle", name, [version, granted[0], true, LIMITS]));
    assert.deepEqual([again.live, again.probeSuccesses], [false, 1], "a lease settled twice counts once");
    const [unknown] = withoutErrors(await inMember(1, "settle", name, [version, 12_345, true, LIMITS]));
    assert.deepEqual([unknown.live, unknown.probeSuccesses], [false, 1], "an id never granted counts nothing");

    const more = withoutErrors(await inEveryMember("lease", name, [version, LIMITS], 20));
    assert.equal(more.filter(({ lease }) => lease !== null).length, 1, "the freed slot, and no other");
  });

  test("4 processes × 25 concurrent transitions from one version: exactly one is written, and every answer shows it", async () => {
    const name = storeName();
    const { version } = await phaseWritten(name, "closed");
    await Promise.all(fleet.members.map((member) => member.post("/kv/operations", { reset: true })));
    const texts = new Set();
    const answers = (
      await Promise.all(
        fleet.members.map((_, member) => {
          const phase = (index) => JSON.stringify({ version: 1, state: "open", generation: 2, openForMs: 1_000 + 100 * member + index });
          return Promise.all(
            Array.from({ length: 25 }, (_, index) => {
              texts.add(phase(index));
              return inMember(member, "transition", name, [version, phase(index), LIMITS]);
            }),
          );
        }),
      )
    ).flat(2);
    withoutErrors(answers);
    const phases = new Set(answers.map((view) => view.phase));
    assert.equal(phases.size, 1, "every answer was read after the one write");
    assert.ok(texts.has([...phases][0]));
    assert.equal(new Set(answers.map((view) => view.version)).size, 1);
    assert.notEqual(answers[0].version, version);
    const operations = await Promise.all(fleet.members.map((member) => member.post("/kv/operations", { reset: false })));
    const commits = operations.reduce((sum, counted) => sum + counted.commit, 0);
    const failedChecks = operations.reduce((sum, counted) => sum + counted.failedChecks, 0);
    assert.deepEqual([commits, failedChecks], [100, 99], "one commit passed its check");
  });

  test("4 processes × 50 concurrent syncs: the window holds every outcome reported, summed exactly; a phase not closed counts none", async () => {
    const name = storeName();
    withoutErrors(await inEveryMember("sync", name, [{ successes: 1, failures: 2, periodMs: 10 }, LIMITS], 50));
    const [view] = withoutErrors(await inMember(3, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, LIMITS]));
    assert.deepEqual([view.phase, view.version, view.successes, view.failures], [null, null, 200, 400]);
    assert.ok(view.syncPeriods > 0 && view.syncPeriods <= 2_000, `syncPeriods ${view.syncPeriods}`);

    const closed = await (async () => {
      const [written] = withoutErrors(await inMember(0, "transition", name, [null, record("closed", 1), LIMITS]));
      return written;
    })();
    assert.deepEqual([closed.successes, closed.failures], [0, 0], "a new phase has a window of its own");
    withoutErrors(await inEveryMember("sync", name, [{ successes: 2, failures: 1, periodMs: 0 }, LIMITS], 10));
    const [open] = withoutErrors(await inMember(1, "transition", name, [closed.version, record("open", 2), LIMITS]));
    assert.deepEqual([open.successes, open.failures], [0, 0]);
    withoutErrors(await inEveryMember("sync", name, [{ successes: 5, failures: 5, periodMs: 0 }, LIMITS], 10));
    const [after] = withoutErrors(await inMember(2, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, LIMITS]));
    assert.deepEqual([after.phase, after.successes, after.failures], [record("open", 2), 0, 0]);
  });

  test("a lease unsettled for longer than probeTimeoutMs by a process's own clock is expired there (not live, kept), while a process that first sees it later still counts it live", async () => {
    const limits = { ...LIMITS, probeTimeoutMs: 300 };
    const name = storeName();
    const { version } = await phaseWritten(name, "half_open", limits);
    const [{ lease }] = withoutErrors(await inMember(0, "lease", name, [version, limits]));
    assert.ok(lease !== null);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const [granter] = withoutErrors(await inMember(0, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, limits]));
    assert.deepEqual([granter.leasesLive, granter.leaseExpired], [0, true]);
    const [latecomer] = withoutErrors(await inMember(1, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, limits]));
    assert.deepEqual([latecomer.leasesLive, latecomer.leaseExpired], [1, false]);
    const [settled] = withoutErrors(await inMember(0, "settle", name, [version, lease, true, limits]));
    assert.deepEqual([settled.live, settled.probeSuccesses, settled.view.leaseExpired], [false, 0, true]);
    const [refused] = withoutErrors(await inMember(0, "lease", name, [version, limits]));
    assert.equal(refused.lease, null, "no lease while one has expired");
  });

  test("a phase's age is measured by each process from its first sight of the phase's versionstamp", async () => {
    const name = storeName();
    const written = await phaseWritten(name, "open");
    assert.ok(written.elapsedMs < 1_000, `the writer's clock starts at the write: ${written.elapsedMs}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [writer] = withoutErrors(await inMember(0, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, LIMITS]));
    assert.ok(writer.elapsedMs >= 300, `writer: ${writer.elapsedMs}`);
    const [first] = withoutErrors(await inMember(1, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, LIMITS]));
    assert.equal(first.elapsedMs, 0, "a process seeing the phase for the first time takes it as written now");
  });
});

describe("the Deno KV store after a hang", () => {
  test("a report still waiting to be sent when its sync timed out is not sent when the store answers again (the breaker reports it again)", async () => {
    const name = storeName();
    const report = [{ successes: 1, failures: 0, periodMs: 0 }, LIMITS];
    withoutErrors(await inMember(0, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, LIMITS]));
    await fleet.store.hang();
    // Two syncs at once: the first one's commit is sent (and waits in the frozen server), the second's waits its turn.
    const answers = fleet.members[0].post("/store/sync", { name, args: report, count: 2, timeoutMs: 300 });
    // The 300 ms start when the member receives the request: the store stays frozen long after, so a
    // member slow to receive it (a busy machine) still finds the second sync's turn past its time.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await fleet.store.resume();
    const [sent, waited] = await answers;
    assert.equal(sent.successes, 1, JSON.stringify(sent));
    assert.equal(waited.error, "Error: not sent: its turn came after the sync had timed out");
    const [view] = withoutErrors(await inMember(1, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, LIMITS]));
    assert.equal(view.successes, 1, "the report sent once, counted once");
  });
});

describe("the Deno KV store's garbage", () => {
  test("the window and pace keys of old phases and old buckets are deleted by later syncs (sums cannot expire)", async () => {
    const limits = { ...LIMITS, windowMs: 1_000 };
    const name = storeName();
    const keys = async (part) => fleet.members[0].post("/kv/keys", { prefix: ["edgebreaker", name, part] });
    const sync = (successes) => inMember(0, "sync", name, [{ successes, failures: 0, periodMs: 100 }, limits]);
    withoutErrors(await sync(1));
    const [closed] = withoutErrors(await inMember(0, "transition", name, [null, record("closed", 1), limits]));
    withoutErrors(await sync(1));
    assert.deepEqual(new Set((await keys("window")).map((key) => key[3])), new Set(["", closed.version]));
    assert.ok((await keys("pace")).length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // out of the window, and a sweep due
    withoutErrors(await sync(0)); // finds them
    withoutErrors(await sync(1)); // deletes them with its count
    const window = await keys("window");
    assert.ok(window.length >= 1 && window.every((key) => key[3] === closed.version && key[4] >= Math.floor(Date.now() / 100) - 10), JSON.stringify(window));
    assert.ok((await keys("pace")).every((key) => key[3] >= Math.floor(Date.now() / 100) - 12), JSON.stringify(await keys("pace")));
  });
});

describe("what the Deno KV store refuses", () => {
  const sync = (name, member = 0) => inMember(member, "sync", name, [{ successes: 1, failures: 0, periodMs: 1 }, LIMITS]);

  test("a value of the wrong kind read from Deno KV is an Error naming its key, and is not believed; a phase that is not text is passed on for the coordinator to refuse and write over", async () => {
    const spoilt = storeName();
    await fleet.members[0].post("/kv/set", { key: ["edgebreaker", spoilt, "phase"], value: 42 });
    const [passedOn] = await sync(spoilt);
    assert.equal(passedOn.error, undefined);
    assert.equal(passedOn.phase, 42);
    assert.match(passedOn.version, /^[0-9a-f]{20}$/);
    const cases = [
      [["window", "", Math.floor(Date.now() / 6_000), "failures"], "many", /Deno KV holds a string at \["edgebreaker", "NAME", "window", "", \d+, "failures"\], where the fleet keeps a count/],
      [["window", "", "soon", "failures"], 1, /Deno KV holds a key \["edgebreaker", "NAME", "window", "", "soon", "failures"\] under the fleet's keys, with a string where a bucket number belongs/],
    ];
    for (const [suffix, value, message] of cases) {
      const name = storeName();
      await fleet.members[0].post("/kv/set", { key: ["edgebreaker", name, ...suffix], value });
      const [answer] = await sync(name);
      assert.match(answer.error ?? "", new RegExp(`^Error: ${message.source.replaceAll("NAME", name)}`), JSON.stringify(answer));
    }
    const name = storeName();
    const { version } = await phaseWritten(name, "half_open");
    await fleet.members[0].post("/kv/set", { key: ["edgebreaker", name, "lease", version, 0], value: "mine" });
    const [leased] = await inMember(1, "lease", name, [version, LIMITS]);
    assert.match(leased.error, /holds a string at \["edgebreaker", ".*", "lease", "\w+", 0\], where the fleet keeps a lease id/);
  });

  test("bad arguments are refused naming what is wrong, and change nothing", async () => {
    const [long] = await inMember(0, "sync", "n".repeat(257), [{ successes: 1, failures: 0, periodMs: 0 }, LIMITS]);
    assert.equal(long.error, "RangeError: name must be at most 256 characters; got 257");
    const name = storeName();
    const bad = await Promise.all([
      inMember(0, "sync", name, [{ successes: -1, failures: 0, periodMs: 0 }, LIMITS]),
      inMember(0, "sync", name, [{ successes: 1, failures: 0, periodMs: 0 }, { ...LIMITS, maxLeases: 0 }]),
      inMember(0, "transition", name, [null, "x".repeat(16_385), LIMITS]),
      inMember(0, "lease", name, [5, LIMITS]),
      inMember(0, "settle", name, ["00000000000000010000", 1.5, true, LIMITS]),
    ]);
    assert.deepEqual(
      bad.map(([answer]) => answer.error),
      [
        "RangeError: report.successes must be a whole number from 0 to 2^53 - 1; got -1",
        "RangeError: limits.maxLeases must be a whole number from 1 to 4096; got 0",
        "RangeError: phase must be at most 16384 characters; got 16385",
        "TypeError: version must be a versionstamp read from the store; got 5",
        "RangeError: lease must be a whole number from 0 to 2^53 - 1; got 1.5",
      ],
    );
    const [view] = withoutErrors(await inMember(1, "sync", name, [{ successes: 0, failures: 0, periodMs: 0 }, LIMITS]));
    assert.deepEqual([view.phase, view.successes, view.failures], [null, 0, 0]);
  });
});

describe("denoKvFleet", () => {
  test("the same database and options give the same transport; its options are checked, unknown ones refused", async () => {
    assert.deepEqual(await fleet.members[0].post("/transports", {}), {
      sameAgain: true,
      otherForOtherOptions: true,
      otherForOtherKv: true,
      defaults: { syncIntervalMs: 1000, timeoutMs: 500 },
      noKv: "TypeError: kv must be a Deno KV database (await Deno.openKv()); got undefined",
      notKv: "TypeError: kv must be a Deno KV database (await Deno.openKv()): kv.atomic must be a function; got undefined",
      typo: 'TypeError: unknown option "syncIntervalMS" of denoKvFleet',
      zeroTimeout: "RangeError: timeoutMs must be a whole number of milliseconds from 1 to 2147483647; got 0",
      notAnObject: "TypeError: options must be an object; got 5",
    });
  });

  test("deno check: a Deno.Kv is what denoKvFleet takes, and anything else is a type error", async () => {
    const folder = join(consumerFolder(), "deno");
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, "kv-types.ts"),
      `import { getCircuitBreaker, type FleetTransport } from "edgebreaker";
import { denoKvFleet, type DenoKv, type DenoKvFleetOptions } from "edgebreaker/deno";

const kv: Deno.Kv = await Deno.openKv();
const options: DenoKvFleetOptions = { syncIntervalMs: 1_000, timeoutMs: 500 };
const transport: FleetTransport = denoKvFleet(kv, options);
getCircuitBreaker("llm", { fleet: transport });
const asKv: DenoKv = kv;
// @ts-expect-error: a Map is no database
denoKvFleet(new Map());
// @ts-expect-error: an unknown option
denoKvFleet(kv, { syncIntervalMS: 5 });
console.log(asKv);
`,
    );
    const { code, stdout, stderr } = await runCommand(denoBinary, ["check", "--no-lock", "--unstable-kv", "kv-types.ts"], {
      cwd: folder,
      env: { DENO_NO_UPDATE_CHECK: "1" },
    });
    assert.equal(code, 0, stderr + stdout);
  });

  test('the main entry does not import "edgebreaker/deno"', () => {
    const installed = join(consumerFolder(), "node_modules", "edgebreaker");
    const { exports } = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    assert.deepEqual(exports["./deno"], { types: "./dist/deno/index.d.ts", default: "./dist/deno.js" });
    for (const entry of ["index.js", "browser.js", "workerd.js"]) {
      assert.doesNotMatch(readFileSync(join(installed, "dist", entry), "utf8"), /DenoKvStore|denoKvFleet|deno\.js/, entry);
    }
  });
});

describe("the Deno example proxy with FLEET_KV", () => {
  test("two processes of it sharing a denokv database: the upstream failing through one opens the circuit in the other, which answers 503 without calling it", async (t) => {
    const kv = await startDenoKv();
    t.after(() => kv.close());
    const proxyToken = "proxy-token-for-the-tests";
    const folder = stage(join(examplesDir, "deno"));
    const env = { PORT: "0", UPSTREAM_URL: fleet.upstream.url, PROXY_TOKEN: proxyToken, FLEET_KV: kv.url, DENO_KV_ACCESS_TOKEN: kv.token };
    const proxies = await Promise.all([startDenoExample(folder, env), startDenoExample(folder, env)]);
    t.after(() => Promise.all(proxies.map((proxy) => proxy.stop())));
    const headers = { authorization: `Bearer ${proxyToken}` };
    const chat = async (proxy) => {
      const response = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers, body: chatBody() });
      return { status: response.status, code: (await response.json()).error?.code ?? null };
    };
    const breaker = async (proxy) => (await (await fetch(`${proxy.url}/status`, { headers })).json())[fleet.upstream.url];

    fleet.upstream.reset();
    assert.deepEqual(await chat(proxies[1]), { status: 200, code: null });
    await until("the second proxy to join the fleet", async () => (await breaker(proxies[1])).fleet?.syncs >= 1);
    fleet.upstream.setFaults({ errorRate: 1, errorStatus: 500 });
    await until("the first proxy's circuit to open", async () => (await chat(proxies[0])).code === "circuit_open");
    await until("the first proxy to know the fleet open", async () => (await breaker(proxies[0])).fleet.state === "open");
    // The second proxy's next call starts a sync (its last is older than syncIntervalMs) and goes on to the upstream meanwhile.
    await until("the second proxy's sync to be due", async () => (await breaker(proxies[1])).fleet.lastSyncAgoMs > 1_000);
    const failedThroughFirst = fleet.upstream.counters.requests - 1;
    await until("the second proxy to answer 503 circuit_open", async () => (await chat(proxies[1])).code === "circuit_open");
    const status = await breaker(proxies[1]);
    assert.equal(status.fleet.state, "open");
    assert.equal(status.metrics.failedCalls + status.metrics.successfulCalls, fleet.upstream.counters.requests - failedThroughFirst);
    assert.ok(status.metrics.failedCalls <= 1, `the second proxy sent at most the call that started its sync: ${status.metrics.failedCalls} failed`);
  });
});
