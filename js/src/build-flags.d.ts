// Constants the bundler defines for each entry (scripts/entries.mjs), so that
// the code an entry leaves out folds away from its bundle.

/** Whether this build has fleets: false in edgebreaker/lite, whose breakers never have one. */
declare const FLEETS: boolean;
