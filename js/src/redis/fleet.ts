// `redisFleet`: the `fleet` option for breakers whose processes share a Redis
// or Valkey server. The coordinator's work runs in each process
// (storeFleet), against the store of this folder.
import { optionalObject, timeLimit } from "../checks.js";
import { storeFleet } from "../fleet/store.js";
import type { FleetTransport } from "../fleet/transport.js";
import { commandSender, type RedisClient } from "./client.js";
import { redisStore } from "./store.js";

/** Options of `redisFleet`. */
export interface RedisFleetOptions {
  /** How often a process with traffic syncs with the fleet, in ms (1 to 2147483647). Default 1000. */
  syncIntervalMs?: number | null;
  /** How long a sync or a lease may take before the process falls back on its own breaker, in ms (1 to 2147483647). Default 500. */
  timeoutMs?: number | null;
}

/** The transports made so far, by client and then by their options: one object each, however often asked for. */
const made = new WeakMap<object, Map<string, FleetTransport>>();

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
  const given = optionalObject<RedisFleetOptions>("options", options) ?? {};
  for (const key of Object.keys(given)) {
    if (key !== "syncIntervalMs" && key !== "timeoutMs") throw new TypeError(`unknown option "${key}" of redisFleet`);
  }
  const syncIntervalMs = timeLimit("syncIntervalMs", given.syncIntervalMs) ?? 1000;
  const timeoutMs = timeLimit("timeoutMs", given.timeoutMs) ?? 500;
  let transports = made.get(client);
  if (transports === undefined) made.set(client, (transports = new Map()));
  const key = `${syncIntervalMs} ${timeoutMs}`;
  let transport = transports.get(key);
  if (transport === undefined) transports.set(key, (transport = storeFleet(redisStore(client), { syncIntervalMs, timeoutMs })));
  return transport;
}
