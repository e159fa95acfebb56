// The FleetStore on Redis or Valkey: each operation one script (scripts.ts),
// its reply checked before anything believes it. No decisions here: the store
// counts, reads, compares and sets; the core decides what the phase becomes.
import { describe } from "../describe.js";
import type { FleetLimits, FleetStore, StoreView } from "../fleet/store.js";
import { commandSender, scriptRunner, type RunScript } from "./client.js";
import { KEEP_MS, type ScriptName } from "./scripts.js";

/** The longest breaker name a fleet key is made of. */
const MAX_NAME_LENGTH = 256;
/** A view's length in a script's reply. */
const VIEW_LENGTH = 9;

/** @internal The FleetStore on `client` (node-redis v4+ or ioredis). @throws TypeError when it is neither. */
export function redisStore(client: unknown): FleetStore {
  const run = scriptRunner(commandSender(client));
  return {
    async sync(name, { successes, failures, periodMs }, limits) {
      const report = [count("successes", successes), count("failures", failures), count("periodMs", periodMs)].map(String);
      const reply = await runFor(run, "sync", name, limits, report);
      return viewAt("sync", reply, 0);
    },
    async transition(name, version, phase, limits) {
      const { state, generation } = phaseFields(phase);
      const reply = await runFor(run, "transition", name, limits, [version === null ? "" : versionText(version), phase as string, state, generation]);
      return viewAt("transition", reply, 0);
    },
    async lease(name, version, limits) {
      const reply = await runFor(run, "lease", name, limits, [versionText(version)]);
      const lease = reply[0] === null ? null : whole("lease", "lease", reply[0]);
      return { lease, view: viewAt("lease", reply, 1) };
    },
    async settle(name, version, lease, success, limits) {
      const args = [versionText(version), String(count("lease", lease)), success ? "1" : "0"];
      const reply = await runFor(run, "settle", name, limits, args);
      return { live: whole("settle", "live", reply[0]) === 1, probeSuccesses: whole("settle", "probeSuccesses", reply[1]), view: viewAt("settle", reply, 2) };
    },
  };
}

/**
 * Runs `script` for breaker `name`: its keys' prefix, the limits and `args`
 * (strings only: node-redis throws on anything else where nothing can catch it);
 * the reply, which must be an array.
 */
async function runFor(run: RunScript, script: ScriptName, name: string, limits: FleetLimits, args: string[]): Promise<unknown[]> {
  const prefix = `edgebreaker:{${breakerName(name)}}:`;
  const { windowMs, maxLeases, probeTimeoutMs } = limits;
  const limitArgs = [positive("windowMs", windowMs), positive("maxLeases", maxLeases), positive("probeTimeoutMs", probeTimeoutMs)];
  const reply = await run(script, `${prefix}phase`, [prefix, ...limitArgs.map(String), String(KEEP_MS), ...args]);
  if (!Array.isArray(reply)) throw new Error(`Redis answered the ${script} script with ${describe(reply)}, not an array`);
  return reply;
}

/** The view in `reply` from `offset` on, each part checked. */
function viewAt(script: ScriptName, reply: unknown[], offset: number): StoreView {
  if (reply.length !== offset + VIEW_LENGTH) throw new Error(`Redis answered the ${script} script with ${reply.length} values, not ${offset + VIEW_LENGTH}`);
  const at = (index: number) => reply[offset + index];
  const leaseExpired = whole(script, "leaseExpired", at(7));
  if (leaseExpired > 1) throw new Error(`Redis answered the ${script} script with leaseExpired ${leaseExpired}, not 0 or 1`);
  // A phase the script could not read comes as what is wrong with it: refused, and written over, by the coordinator.
  const spoilt = textOrNull(script, "spoilt", at(8));
  return {
    phase: spoilt === null ? textOrNull(script, "phase", at(0)) : new Error(spoilt),
    version: textOrNull(script, "version", at(1)),
    elapsedMs: whole(script, "elapsedMs", at(2)),
    successes: whole(script, "successes", at(3)),
    failures: whole(script, "failures", at(4)),
    syncPeriods: whole(script, "syncPeriods", at(5)),
    leasesLive: whole(script, "leasesLive", at(6)),
    leaseExpired: leaseExpired === 1,
  };
}

function whole(script: ScriptName, what: string, value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new Error(`Redis answered the ${script} script with ${what} ${describe(value)}, not a whole number >= 0`);
}

function textOrNull(script: ScriptName, what: string, value: unknown): string | null {
  if (value === null || typeof value === "string") return value;
  throw new Error(`Redis answered the ${script} script with ${what} ${describe(value)}, not a string or nil`);
}

/** A breaker's name, as its keys are made of it. @throws RangeError past 256 characters, TypeError for a non-string. */
function breakerName(name: unknown): string {
  if (typeof name !== "string") throw new TypeError(`name must be a string; got ${describe(name)}`);
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new RangeError(`name must be 1 to ${MAX_NAME_LENGTH} characters for a Redis fleet; got ${name.length}`);
  }
  return name;
}

/** A count or time the store is given: a whole number >= 0 below 2^53. */
function count(what: string, value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new RangeError(`${what} must be a whole number >= 0; got ${describe(value)}`);
}

function positive(what: string, value: unknown): number {
  if (count(`limits.${what}`, value) >= 1) return value as number;
  throw new RangeError(`limits.${what} must be at least 1; got 0`);
}

/** A version to compare with the stored one: any string ("" matches none, as no version the store gives is empty). */
function versionText(version: unknown): string {
  if (typeof version === "string") return version;
  throw new TypeError(`version must be a string; got ${describe(version)}`);
}

/** The state and generation the scripts keep beside the record, from the record the core made. */
function phaseFields(phase: unknown): { state: string; generation: string } {
  let parsed: { state?: unknown; generation?: unknown } | null = null;
  try {
    parsed = typeof phase === "string" ? JSON.parse(phase) : null;
  } catch {}
  const state = parsed?.state;
  const generation = parsed?.generation;
  if (typeof state === "string" && typeof generation === "number" && Number.isSafeInteger(generation) && generation >= 0) {
    return { state, generation: String(generation) };
  }
  throw new TypeError(`phase must be a phase record's JSON text with a state and a generation; got ${describe(phase)}`);
}
