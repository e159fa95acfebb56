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
// Node's parts run first, before workerd starts, on a quieter machine.

import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { startBenchFleet } from "./fleet-workerd.mjs";
import { outage } from "./fleet-outage.mjs";
import { tripPropagation } from "./fleet-propagation.mjs";

const parts = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 2, 3, 4, 5];
const log = (line = "") => console.log(line);
const started = performance.now();

log(`fleet bench: Node ${process.version}, ${new Date().toISOString()}`);
if ([1, 2, 4].some((part) => parts.includes(part))) {
  const upstream = await startFakeUpstream();
  const fleet = await startBenchFleet();
  try {
    if (parts.includes(1)) await tripPropagation(fleet, upstream, log);
    if (parts.includes(2)) await outage(fleet, log);
  } finally {
    await fleet.stop();
    await upstream.close();
  }
}
log(`\nfleet bench: ${((performance.now() - started) / 1000).toFixed(0)} s`);
