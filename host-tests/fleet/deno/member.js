// One member of the Deno fleet under test: a Deno process serving
// ../member.mjs's routes on 127.0.0.1, its breakers' fleet on Deno KV
// (denoKvFleet over the denokv server at KV_URL), and the routes only this
// engine has:
//
//   /kv/tamper      { breaker, tamper: kind }   the stored phase record spoilt as `kind` says (engines/README.md)
//   /kv/set         { key, value }              writes a value (JSON) at a key, past the store
//   /kv/keys        { prefix }                  the keys under a prefix
//   /kv/operations  { reset }                   Deno KV operations this process has sent (get, list, commit), by kind
//   /store/<op>     { name, args, count, timeoutMs }  `count` concurrent DenoKvStore.<op>(name, ...args); their answers
//   /store/repeat   { name, args, forMs, loops }  `loops` loops of back-to-back syncs for forMs: the syncs answered
//   /transports     denoKvFleet asked again, and asked wrongly: what it gave and threw
//   /overhead       { calls, rounds, fleet }      ns per call: `await fn()`, `breaker.call(fn)`, and the same on
//                                                 denoKvFleet (closed, synced), in interleaved rounds (the bench's)
import { CircuitBreaker } from "edgebreaker";
import { denoKvFleet, DenoKvStore } from "edgebreaker/deno";
import { handleMemberRequest, thrown } from "../member.mjs";
import { spoiltRecord } from "../tampering.mjs";

const operations = { get: 0, list: 0, commit: 0, failedChecks: 0 };
const kv = countingKv(await Deno.openKv(Deno.env.get("KV_URL")));
const store = new DenoKvStore(kv);

Deno.serve({ hostname: "127.0.0.1", port: 0 }, async (request) => {
  const route = new URL(request.url).pathname;
  if (route === "/kv/tamper") return Response.json(await tamper(await request.json()));
  if (route === "/kv/set") {
    const { key, value } = await request.json();
    return Response.json(await kv.set(key, value));
  }
  if (route === "/kv/keys") {
    const keys = [];
    for await (const { key } of kv.list({ prefix: (await request.json()).prefix })) keys.push(key);
    return Response.json(keys);
  }
  if (route === "/kv/operations") {
    const counted = { ...operations };
    if ((await request.json()).reset) for (const kind of Object.keys(operations)) operations[kind] = 0;
    return Response.json(counted);
  }
  if (route === "/store/repeat") return Response.json(await repeatSyncs(await request.json()));
  if (route === "/overhead") return Response.json(await overhead(await request.json()));
  if (route.startsWith("/store/")) return Response.json(await storeOperations(route.slice("/store/".length), await request.json()));
  if (route === "/transports") return Response.json(transports());
  return handleMemberRequest(request, { fleetFor: (plan) => denoKvFleet(kv, plan.fleet) });
});

/** `kv` with every operation it is asked for counted. */
function countingKv(kv) {
  return {
    set: (...args) => kv.set(...args),
    get: (...args) => (operations.get += 1, kv.get(...args)),
    list: (...args) => (operations.list += 1, kv.list(...args)),
    atomic() {
      const operation = kv.atomic();
      const commit = operation.commit.bind(operation);
      operation.commit = async () => {
        operations.commit += 1;
        const result = await commit();
        if (!result.ok) operations.failedChecks += 1;
        return result;
      };
      return operation;
    },
  };
}

/** The breaker's stored phase record, spoilt. */
async function tamper({ breaker, tamper: kind }) {
  const key = ["edgebreaker", breaker, "phase"];
  const { value } = await kv.get(key);
  await kv.set(key, spoiltRecord(value, kind));
  return { tamper: kind };
}

/** `count` concurrent store operations; each answer, or the message it threw. */
async function storeOperations(op, { name, args, count = 1, timeoutMs }) {
  if (!["sync", "transition", "lease", "settle"].includes(op)) throw new Error(`no store operation ${op}`);
  // A sync's `timeoutMs`: how long its report may wait to be sent (denoKvFleet passes its own).
  const more = op === "sync" && timeoutMs !== undefined ? [performance.now() + timeoutMs] : [];
  const one = () => store[op](name, ...args, ...more).catch((error) => ({ error: `${error.name}: ${error.message}` }));
  return Promise.all(Array.from({ length: count }, one));
}

/** denoKvFleet as a program calls it: again with the same options, with others, and wrongly. */
function transports() {
  return {
    sameAgain: denoKvFleet(kv) === denoKvFleet(kv, { syncIntervalMs: 1000, timeoutMs: 500 }),
    otherForOtherOptions: denoKvFleet(kv) !== denoKvFleet(kv, { timeoutMs: 400 }),
    otherForOtherKv: denoKvFleet(kv) !== denoKvFleet(countingKv(kv)),
    defaults: (({ syncIntervalMs, timeoutMs }) => ({ syncIntervalMs, timeoutMs }))(denoKvFleet(kv)),
    noKv: thrown(() => denoKvFleet(undefined)),
    notKv: thrown(() => denoKvFleet({ get() {}, list() {} })),
    typo: thrown(() => denoKvFleet(kv, { syncIntervalMS: 5 })),
    zeroTimeout: thrown(() => denoKvFleet(kv, { timeoutMs: 0 })),
    notAnObject: thrown(() => denoKvFleet(kv, 5)),
  };
}

/** Syncs back to back in `loops` loops for `forMs`. */
async function repeatSyncs({ name, args, forMs, loops }) {
  const startedAt = Date.now();
  let syncs = 0;
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (Date.now() - startedAt < forMs) {
        await store.sync(name, ...args);
        syncs += 1;
      }
    }),
  );
  return { syncs, startedAt, endedAt: Date.now() };
}

/** Nanoseconds per call of each contender, per round, the contenders of a round in a shuffled order. */
async function overhead({ calls, rounds, fleet }) {
  const plain = new CircuitBreaker({ name: "overhead-plain" });
  const fleeted = new CircuitBreaker({ name: "overhead-fleet", fleet: denoKvFleet(kv, fleet) });
  const upstream = async () => 1;
  const contenders = {
    bare: async (n) => {
      for (let i = 0; i < n; i++) await upstream();
    },
    plain: async (n) => {
      for (let i = 0; i < n; i++) await plain.call(upstream);
    },
    fleet: async (n) => {
      for (let i = 0; i < n; i++) await fleeted.call(upstream);
    },
  };
  const names = Object.keys(contenders);
  for (const name of names) await contenders[name](calls);
  // Until the fleet breaker has synced: the rounds time a fleet member that knows its fleet closed.
  while (fleeted.getStatus().fleet.syncs < 1) await fleeted.call(upstream).then(() => new Promise((resolve) => setTimeout(resolve, 10)));
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of names.toSorted(() => Math.random() - 0.5)) {
      const start = performance.now();
      await contenders[name](calls);
      samples[name].push(((performance.now() - start) * 1e6) / calls);
    }
  }
  return { samples, fleet: fleeted.getStatus().fleet, state: fleeted.getStatus().state };
}
