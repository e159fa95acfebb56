// The Redis engine of the fleet scenarios (engines/README.md): a real
// redis-server on a free 127.0.0.1 port, its data in a temporary folder and on
// disk before each answer, and four Node processes, each an HTTP member
// (../redis/node-member.mjs) with a client of its own: members 1 and 3 on
// node-redis, 2 and 4 on ioredis.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { hostTestsDir } from "../../harness/packed.mjs";
import { startRedisServer } from "../../harness/redis-server.mjs";
import { CLIENT_KINDS, connect } from "../redis/clients.mjs";
import { stagedFleetFolder } from "../staged.mjs";
import { spoiltRecord } from "../tampering.mjs";

const MEMBERS = 4;

export default {
  name: "redis",
  can: { loseData: true, tamperStore: true },
  async start() {
    const server = await startRedisServer();
    const started = [];
    let tamperer;
    const stop = async () => {
      await Promise.all(started.map((member) => member.stop()));
      tamperer?.close();
      await server.stop();
    };
    try {
      for (let index = 0; index < MEMBERS; index += 1) started.push(startMember(`member-${index + 1}`, CLIENT_KINDS[index % 2], server.url));
      const members = await Promise.all(started.map((member) => member.ready));
      tamperer = await connect("ioredis", server.url);
      return {
        members,
        store: {
          stop: () => server.kill(),
          hang: () => server.pause(),
          resume: () => (server.running ? server.resume() : server.start({ keepData: true })),
          async restart({ keepData }) {
            await server.kill();
            await server.start({ keepData });
          },
          tamper: (breaker, kind) => tamper(tamperer.client, breaker, kind),
        },
        stop,
      };
    } catch (error) {
      await stop();
      throw error;
    }
  },
};

/** A member process; `ready` resolves with { name, post } once it listens, `stop()` ends it. */
function startMember(name, kind, redisUrl) {
  const folder = join(stagedFleetFolder(), "redis");
  const child = spawn(process.execPath, [join(folder, "node-member.mjs"), kind, redisUrl], {
    cwd: folder,
    env: { ...process.env, EDGEBREAKER_HOST_TESTS: hostTestsDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const orphaned = () => child.kill("SIGKILL"); // the test process exiting without its after hooks
  process.once("exit", orphaned);
  const exited = new Promise((resolve) => child.once("exit", resolve)).finally(() => process.off("exit", orphaned));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not listen within 15 s:\n${output}`)), 15_000);
    exited.then((code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
      const listening = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (!listening) return;
      clearTimeout(timer);
      resolve({ name: `${name} (${kind})`, post: poster(name, listening[1]) });
    });
  });
  return {
    ready,
    stop: () => {
      child.kill("SIGKILL");
      return exited;
    },
  };
}

/** POSTs `plan` to `route` of the member at `url`; its JSON answer. */
const poster = (name, url) => async (route, plan) => {
  const response = await fetch(`${url}${route}`, { method: "POST", body: JSON.stringify(plan) });
  if (!response.ok) throw new Error(`${name} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
};

/** The stored phase record of `breaker`, spoilt as `kind` says (its version and side fields left as they were). */
async function tamper(client, breaker, kind) {
  const key = `edgebreaker:{${breaker}}:phase`;
  const record = await client.call("HGET", key, "record");
  if (record === null) throw new Error(`${key} holds no phase record to tamper with`);
  await client.call("HSET", key, "record", spoiltRecord(record, kind));
}
