// The user's Redis client, whichever of the two common ones it is, as one
// function: run one of the fleet's scripts. EVALSHA sends the script's hash;
// a server that does not know it (first use, a restart, SCRIPT FLUSH) answers
// NOSCRIPT, and the script goes again whole with EVAL, which also caches it.
import { describe } from "../describe.js";
import { scripts, type ScriptName } from "./scripts.js";

/** A node-redis client (v4 or later): `createClient()` from "redis", connected. */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client: `new Redis()` from "ioredis". */
export interface IoRedisClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** A Redis or Valkey client `redisFleet` takes: node-redis (v4 or later) or ioredis. */
export type RedisClient = NodeRedisClient | IoRedisClient;

/** @internal Runs a script: its key, its arguments; resolves with the server's reply. */
export type RunScript = (script: ScriptName, key: string, args: string[]) => Promise<unknown>;

/**
 * @internal The client's way to send a command: ioredis's `call(command,
 * ...args)` (checked first: an ioredis client also has a `sendCommand`, which
 * takes a Command object), or node-redis's `sendCommand(args)`.
 * @throws TypeError naming what the client lacks.
 */
export function commandSender(client: unknown): (args: string[]) => Promise<unknown> {
  // Objects only: every function has a `call` (Function.prototype.call).
  if (typeof client === "object" && client !== null) {
    const { call, sendCommand } = client as { call?: unknown; sendCommand?: unknown };
    if (typeof call === "function") return (args) => call.apply(client, args);
    if (typeof sendCommand === "function") return (args) => sendCommand.call(client, args);
  }
  throw new TypeError(
    `client must be a node-redis (v4 or later) or ioredis client: an object with sendCommand(args) or call(command, ...args); got ${describe(client)}` +
      (typeof client === "object" && client !== null ? " with neither method" : ""),
  );
}

/** @internal Script runner over a client's command sender, each script's SHA-1 computed once. */
export function scriptRunner(send: (args: string[]) => Promise<unknown>): RunScript {
  return async (script, key, args) => {
    const sha = await shaOf(script);
    try {
      return await send(["EVALSHA", sha, "1", key, ...args]);
    } catch (error) {
      if (!String((error as Error | null)?.message).startsWith("NOSCRIPT")) throw error;
      return send(["EVAL", scripts[script], "1", key, ...args]);
    }
  };
}

const shas = new Map<ScriptName, Promise<string>>();

/** The script's SHA-1 as EVALSHA takes it (lowercase hex), by Web Crypto: no import of node:crypto. */
function shaOf(script: ScriptName): Promise<string> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = crypto.subtle
      .digest("SHA-1", new TextEncoder().encode(scripts[script]))
      .then((digest) => Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join(""));
    shas.set(script, sha);
  }
  return sha;
}
