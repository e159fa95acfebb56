// Whether this build has fleets. edgebreaker/lite's has none: lite/fleets.ts
// takes this module's place there (scripts/entries.mjs), and the bundler then
// drops the fleet's paths from the breaker's own code (engine.ts, runner.ts,
// breaker.ts). A module of its own that imports nothing, because a bundler
// inlines a constant only from a module outside any import cycle.
export const FLEETS: boolean = true;
