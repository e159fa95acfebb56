// How each kind of tampering spoils a stored phase record (engines/README.md
// names the kinds): the engines that can tamper with their store write this.

/** `record` (the stored text) spoilt as `kind` says. */
export function spoiltRecord(record, kind) {
  const phase = JSON.parse(record);
  const spoilt = {
    notJson: () => "<html>garbage",
    state: () => JSON.stringify({ ...phase, state: "ajar" }),
    generation: () => JSON.stringify({ ...phase, generation: 2 ** 60 }),
    negative: () => JSON.stringify({ ...phase, openForMs: -1 }),
  }[kind];
  if (spoilt === undefined) throw new Error(`unknown tampering ${kind}`);
  return spoilt();
}
