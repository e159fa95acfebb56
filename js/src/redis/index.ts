// "edgebreaker/redis": a breaker fleet whose processes share a Redis or Valkey
// server. The client is the user's (node-redis or ioredis): this entry imports
// neither, and the main package knows a fleet by its FleetTransport interface alone.
// First, so that this entry's bundle opens with the wasm's bytes (inlined as hex
// for Node, Deno and browsers): gzip looks back only 32 KB, and the code after
// the bytes then compresses as one piece.
import "#fleet-wasm-module";
export { redisFleet, type RedisFleetOptions } from "./fleet.js";
export type { IoRedisClient, NodeRedisClient, RedisClient } from "./client.js";
/** @internal The store under `redisFleet`, for the tests of its scripts. */
export { redisStore } from "./store.js";
export type { FleetTransport, FleetStatus } from "../fleet/transport.js";
