// edgebreaker/lite's fleets.ts: a lite breaker never has a fleet.
import type * as full from "../fleets.js";

export const FLEETS: typeof full.FLEETS = false;
