// Every snippet of the README runs as written and prints what it says.
// stage.mjs has extracted them (from the README in the installed tarball) into
// ../readme/, and compiled the TypeScript ones.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const readmeDir = fileURLToPath(new URL("../readme/", import.meta.url));
const expectedOutput = {
  "decorator.ts": ["results for wasm", "echo: hello"],
  "permit.ts": ["7", "undefined open", "undefined"],
  "call.mjs": ["ch_1", "5", "7"],
  "registry.mjs": ["true", "llm: closed, vector-db: open", "true"],
  "status.mjs": [
    "closed -> open at 0",
    "[metrics] search is open (failure_threshold)",
    "open -> half_open at 1000",
    "[metrics] search is half_open (open_time_elapsed)",
    "half_open",
    "half_open 0 2 1",
    "{}",
  ],
  "snapshot.mjs": [
    "6000",
    "open 6000",
    "RangeError snapshot.generation must be a whole number from 0 to 1099511627775",
  ],
  "opentelemetry.mjs": [
    "edgebreaker.breaker.status{breaker=llm,state=open} 1",
    "edgebreaker.breaker.calls{breaker=llm,outcome=successful} 1",
    "edgebreaker.breaker.calls{breaker=llm,outcome=failed} 2",
    "edgebreaker.breaker.failure_rate{breaker=llm} 0.67",
    "edgebreaker.breaker.transitions{breaker=llm,from=closed,to=open,cause=failure_threshold} 1",
  ],
  "presets.mjs": ['(a cached answer to "hi")', "bad request", "1 1"],
  "lite.mjs": [
    "true open",
    'unknown option "onOpen": "edgebreaker/lite" has no fetch layer; import CircuitBreaker from "edgebreaker" for breaker.fetch()',
  ],
  "prometheus.mjs": [
    "text/plain; version=0.0.4; charset=utf-8",
    'edgebreaker_state{breaker="llm",state="open"} 1',
    'edgebreaker_transitions_total{breaker="llm",from="closed",to="open",cause="force_open"} 1',
    "llm open 30000",
  ],
};

test("the README has the snippets this test expects, and no others", () => {
  const snippets = readdirSync(readmeDir).filter((file) => /\.(mjs|ts)$/.test(file));
  assert.deepEqual(snippets.sort(), Object.keys(expectedOutput).sort());
});

for (const [snippet, lines] of Object.entries(expectedOutput)) {
  test(`README snippet ${snippet} runs as written`, async () => {
    const script = join(readmeDir, snippet.replace(/\.ts$/, ".js"));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], { cwd: readmeDir });
    assert.equal(stderr, "");
    assert.deepEqual(stdout.trimEnd().split("\n"), lines);
  });
}
