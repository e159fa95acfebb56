// A Node project's use of "edgebreaker/redis" with both clients, type-checked
// (never run) against the published declarations and the clients' own types
// by redis.test.mjs.
import { getCircuitBreaker, presets, protectFetch, type FleetStatus } from "edgebreaker";
import { redisFleet, type RedisFleetOptions } from "edgebreaker/redis";
import { Redis } from "ioredis";
import { createClient } from "redis";

const nodeRedis = await createClient({ url: "redis://127.0.0.1:6379" }).connect();
const ioredis = new Redis("redis://127.0.0.1:6379");
const options: RedisFleetOptions = { syncIntervalMs: 1000, timeoutMs: 500 };

export const upstreamFetch = protectFetch({ ...presets.llm, fleet: redisFleet(nodeRedis) });
export const breaker = getCircuitBreaker("llm", { ...presets.llm, fleet: redisFleet(ioredis, options) });
export const fleet: FleetStatus | null = breaker.getStatus().fleet;
// @ts-expect-error: a misspelt option is a type error, proving the types are real and not `any`
redisFleet(ioredis, { syncIntervalMS: 5 });
// @ts-expect-error: something that is no Redis client is a type error too
redisFleet({ get: (key: string) => key });
