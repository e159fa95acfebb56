// The scripted demo (demo.mjs --script) runs to its end and shows the story
// it promises, in order: closed, open on the upstream's Retry-After, 503 +
// Retry-After from the breaker with the upstream left alone, a failed probe,
// then probes that close the circuit.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { consumerFolder } from "../harness/packed.mjs";

test("the scripted demo drives the breaker open, refuses with 503 + Retry-After, probes and closes", async () => {
  const consumer = consumerFolder(); // the packed package, as every edge test uses
  const { code, stdout, stderr } = await new Promise((resolve) =>
    execFile(
      process.execPath,
      [join(import.meta.dirname, "demo.mjs"), "--script", "--retry-after", "1"],
      { env: { ...process.env, EDGEBREAKER_CONSUMER: consumer }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? error.code : 0, stdout, stderr }),
    ),
  );
  assert.equal(code, 0, stderr + stdout);
  const lines = stdout.split("\n");
  const story = [
    /request -> 200 from the upstream +breaker closed/,
    /request -> 503 from the upstream, Retry-After: 1 +breaker open +probe in 1\.0 s/,
    /request -> 503 from the breaker, Retry-After: 1 +breaker open .* upstream saw 3$/,
    /breaker half_open/,
    /request -> 503 from the upstream, Retry-After: 1 +breaker open/,
    /the upstream recovers/,
    /request -> 200 from the upstream +breaker half_open/,
    /request -> 200 from the upstream +breaker closed/,
    /closed again: traffic flows/,
  ];
  let from = 0;
  for (const step of story) {
    const at = lines.findIndex((line, index) => index >= from && step.test(line));
    assert.ok(at >= 0, `no line after line ${from} matches ${step}:\n${stdout}`);
    from = at + 1;
  }
});
