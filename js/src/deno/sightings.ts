// The fleet's clock on Deno KV. KV keeps no time a member could read (and
// `expireIn` deletes a key "at the earliest", so an expired key may still be
// read), and members' wall clocks disagree. So durations are measured by each
// process on its own monotonic clock, from the moment it first saw a
// versionstamp: the phase's age, and each lease's. A member that first sees a
// phase late takes it as younger than it is, never older, so no clock skew
// can end an open period early; the members that saw it on time act on time.

/** What this process has seen of one fleet. */
interface FleetSighting {
  /** The phase's versionstamp last seen, and when it was first seen. */
  version: string | null;
  seenAt: number;
  /** Lease slots (by their entries' versionstamps, unique in a database) and when each was first seen. */
  readonly leases: Map<string, number>;
}

export class Sightings {
  readonly #fleets = new Map<string, FleetSighting>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Whole milliseconds since this process first saw `version` as `name`'s phase (0 now, at the first sight). */
  phaseAge(name: string, version: string | null): number {
    const now = this.#now();
    const seen = this.#fleet(name, now);
    if (seen.version !== version) {
      seen.version = version;
      seen.seenAt = now;
    }
    return Math.floor(now - seen.seenAt);
  }

  /**
   * The ages of the lease slots read now (by their versionstamps), in order.
   * `complete`: they are all the leases of the current phase, so any other
   * slot remembered is gone and forgotten.
   */
  leaseAges(name: string, stamps: readonly string[], complete: boolean): number[] {
    const now = this.#now();
    const { leases } = this.#fleet(name, now);
    const ages = stamps.map((stamp) => {
      const seenAt = leases.get(stamp);
      if (seenAt === undefined) leases.set(stamp, now);
      return seenAt === undefined ? 0 : now - seenAt;
    });
    if (complete && leases.size > stamps.length) {
      for (const stamp of leases.keys()) if (!stamps.includes(stamp)) leases.delete(stamp);
    }
    return ages;
  }

  #fleet(name: string, now: number): FleetSighting {
    let seen = this.#fleets.get(name);
    if (seen === undefined) this.#fleets.set(name, (seen = { version: null, seenAt: now, leases: new Map() }));
    return seen;
  }
}
