// One process of the Redis fleet's race tests: `count` concurrent calls of
// one store operation, on a client of its own. Argument: a JSON plan
//   { kind, url, op: "sync" | "transition" | "lease" | "settle", name, limits, count, version, lease, tag }
// Prints what each call resolved with (or the message it rejected with) as JSON on its last line.

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
try {
  const results = await Promise.all(
    Array.from({ length: plan.count }, (_, index) => operations[plan.op](index).catch((error) => ({ error: String(error?.message ?? error) }))),
  );
  console.log(JSON.stringify(results));
} finally {
  close();
}
