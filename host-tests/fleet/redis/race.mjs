// One process of the Redis fleet's race tests: `count` concurrent calls of
// one store operation, on a client of its own. Argument: a JSON plan
//   { kind, url, op: "sync" | "transition" | "lease" | "settle", name, limits, count, version, lease, tag }
// Prints what each call resolved with (or the message it rejected with) as JSON on its last line.
// op "hammer" (the bench): `count` loops of back-to-back syncs from `startAt` (a Date.now()) for `forMs`;
// prints [{ syncs, startedAt, endedAt }].

import { redisStore } from "edgebreaker/redis";
import { connect } from "./clients.mjs";

const plan = JSON.parse(process.argv[2]);
const { client, close } = await connect(plan.kind, plan.url);
const store = redisStore(client);
const { name, limits, version, lease } = plan;
const operations = {
  sync: () => store.sync(name, { successes: 1, failures: 1, periodMs: 1000 }, limits),
  transition: (index) => store.transition(name, version, JSON.stringify({ version: 1, state: "open", generation: 7, openForMs: 1000, forcedOpen: false, consecutiveOpens: 1, by: `${plan.tag}-${index}` }), limits),
  lease: () => store.lease(name, version, limits),
  settle: () => store.settle(name, version, lease, true, limits),
};
if (plan.op === "hammer") {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, plan.startAt - Date.now())));
  const startedAt = Date.now();
  const until = startedAt + plan.forMs;
  let syncs = 0;
  const loop = async () => {
    while (Date.now() < until) {
      await operations.sync();
      syncs += 1;
    }
  };
  await Promise.all(Array.from({ length: plan.count }, loop));
  console.log(JSON.stringify([{ syncs, startedAt, endedAt: Date.now() }]));
  close();
  process.exit(0);
}
try {
  const results = await Promise.all(
    Array.from({ length: plan.count }, (_, index) => operations[plan.op](index).catch((error) => ({ error: String(error?.message ?? error) }))),
  );
  console.log(JSON.stringify(results));
} finally {
  close();
}
