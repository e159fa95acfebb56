// The two Redis clients redisFleet takes, connected to `url`, for the
// processes the Redis fleet tests start (staged beside the installed package,
// so they find the clients in host-tests' node_modules by its path, given in
// EDGEBREAKER_HOST_TESTS). Each with an error listener, as an application
// keeps one: without it, node-redis ends the process when the server goes.

import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const CLIENT_KINDS = ["node-redis", "ioredis"];

const hostTests = process.env.EDGEBREAKER_HOST_TESTS ?? join(import.meta.dirname, "..", "..");
const resolve = createRequire(join(hostTests, "package.json")).resolve;
const load = (name) => import(pathToFileURL(resolve(name)).href);

/** A connected client of `kind` ("node-redis" or "ioredis"); `close()` ends it. `errors` counts what it reported. */
export async function connect(kind, url) {
  const counted = { errors: 0 };
  if (kind === "node-redis") {
    const { createClient } = await load("redis");
    const client = createClient({ url });
    client.on("error", () => (counted.errors += 1));
    await client.connect();
    return { client, counted, close: () => client.destroy() };
  }
  if (kind === "ioredis") {
    const { Redis } = await load("ioredis");
    const client = new Redis(url, { lazyConnect: true });
    client.on("error", () => (counted.errors += 1));
    await client.connect();
    return { client, counted, close: () => client.disconnect() };
  }
  throw new Error(`unknown client kind ${kind}`);
}
