// One member of a fleet under test, whatever runs it: the workerd isolate
// (workers/isolate.js), a Deno process or a Node process each wrap this
// handler in a few lines, giving it their engine's transport. Fetch-API types
// only (Request, Response), so it runs unchanged in all three. Every route
// takes a JSON plan naming the breaker; the first plan for a name creates it
// (getCircuitBreaker: the first options win).
//
//   plan    { breaker, options, fleet: { syncIntervalMs, timeoutMs }, skewMs, upstream }
//   /calls  { count, through: "fetch" | "call" }  count concurrent calls (a chat completion from the upstream,
//           or a function that succeeds); what each caller saw, counted
//   /status the breaker's getStatus()
//   /tamper { tamper: kind | null }               answer this breaker's next syncs tampered (kinds below)
import { CircuitBreakerError, getCircuitBreaker } from "edgebreaker";

/** Tampering of sync answers, by breaker name. */
const tampering = new Map();

/**
 * Answers one POST of the test. `fleetFor(plan)` gives the engine's
 * FleetTransport for a plan (called once per breaker name: the first plan makes
 * the breaker). An unknown route is a 404.
 */
export async function handleMemberRequest(request, { fleetFor }) {
  const route = new URL(request.url).pathname;
  if (!["/calls", "/status", "/tamper"].includes(route)) return new Response(`no route ${route}`, { status: 404 });
  const plan = await request.json();
  const breaker = breakerFor(plan, fleetFor);
  if (route === "/calls") return Response.json(await calls(breaker, plan));
  if (route === "/status") return Response.json(breaker.getStatus());
  tampering.set(plan.breaker, plan.tamper);
  return Response.json({ tamper: plan.tamper });
}

/** The plan's breaker: its clock skewed by `skewMs` (the breaker's own; the fleet's clock is the store's), its transport tamperable. */
function breakerFor(plan, fleetFor) {
  const { breaker, options = {}, skewMs = 0 } = plan;
  return getCircuitBreaker(breaker, {
    ...options,
    clock: () => Date.now() + skewMs,
    // A getter: the transport is asked for only when this call makes the breaker.
    get fleet() {
      return tamperable(breaker, fleetFor(plan));
    },
  });
}

/** The transport, with its sync answers replaced while a tampering is set for the breaker. */
function tamperable(name, transport) {
  return {
    syncIntervalMs: transport.syncIntervalMs,
    timeoutMs: transport.timeoutMs,
    waitUntil: transport.waitUntil,
    sync: async (...args) => {
      const answer = await transport.sync(...args);
      const kind = tampering.get(name);
      return kind ? tampered(kind, answer) : answer;
    },
    lease: (...args) => transport.lease(...args),
    settle: (...args) => transport.settle(...args),
  };
}

/** A real snapshot, spoilt as `kind` says. */
function tampered(kind, answer) {
  const snapshot = JSON.parse(answer);
  switch (kind) {
    case "version":
      return JSON.stringify({ ...snapshot, version: 2 });
    case "negative":
      return JSON.stringify({ ...snapshot, syncAfterMs: -1 });
    case "huge":
      return JSON.stringify({ ...snapshot, generation: 2 ** 60 });
    case "state":
      return JSON.stringify({ ...snapshot, state: "ajar" });
    case "lowerGeneration":
      return JSON.stringify({ ...snapshot, generation: snapshot.generation - 1 });
    case "tenMegabytes":
      return JSON.stringify({ ...snapshot, padding: "x".repeat(10 * 1024 * 1024) });
    default:
      throw new Error(`unknown tampering ${kind}`);
  }
}

/** `count` calls at once; what each caller saw, counted: ok, failed (an upstream error) or the CircuitBreakerError's state. */
async function calls(breaker, { count = 1, through = "call", upstream }) {
  const one = () => (through === "fetch" ? breaker.fetch(`${upstream}/v1/chat/completions`, completion).then(judged) : breaker.call(() => "ok").then(() => "ok"));
  const seen = await Promise.all(Array.from({ length: count }, () => one().catch(rejected)));
  const counted = {};
  for (const outcome of seen) counted[outcome] = (counted[outcome] ?? 0) + 1;
  return counted;
}

const completion = {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "hello" }] }),
};

async function judged(response) {
  await response.arrayBuffer();
  return response.ok ? "ok" : "failed";
}

function rejected(error) {
  return error instanceof CircuitBreakerError ? error.state : `${error.name}: ${error.message}`;
}

/** What `make()` threw, as "Name: message", or "nothing": how the members answer the tests of a maker's refusals. */
export function thrown(make) {
  try {
    make();
    return "nothing";
  } catch (error) {
    return `${error.name}: ${error.message}`;
  }
}
