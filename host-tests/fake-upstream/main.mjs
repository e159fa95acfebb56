#!/usr/bin/env node
// Runs the fake upstream until interrupted: node host-tests/fake-upstream/main.mjs [--port 8788] [--faults '{"errorRate":0.5}']
import { parseArgs } from "node:util";
import { startFakeUpstream } from "./server.mjs";

const { values } = parseArgs({ options: { port: { type: "string", default: "8788" }, faults: { type: "string", default: "{}" } } });
const upstream = await startFakeUpstream({ port: Number(values.port), faults: JSON.parse(values.faults) });
console.log(`fake upstream on ${upstream.url} (control: ${upstream.url}/__control)`);
for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => upstream.close().then(() => process.exit(0)));
