// The Deno KV engine of the fleet scenarios (README.md here): four Deno
// processes (the real binary from npm `deno`), each serving ../deno/member.js
// on 127.0.0.1 from the staged folder (../staged.mjs), on the packed package, sharing one Deno KV database served by
// denokv (../../harness/denokv.mjs) through Deno.openKv("http://127.0.0.1:…").
// The store is stopped by killing denokv, hung by freezing it (SIGSTOP),
// restarted over the same SQLite file or a fresh one, and tampered with
// through a member's /kv/tamper route.

import { join } from "node:path";
import { startDeno } from "../../edge/runtimes.mjs";
import { startDenoKv } from "../../harness/denokv.mjs";
import { stagedFleetFolder } from "../staged.mjs";

const MEMBERS = 4;

export default {
  name: "deno",
  can: { loseData: true, tamperStore: true },
  start: startDenoFleet,
};

/** denokv and `members` Deno members on it; resolves when all answer. */
export async function startDenoFleet({ members: count = MEMBERS } = {}) {
  const kv = await startDenoKv();
  let members = [];
  try {
    const folder = join(stagedFleetFolder(), "deno");
    members = await Promise.all(Array.from({ length: count }, (_, index) => startMember(folder, `deno-${index + 1}`, kv)));
  } catch (error) {
    await Promise.all(members.map((member) => member.stop()));
    await kv.close();
    throw error;
  }
  return {
    members,
    kv,
    store: {
      stop: () => kv.stop(),
      hang: () => kv.hang(),
      resume: () => kv.resume(),
      restart: (options) => kv.restart(options),
      tamper: (breaker, kind) => members[0].post("/kv/tamper", { breaker, tamper: kind }),
    },
    async stop() {
      await Promise.all(members.map((member) => member.stop()));
      await kv.close();
    },
  };
}

/** One Deno member process, with only the permissions it needs. */
async function startMember(folder, name, kv) {
  const deno = await startDeno(
    ["run", "--no-lock", "--unstable-kv", "--allow-net=127.0.0.1", "--allow-env=KV_URL,DENO_KV_ACCESS_TOKEN", "member.js"],
    { cwd: folder, env: { KV_URL: kv.url, DENO_KV_ACCESS_TOKEN: kv.token } },
  );
  return {
    name,
    url: deno.url,
    /** POSTs `plan` to `route`; its JSON answer. */
    async post(route, plan) {
      const response = await fetch(`${deno.url}${route}`, { method: "POST", body: JSON.stringify(plan) });
      if (!response.ok) throw new Error(`${name} ${route}: ${response.status} ${await response.text()}\n${deno.stderr().slice(-2000)}`);
      return response.json();
    },
    stop: () => deno.stop(),
  };
}
