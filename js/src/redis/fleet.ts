// `redisFleet`: the `fleet` option for breakers whose processes share a Redis
// or Valkey server. The coordinator's work runs in each process
// (storeFleet), against the store of this folder.
import { storeFleet } from "../fleet/store.js";
import { fleetTiming, madeOnce, type FleetTimingOptions, type MadeTransports } from "../fleet/timing.js";
import type { FleetTransport } from "../fleet/transport.js";
import { commandSender, type RedisClient } from "./client.js";
import { redisStore } from "./store.js";

/** Options of `redisFleet`. */
export type RedisFleetOptions = FleetTimingOptions;

/** The transports made so far, by client and then by their options: one object each, however often asked for. */
const made: MadeTransports = new WeakMap();

/**
 * The `fleet` option for breakers in processes that share a Redis or Valkey
 * server: one breaker per name across all of them. `client` is your
 * connected client, node-redis (v4 or later) or ioredis; each sync, lease and
 * settle is one script on it (one round trip), timed by the server's clock.
 * The fleet's keys live under `edgebreaker:{<name>}:` (one Redis Cluster slot
 * per breaker) and expire a day after the last sync. The same client and
 * options give the same transport, so this may be called in every request.
 *
 * ```ts
 * import { createClient } from "redis";
 * const client = createClient({ url: process.env.REDIS_URL });
 * client.on("error", (error) => console.error(error.message)); // node-redis ends the process on an unheard error
 * await client.connect();
 * const upstreamFetch = protectFetch({ ...presets.llm, fleet: redisFleet(client) });
 * ```
 * @throws TypeError / RangeError naming what is wrong.
 */
export function redisFleet(client: RedisClient, options?: RedisFleetOptions | null): FleetTransport {
  commandSender(client); // a client of neither kind is refused before anything else
  const timing = fleetTiming("redisFleet", options);
  return madeOnce(made, client, timing, () => storeFleet(redisStore(client), timing));
}
