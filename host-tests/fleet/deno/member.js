// One member of the Deno fleet under test: a Deno process serving
// ../member.mjs's routes on 127.0.0.1, its breakers' fleet on Deno KV
// (denoKvFleet over the denokv server at KV_URL), and the routes only this
// engine has:
//
//   /kv/tamper      { breaker, tamper: kind }   the stored phase record spoilt as `kind` says (engines/README.md)
//   /kv/set         { key, value }              writes a value (JSON) at a key, past the store
//   /kv/operations  { reset }                   Deno KV operations this process has sent (get, list, commit), by kind
//   /store/<op>     { name, args, count }       `count` concurrent DenoKvStore.<op>(name, ...args) at once; their answers
//   /transports     denoKvFleet asked again, and asked wrongly: what it gave and threw
import { denoKvFleet, DenoKvStore } from "edgebreaker/deno";
import { handleMemberRequest } from "./member.mjs";

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
  if (route === "/kv/operations") {
    const counted = { ...operations };
    if ((await request.json()).reset) for (const kind of Object.keys(operations)) operations[kind] = 0;
    return Response.json(counted);
  }
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
  const record = JSON.parse(value);
  const spoilt = {
    notJson: () => "not a phase record {",
    state: () => JSON.stringify({ ...record, state: "ajar" }),
    generation: () => JSON.stringify({ ...record, generation: -1 }),
    negative: () => JSON.stringify({ ...record, openForMs: -1 }),
  }[kind];
  if (spoilt === undefined) throw new Error(`unknown tampering ${kind}`);
  await kv.set(key, spoilt());
  return { tamper: kind };
}

/** `count` concurrent store operations; each answer, or the message it threw. */
async function storeOperations(op, { name, args, count = 1 }) {
  if (!["sync", "transition", "lease", "settle"].includes(op)) throw new Error(`no store operation ${op}`);
  const one = () => store[op](name, ...args).catch((error) => ({ error: `${error.name}: ${error.message}` }));
  return Promise.all(Array.from({ length: count }, one));
}

/** denoKvFleet as a program calls it: again with the same options, with others, and wrongly. */
function transports() {
  const thrown = (make) => {
    try {
      make();
      return "nothing";
    } catch (error) {
      return `${error.name}: ${error.message}`;
    }
  };
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
