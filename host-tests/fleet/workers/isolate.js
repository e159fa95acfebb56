// One isolate of the Cloudflare fleet tests (each Worker of the fleet runs
// this in its own isolate): the member every engine runs (../member.mjs) on
// durableObjectFleet, plus routes only a Durable Object has. Each takes a
// JSON plan naming the breaker.
//
//   /coordinator  { command: "setMode" | "reset", mode }   tell this breaker's coordinator object
//   /oversize     a 10 MB report sent to the coordinator directly   what it answered
//   /transports   durableObjectFleet asked again, and asked wrongly    what it gave and threw
import { protectFetch } from "edgebreaker";
import { durableObjectFleet } from "edgebreaker/cloudflare";
import { handleMemberRequest, thrown } from "../member.mjs";

export default {
  async fetch(request, env) {
    const route = new URL(request.url).pathname;
    if (route === "/coordinator") return Response.json(await tellCoordinator(env, await request.json()));
    if (route === "/oversize") return Response.json(await oversize(env, await request.json()));
    if (route === "/transports") return Response.json(transports(env));
    return handleMemberRequest(request, { fleetFor: (plan) => durableObjectFleet(env.FLEET, plan.fleet) });
  },
};

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
