// A node:test reporter that counts, for run.mjs's one line per suite: the
// tests that passed, failed (cancelled included) and were skipped (or todo),
// suites (describe) not counted, as node's own "# pass" and "# fail" count.

export default async function* countReporter(source) {
  const counts = { passed: 0, failed: 0, skipped: 0 };
  for await (const { type, data } of source) {
    if ((type !== "test:pass" && type !== "test:fail") || data.details?.type === "suite") continue;
    if (data.skip !== undefined || data.todo !== undefined) counts.skipped += 1;
    else if (type === "test:pass") counts.passed += 1;
    else counts.failed += 1;
  }
  yield JSON.stringify(counts);
}
