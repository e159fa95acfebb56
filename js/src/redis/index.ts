// "edgebreaker/redis": a breaker fleet whose processes share a Redis or Valkey
// server. The client is the user's (node-redis or ioredis): this entry imports
// neither, and the main package knows a fleet by its FleetTransport interface alone.
export { redisFleet, type RedisFleetOptions } from "./fleet.js";
export type { IoRedisClient, NodeRedisClient, RedisClient } from "./client.js";
/** @internal The store under `redisFleet`, for the tests of its scripts. */
export { redisStore } from "./store.js";
export type { FleetTransport, FleetStatus } from "../fleet/transport.js";
