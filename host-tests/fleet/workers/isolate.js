// One isolate of the fleet tests (each Worker of the fleet runs this in its
// own isolate): breakers with the `fleet` option, driven by POSTs from the
// test. Every route takes a JSON plan naming the breaker; the first plan for
// a name creates it (getCircuitBreaker: the first options win).
//
//   /calls        { count, through: "fetch" | "call", upstream }  count concurrent calls (a chat completion from the
//                 upstream, or a function that succeeds); what each caller saw
//   /status       the breaker's getStatus()
//   /coordinator  { command: "setMode" | "reset", mode }           tell this breaker's coordinator object
//   /tamper       { tamper: kind | null }                          answer this breaker's next syncs tampered
//   /oversize     a 10 MB report sent to the coordinator directly  what it answered
//   /transports   durableObjectFleet asked again, and asked wrongly    what it gave and threw
import { CircuitBreakerError, getCircuitBreaker, protectFetch } from "edgebreaker";
import { durableObjectFleet } from "edgebreaker/cloudflare";

/** Tampering of sync answers, by breaker name. */
const tampering = new Map();

export default {
  async fetch(request, env) {
    const plan = await request.json();
    const route = new URL(request.url).pathname;
    if (route === "/transports") return Response.json(transports(env));
    const breaker = breakerFor(plan, env);
    if (route === "/calls") return Response.json(await calls(breaker, plan));
    if (route === "/status") return Response.json(breaker.getStatus());
    if (route === "/coordinator") return Response.json(await tellCoordinator(env, plan));
    if (route === "/tamper") {
      tampering.set(plan.breaker, plan.tamper);
      return Response.json({ tamper: plan.tamper });
    }
    if (route === "/oversize") return Response.json(await oversize(env, plan));
    return new Response(`no route ${route}`, { status: 404 });
  },
};

function breakerFor({ breaker, options = {}, fleet = {}, skewMs = 0 }, env) {
  return getCircuitBreaker(breaker, {
    ...options,
    clock: () => Date.now() + skewMs,
    fleet: tamperable(breaker, durableObjectFleet(env.FLEET, fleet)),
  });
}

/** The transport, with its sync answers replaced while a tampering is set for the breaker. */
function tamperable(name, transport) {
  return {
    ...transport,
    async sync(...args) {
      const answer = await transport.sync(...args);
      const kind = tampering.get(name);
      return kind ? tampered(kind, answer) : answer;
    },
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

function coordinator(env, name) {
  return env.FLEET.get(env.FLEET.idFromName(name));
}

async function tellCoordinator(env, { breaker, command, mode }) {
  try {
    await coordinator(env, breaker)[command](mode);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: error.message };
  }
}

/** The coordinator's own cap: a 10 MB report sent past the isolate's breaker. */
async function oversize(env, { breaker }) {
  try {
    return { answer: await coordinator(env, breaker).sync(breaker, "{}", "x".repeat(10 * 1024 * 1024)) };
  } catch (error) {
    return { error: error.message };
  }
}

/** durableObjectFleet in a request, as a Worker calls it where `env` is; protectFetch made in each request with it. */
function transports(env) {
  const thrown = (make) => {
    try {
      make();
      return "nothing";
    } catch (error) {
      return `${error.name}: ${error.message}`;
    }
  };
  protectFetch({ name: "made-in-every-request", fleet: durableObjectFleet(env.FLEET) });
  return {
    sameAgain: durableObjectFleet(env.FLEET) === durableObjectFleet(env.FLEET, { syncIntervalMs: 1000, timeoutMs: 500 }),
    otherForOtherOptions: durableObjectFleet(env.FLEET) !== durableObjectFleet(env.FLEET, { timeoutMs: 400 }),
    defaults: (({ syncIntervalMs, timeoutMs }) => ({ syncIntervalMs, timeoutMs }))(durableObjectFleet(env.FLEET)),
    noNamespace: thrown(() => durableObjectFleet(undefined)),
    typo: thrown(() => durableObjectFleet(env.FLEET, { syncIntervalMS: 5 })),
    zeroTimeout: thrown(() => durableObjectFleet(env.FLEET, { timeoutMs: 0 })),
  };
}
