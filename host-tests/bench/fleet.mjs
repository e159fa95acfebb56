// The fleet bench (`make bench` runs it; about 3 minutes): the targets of
// fleet mode, each figure printed beside its target, MISSED when it is not met.
//
//   node --expose-gc host-tests/bench/fleet.mjs [part ...]      (after `make build`; parts 1 to 5, default all)
//
//   1  trip propagation in workerd (fleet-propagation.mjs)
//   2  upstream requests in a 60 s outage, 8 isolates, with and without the fleet (fleet-outage.mjs)
//   3  call-path overhead in Node, fleet on and closed, against no fleet (fleet-overhead.mjs)
//   4  syncs per second one Durable Object answers in workerd (fleet-throughput.mjs)
//   5  the fleet at internet scale, simulated in Node on the real coordinator (fleet-simulation.mjs)
//
// Node's parts (3, 5) run first, before workerd starts, on a quieter machine;
// then workerd's (1, 2, 4), in one Miniflare of 8 isolates.

import { availableParallelism } from "node:os";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { startBenchFleet } from "./fleet-workerd.mjs";
import { outage } from "./fleet-outage.mjs";
import { callOverhead } from "./fleet-overhead.mjs";
import { tripPropagation } from "./fleet-propagation.mjs";
import { simulation } from "./fleet-simulation.mjs";
import { coordinatorThroughput } from "./fleet-throughput.mjs";

const parts = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 2, 3, 4, 5];
for (const given of parts) if (![1, 2, 3, 4, 5].includes(given)) throw new RangeError(`parts are 1 to 5; got ${given}`);
const log = (line = "") => console.log(line);
const started = performance.now();

log(`fleet bench: Node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString()}`);
if (parts.includes(3)) await part(() => callOverhead(log));
if (parts.includes(5)) await part(() => simulation(log));
if ([1, 2, 4].some((workerdPart) => parts.includes(workerdPart))) {
  const upstream = await startFakeUpstream();
  const fleet = await startBenchFleet();
  try {
    if (parts.includes(1)) await part(() => tripPropagation(fleet, upstream, log));
    if (parts.includes(2)) await part(() => outage(fleet, log));
    if (parts.includes(4)) await part(() => coordinatorThroughput(fleet, log));
  } finally {
    await fleet.stop();
    await upstream.close();
  }
}

/** One part, after a blank line. */
async function part(run) {
  log();
  await run();
}

log(`\nfleet bench: ${((performance.now() - started) / 1000).toFixed(0)} s`);
