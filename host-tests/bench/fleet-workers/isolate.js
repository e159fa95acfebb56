// One isolate of the fleet bench (each Worker of the bench fleet runs this in
// its own isolate). Every route takes a JSON plan naming the breaker; the
// first plan for a name creates it (getCircuitBreaker: the first options win),
// with the `fleet` option unless the plan's `fleet` is null. Times are this
// isolate's Date.now(), which workerd advances at each I/O event and timer.
//
//   /join     one call (a function that succeeds): the breaker exists and syncs
//   /watch    { everyMs, forMs }  a call every everyMs (succeeding functions) until one is rejected, or forMs pass
//   /trip     { upstream }        fetches the (failing) upstream, one after another, until the breaker rejects
//   /traffic  { upstream, perSecond, forMs }  perSecond fetches a second, each sent on time whatever the others do
//   /hammer   { clients, startAt, forMs }  from startAt (a Date.now() reading), `clients` loops calling the coordinator's sync directly, for forMs
//   /counts   what the breaker's coordinator object has counted
import { CircuitBreakerError, getCircuitBreaker } from "edgebreaker";
import { durableObjectFleet } from "edgebreaker/cloudflare";

export default {
  async fetch(request, env) {
    const plan = await request.json();
    const route = new URL(request.url).pathname;
    if (route === "/hammer") return Response.json(await hammer(env, plan));
    if (route === "/counts") return Response.json(await coordinator(env, plan.breaker).counts());
    const breaker = breakerFor(plan, env);
    if (route === "/join") return Response.json({ seen: await outcome(breaker.call(succeed)) });
    if (route === "/watch") return Response.json(await watch(breaker, plan));
    if (route === "/trip") return Response.json(await trip(breaker, plan));
    if (route === "/traffic") return Response.json(await traffic(breaker, plan));
    return new Response(`no route ${route}`, { status: 404 });
  },
};

function breakerFor({ breaker, options = {}, fleet = {} }, env) {
  return getCircuitBreaker(breaker, fleet === null ? options : { ...options, fleet: durableObjectFleet(env.FLEET, fleet) });
}

const succeed = () => "ok";
const completion = {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "hello" }] }),
};
/** One chat completion from the upstream, through the breaker. */
const complete = (breaker, upstream) => breaker.fetch(`${upstream}/v1/chat/completions`, completion);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a call came to: "ok", "failed" (the upstream answered an error) or the state of the CircuitBreakerError that refused it. */
async function outcome(call) {
  try {
    const value = await call;
    if (value instanceof Response) {
      await value.arrayBuffer();
      return value.ok ? "ok" : "failed";
    }
    return "ok";
  } catch (error) {
    if (error instanceof CircuitBreakerError) return error.state;
    throw error;
  }
}

/** Steady traffic that stops at the first rejection: when it came, and what the fleet looked like. */
async function watch(breaker, { everyMs, forMs }) {
  const startedAt = Date.now();
  const deadline = startedAt + forMs;
  let calls = 0;
  while (Date.now() < deadline) {
    calls += 1;
    const seen = await outcome(breaker.call(succeed));
    if (seen !== "ok") return { startedAt, rejectedAt: Date.now(), seen, calls, fleet: breaker.getStatus().fleet };
    await sleep(everyMs);
  }
  return { startedAt, rejectedAt: null, calls, fleet: breaker.getStatus().fleet };
}

/** Failing fetches until the breaker rejects: when the failure that tripped it came back, and how many there were. */
async function trip(breaker, { upstream }) {
  let failures = 0;
  let trippedAt = null;
  for (;;) {
    const seen = await outcome(complete(breaker, upstream));
    if (seen !== "failed") return { trippedAt, failures, seen };
    failures += 1;
    trippedAt = Date.now();
    if (failures > 1000) throw new Error("the breaker did not trip after 1000 failures");
  }
}

/** Open-loop traffic: a fetch every 1000/perSecond ms for forMs; every outcome counted. */
async function traffic(breaker, { upstream, perSecond, forMs }) {
  const start = Date.now();
  const counted = {};
  const calls = [];
  for (let sent = 0; sent < (forMs * perSecond) / 1000; sent += 1) {
    const due = start + (sent * 1000) / perSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    calls.push(
      outcome(complete(breaker, upstream)).then(
        (seen) => (counted[seen] = (counted[seen] ?? 0) + 1),
        (error) => (counted[error.message] = (counted[error.message] ?? 0) + 1),
      ),
    );
  }
  await Promise.all(calls);
  return { counted, status: breaker.getStatus() };
}

function coordinator(env, name) {
  return env.FLEET.get(env.FLEET.idFromName(name));
}

/**
 * From startAt (so that every isolate starts at once, not as its request
 * happens to arrive at a busy workerd), `clients` loops, each sending its next
 * sync as soon as the last is answered, for forMs: syncs answered, and from when to when.
 */
async function hammer(env, { breaker, clients, startAt = Date.now(), forMs }) {
  const stub = coordinator(env, breaker);
  const report = JSON.stringify({ version: 1, successes: 1, failures: 0, tripped: false });
  if (startAt > Date.now()) await sleep(startAt - Date.now());
  const start = Date.now();
  const deadline = start + forMs;
  let syncs = 0;
  const loops = Array.from({ length: clients }, async () => {
    while (Date.now() < deadline) {
      await stub.sync(breaker, "{}", report);
      syncs += 1;
    }
  });
  await Promise.all(loops);
  return { syncs, startedAt: start, endedAt: Date.now() };
}
