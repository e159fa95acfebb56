// The fleet on Redis: the scenarios every engine passes (scenarios.mjs, run
// against engines/redis.mjs: a real redis-server and four Node processes), then
// what is Redis's own: each script's atomicity under processes racing, what
// the store reads and keeps, both client adapters, redisFleet's options, the
// types, and the entries' imports.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { sleep } from "../edge/upstream.mjs";
import { consumerFolder, hostTestsDir } from "../harness/packed.mjs";
import { resultsFrom, runCommand } from "../harness/processes.mjs";
import { startRedisServer } from "../harness/redis-server.mjs";
import redisEngine from "./engines/redis.mjs";
import { CLIENT_KINDS, connect } from "./redis/clients.mjs";
import { fleetScenarios } from "./scenarios.mjs";
import { stagedFleetFolder } from "./staged.mjs";

fleetScenarios(redisEngine);

const redisFolder = join(stagedFleetFolder(), "redis");
const entry = createRequire(join(consumerFolder(), "package.json")).resolve("edgebreaker/redis");
const { redisFleet, redisStore } = await import(pathToFileURL(entry).href);

const LIMITS = { windowMs: 10_000, maxLeases: 3, probeTimeoutMs: 60_000 };
const PROCESSES = 4;
const phaseRecord = (state, generation, more = {}) =>
  JSON.stringify({ version: 1, state, generation, openForMs: 1_000, forcedOpen: false, consecutiveOpens: 1, ...more });

let server;
/** A client of each kind in this process, by kind. */
const clients = {};
before(async () => {
  server = await startRedisServer();
  for (const kind of CLIENT_KINDS) clients[kind] = await connect(kind, server.url);
});
after(async () => {
  for (const { close } of Object.values(clients)) close();
  await server?.stop();
});

let namesMade = 0;
const freshName = () => `redis-only-${++namesMade}`;
/** Runs a raw command on the ioredis client. */
const command = (...args) => clients.ioredis.client.call(...args);

/** `count` concurrent `op`s in each of PROCESSES processes (half node-redis, half ioredis); every result. */
async function race(op, plan, count) {
  const processes = Array.from({ length: PROCESSES }, (_, index) => {
    const raced = { ...plan, op, count, kind: CLIENT_KINDS[index % 2], url: server.url, limits: LIMITS, tag: `p${index}` };
    return resultsFrom(process.execPath, [join(redisFolder, "race.mjs"), JSON.stringify(raced)], { cwd: redisFolder, env: { EDGEBREAKER_HOST_TESTS: hostTestsDir } });
  });
  return (await Promise.all(processes)).flat();
}

/** A fleet whose stored phase is `record`; its version. */
async function storedPhase(name, record) {
  const view = await redisStore(clients.ioredis.client).transition(name, null, record, LIMITS);
  assert.equal(view.phase, record);
  return view.version;
}

describe("each script is atomic: 4 processes (node-redis and ioredis) racing", () => {
  test("4 × 50 concurrent lease requests in half_open grant exactly maxLeases leases, with distinct ids", async () => {
    const name = freshName();
    const version = await storedPhase(name, phaseRecord("half_open", 3));
    const results = await race("lease", { name, version }, 50);
    assert.equal(results.length, PROCESSES * 50);
    assert.deepEqual(results.filter((result) => result.error), []);
    const granted = results.map((result) => result.lease).filter((lease) => lease !== null);
    assert.equal(granted.length, LIMITS.maxLeases);
    assert.equal(new Set(granted).size, LIMITS.maxLeases);
    const after = await redisStore(clients["node-redis"].client).sync(name, { successes: 0, failures: 0, periodMs: 1 }, LIMITS);
    assert.equal(after.leasesLive, LIMITS.maxLeases);
  });

  test("4 × 25 concurrent transitions from the same version: exactly one writes, and every caller sees the winner", async () => {
    const name = freshName();
    const version = await storedPhase(name, phaseRecord("half_open", 6));
    const seqBefore = Number(await command("GET", `edgebreaker:{${name}}:seq`));
    const results = await race("transition", { name, version }, 25);
    assert.deepEqual(results.filter((result) => result.error), []);
    assert.equal(Number(await command("GET", `edgebreaker:{${name}}:seq`)), seqBefore + 1, "one write");
    const stored = await command("HGET", `edgebreaker:{${name}}:phase`, "record");
    assert.match(JSON.parse(stored).by, /^p\d-\d+$/);
    // A caller may have answered before the winner wrote (its view: the old phase), never with another's.
    const seen = new Set(results.map((view) => view.phase));
    for (const phase of seen) assert.ok(phase === stored || JSON.parse(phase).state === "half_open", phase);
    assert.ok(seen.has(stored));
  });

  test("4 × 50 concurrent syncs each reporting 1 success and 1 failure are all counted", async () => {
    const name = freshName();
    const results = await race("sync", { name }, 50);
    assert.deepEqual(results.filter((result) => result.error), []);
    const view = await redisStore(clients.ioredis.client).sync(name, { successes: 0, failures: 0, periodMs: 1 }, LIMITS);
    assert.deepEqual([view.successes, view.failures], [PROCESSES * 50, PROCESSES * 50]);
    assert.equal(Math.max(...results.map((result) => result.successes)), PROCESSES * 50, "the last counted saw every count");
  });

  test("4 × 25 concurrent settles of one lease: exactly one finds it live, and one probe success is counted", async () => {
    const name = freshName();
    const version = await storedPhase(name, phaseRecord("half_open", 2));
    const { lease } = await redisStore(clients.ioredis.client).lease(name, version, LIMITS);
    assert.equal(typeof lease, "number");
    const results = await race("settle", { name, version, lease }, 25);
    assert.deepEqual(results.filter((result) => result.error), []);
    assert.equal(results.filter((result) => result.live).length, 1);
    assert.ok(results.every((result) => result.probeSuccesses === 0 || result.probeSuccesses === 1));
    assert.equal(results.find((result) => result.live).probeSuccesses, 1);
    assert.equal(Number(await command("GET", `edgebreaker:{${name}}:probes:${version}`)), 1);
  });
});

describe("the store", () => {
  for (const kind of CLIENT_KINDS) {
    test(`through ${kind}: counts while closed, by generation; leases only in half_open, up to maxLeases, none after one expired`, async () => {
      const store = redisStore(clients[kind].client);
      const name = freshName();
      const limits = { ...LIMITS, maxLeases: 2, probeTimeoutMs: 300 };
      const first = await store.sync(name, { successes: 2, failures: 1, periodMs: 1_000 }, limits);
      assert.deepEqual(first, { phase: null, version: null, elapsedMs: 0, successes: 2, failures: 1, syncPeriods: 1_000, leasesLive: 0, leaseExpired: false });

      const open = await store.transition(name, null, phaseRecord("open", 1), limits);
      assert.deepEqual([open.successes, open.failures], [0, 0], "generation 1's window is a new one");
      const whileOpen = await store.sync(name, { successes: 5, failures: 5, periodMs: 1_000 }, limits);
      assert.deepEqual([whileOpen.successes, whileOpen.failures], [0, 0], "nothing counted while open");
      assert.equal((await store.lease(name, open.version, limits)).lease, null, "no lease while open");
      await sleep(50);
      assert.ok((await store.sync(name, { successes: 0, failures: 0, periodMs: 1 }, limits)).elapsedMs >= 50, "elapsedMs by the server's clock");

      const stale = await store.transition(name, null, phaseRecord("closed", 9), limits);
      assert.equal(stale.version, open.version, "a compare-and-set from a version no longer stored writes nothing");

      const halfOpen = await store.transition(name, open.version, phaseRecord("half_open", 2), limits);
      assert.notEqual(halfOpen.version, open.version);
      assert.equal(halfOpen.elapsedMs, 0);
      const leases = [];
      for (let attempt = 0; attempt < 3; attempt += 1) leases.push((await store.lease(name, halfOpen.version, limits)).lease);
      assert.equal(leases[2], null, "maxLeases 2");
      assert.equal((await store.lease(name, open.version, limits)).lease, null, "not for an old version");
      const settled = await store.settle(name, halfOpen.version, leases[0], true, limits);
      assert.deepEqual([settled.live, settled.probeSuccesses, settled.view.leasesLive], [true, 1, 1]);
      const again = await store.settle(name, halfOpen.version, leases[0], true, limits);
      assert.deepEqual([again.live, again.probeSuccesses], [false, 1], "a lease settles once");

      await sleep(limits.probeTimeoutMs + 50); // leases[1] expires unsettled: a failed probe
      const expired = await store.sync(name, { successes: 0, failures: 0, periodMs: 1 }, limits);
      assert.deepEqual([expired.leasesLive, expired.leaseExpired], [0, true]);
      assert.equal((await store.lease(name, halfOpen.version, limits)).lease, null, "no lease once one expired");
      const late = await store.settle(name, halfOpen.version, leases[1], true, limits);
      assert.deepEqual([late.live, late.probeSuccesses, late.view.leaseExpired], [false, 1, true], "an expired lease is not counted, and stays expired");
    });
  }

  test("every key of a fleet expires: window and pace buckets after their span, the rest a day after the last write", async () => {
    const store = redisStore(clients.ioredis.client);
    const name = freshName();
    await store.sync(name, { successes: 1, failures: 1, periodMs: 1_000 }, LIMITS);
    const version = await storedPhase(name, phaseRecord("half_open", 1));
    const { lease } = await store.lease(name, version, LIMITS);
    await store.settle(name, version, lease, true, LIMITS);
    await store.lease(name, version, LIMITS);
    const keys = await command("KEYS", `edgebreaker:{${name}}:*`);
    const kinds = new Set(keys.map((key) => key.slice(`edgebreaker:{${name}}:`.length).split(":")[0]));
    assert.deepEqual([...kinds].sort(), ["lease-ids", "leases", "pace", "phase", "probes", "seq", "window"]);
    for (const key of keys) {
      const ttl = await command("PTTL", key);
      const kind = key.slice(`edgebreaker:{${name}}:`.length).split(":")[0];
      const most = { window: 2 * LIMITS.windowMs, pace: 2_000 }[kind] ?? 86_400_000;
      assert.ok(ttl > 0 && ttl <= most, `${key}: PTTL ${ttl}`);
    }
  });

  test("a phase that cannot be read comes as what is wrong with it, naming the key, and a transition from its version replaces it; the record text is passed through", async () => {
    const store = redisStore(clients["node-redis"].client);
    const name = freshName();
    const key = `edgebreaker:{${name}}:phase`;
    const sync = () => store.sync(name, { successes: 0, failures: 0, periodMs: 1 }, LIMITS);
    const version = await storedPhase(name, phaseRecord("closed", 4));
    await command("HSET", key, "record", "not json at all");
    assert.equal((await sync()).phase, "not json at all");
    await command("HSET", key, "since", "yesterday");
    const badSince = await sync();
    assert.ok(badSince.phase instanceof Error);
    assert.match(badSince.phase.message, new RegExp(`edgebreaker:\\{${name}\\}:phase since holds "yesterday", not a whole number`));
    assert.equal(badSince.version, version, "its version stays, for the transition that replaces it");
    await command("HSET", key, "since", "1", "generation", "-3");
    const badGeneration = await store.lease(name, version, LIMITS);
    assert.equal(badGeneration.lease, null, "no lease from a phase that cannot be read");
    assert.match(badGeneration.view.phase.message, /:phase generation holds "-3"/);
    assert.equal((await store.transition(name, version, phaseRecord("open", 5), LIMITS)).phase, phaseRecord("open", 5), "replaced whole");
    await command("DEL", key);
    await command("SET", key, "a string, not a hash");
    const wrongType = await store.sync(name, { successes: 1, failures: 0, periodMs: 1 }, LIMITS);
    assert.match(wrongType.phase.message, new RegExp(`edgebreaker:\\{${name}\\}:phase: WRONGTYPE`));
    assert.equal(wrongType.version, null);
    // A transition from none replaces a key of another type.
    assert.equal((await store.transition(name, null, phaseRecord("open", 6), LIMITS)).phase, phaseRecord("open", 6));
  });

  test("a server that has forgotten the scripts (SCRIPT FLUSH, a restart) gets them again with EVAL, then EVALSHA", async () => {
    for (const kind of CLIENT_KINDS) {
      const store = redisStore(clients[kind].client);
      const name = freshName();
      await command("SCRIPT", "FLUSH");
      await command("CONFIG", "RESETSTAT");
      await store.sync(name, { successes: 1, failures: 0, periodMs: 1 }, LIMITS);
      await store.sync(name, { successes: 1, failures: 0, periodMs: 1 }, LIMITS);
      const stats = await commandCounts();
      assert.deepEqual([stats.evalsha, stats.eval], [2, 1], `${kind}: a NOSCRIPT, one EVAL, then EVALSHA`);
    }
  });

  test("names: at most 256 characters; the store refuses what it cannot have been given, changing nothing", async () => {
    const store = redisStore(clients.ioredis.client);
    await assert.rejects(store.sync("x".repeat(257), { successes: 0, failures: 0, periodMs: 1 }, LIMITS), {
      name: "RangeError",
      message: "name must be 1 to 256 characters for a Redis fleet; got 257",
    });
    assert.ok(await store.sync("x".repeat(256), { successes: 0, failures: 0, periodMs: 1 }, LIMITS));
    await assert.rejects(store.sync("n", { successes: -1, failures: 0, periodMs: 1 }, LIMITS), /successes must be a whole number >= 0; got -1/);
    await assert.rejects(store.sync("n", { successes: 0, failures: 0, periodMs: 1 }, { ...LIMITS, windowMs: 0 }), /limits.windowMs must be at least 1/);
    await assert.rejects(store.transition("n", null, "{}", LIMITS), /phase must be a phase record's JSON text/);
    await assert.rejects(store.lease("n", null, LIMITS), /version must be a string; got null/);
    assert.equal((await store.lease("n", "", LIMITS)).lease, null, "no phase stored: no lease");
    assert.deepEqual(await command("KEYS", "edgebreaker:{n}:*"), []);
  });
});

/** INFO commandstats as { command: calls }. */
async function commandCounts() {
  const info = await command("INFO", "commandstats");
  return Object.fromEntries([...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map(([, name, calls]) => [name, Number(calls)]));
}

describe("redisFleet", () => {
  test("takes node-redis and ioredis clients, and names what is wrong with anything else", () => {
    const expected = (got) => `client must be a node-redis (v4 or later) or ioredis client: an object with sendCommand(args) or call(command, ...args); got ${got}`;
    for (const kind of CLIENT_KINDS) assert.equal(typeof redisFleet(clients[kind].client).sync, "function", kind);
    for (const [client, got] of [[undefined, "undefined"], [null, "null"], ["redis://127.0.0.1", "a string"], [{ get() {} }, "an object with neither method"], [{ call: 1 }, "an object with neither method"], [() => {}, "a function"]]) {
      assert.throws(() => redisFleet(client), { name: "TypeError", message: expected(got) });
    }
  });

  test("the same client and options give the same transport (so protectFetch may be made in every request); options are checked", () => {
    const { client } = clients.ioredis;
    assert.equal(redisFleet(client), redisFleet(client, { syncIntervalMs: 1000, timeoutMs: 500 }));
    assert.notEqual(redisFleet(client), redisFleet(client, { timeoutMs: 400 }));
    assert.notEqual(redisFleet(client), redisFleet(clients["node-redis"].client));
    const { syncIntervalMs, timeoutMs } = redisFleet(client);
    assert.deepEqual({ syncIntervalMs, timeoutMs }, { syncIntervalMs: 1000, timeoutMs: 500 });
    assert.throws(() => redisFleet(client, { syncIntervalMS: 5 }), { name: "TypeError", message: 'unknown option "syncIntervalMS" of redisFleet' });
    assert.throws(() => redisFleet(client, { timeoutMs: 0 }), { name: "RangeError", message: "timeoutMs must be a whole number of milliseconds from 1 to 2147483647; got 0" });
    assert.throws(() => redisFleet(client, "fast"), { name: "TypeError", message: "options must be an object; got a string" });
  });

  test("a Node project type-checks against the published types with both clients' own types (tsc, nodenext)", async () => {
    const compilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: "es2022",
      lib: ["es2022", "dom"],
      module: "nodenext",
      moduleResolution: "nodenext",
      types: [],
      // The clients' declarations from host-tests' node_modules (the project's own, in an application).
      paths: { redis: [join(hostTestsDir, "node_modules", "redis", "dist", "index.d.ts")], ioredis: [join(hostTestsDir, "node_modules", "ioredis", "built", "index.d.ts")] },
    };
    writeFileSync(join(redisFolder, "package.json"), JSON.stringify({ type: "module" }));
    writeFileSync(join(redisFolder, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["typed-node.ts"] }));
    const { code, stdout } = await runCommand(join(hostTestsDir, "node_modules", ".bin", "tsc"), ["-p", join(redisFolder, "tsconfig.json")], { cwd: redisFolder });
    assert.equal(code, 0, stdout);
  });

  test("edgebreaker/redis imports no Redis client, and the main entries do not import it", () => {
    const dist = join(consumerFolder(), "node_modules", "edgebreaker", "dist");
    const redis = readFileSync(join(dist, "redis.js"), "utf8");
    assert.doesNotMatch(redis, /from\s*"(redis|ioredis|node:[^"]*)"/);
    for (const main of ["index.js", "browser.js", "workerd.js"]) assert.doesNotMatch(readFileSync(join(dist, main), "utf8"), /EVALSHA|edgebreaker:\{/, main);
  });
});
