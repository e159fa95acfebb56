// The coordinator Worker of the fleet bench: the package's FleetCoordinator,
// unchanged but for counting, per object, the RPC calls it answered and the
// probe leases it granted (what an outage costs the coordinator, and the
// fleet's probes), and its syncs by second of its clock, read back by `counts()`.
import { FleetCoordinator } from "edgebreaker/cloudflare";

export class BenchFleetCoordinator extends FleetCoordinator {
  #counts = { syncs: 0, leases: 0, leasesGranted: 0, settles: 0 };
  /** Syncs answered in each second of Date.now() (a whole number of seconds since 1970). */
  #syncsBySecond = new Map();
  /** The last sync answer, read only by counts(): parsing every answer would slow the object the bench measures. */
  #lastSyncAnswer = null;

  /** The counts so far, with the pacing (syncAfterMs) of the last sync answer. */
  counts() {
    return {
      ...this.#counts,
      lastSyncAfterMs: this.#lastSyncAnswer === null ? null : JSON.parse(this.#lastSyncAnswer).syncAfterMs,
      syncsBySecond: Object.fromEntries(this.#syncsBySecond),
    };
  }

  sync(...args) {
    const answer = super.sync(...args);
    this.#counts.syncs += 1;
    const second = Math.floor(Date.now() / 1000);
    this.#syncsBySecond.set(second, (this.#syncsBySecond.get(second) ?? 0) + 1);
    this.#lastSyncAnswer = answer;
    return answer;
  }

  lease(...args) {
    const answer = super.lease(...args);
    this.#counts.leases += 1;
    if (JSON.parse(answer).lease !== null) this.#counts.leasesGranted += 1;
    return answer;
  }

  settle(...args) {
    const answer = super.settle(...args);
    this.#counts.settles += 1;
    return answer;
  }
}

export default {
  fetch() {
    return new Response("the fleet coordinator answers RPC only", { status: 404 });
  },
};
