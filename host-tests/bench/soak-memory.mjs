// The resident memory of the workerd process that Miniflare started for this
// Node process (a direct child named "workerd"), sampled from /proc (Linux).

import { readFileSync, readdirSync } from "node:fs";

/** Pids of this process's children named `name`. */
export function childPids(name) {
  const pids = [];
  for (const thread of readdirSync(`/proc/${process.pid}/task`)) {
    const children = readFileSync(`/proc/${process.pid}/task/${thread}/children`, "utf8").trim();
    for (const pid of children ? children.split(" ") : []) {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === name) pids.push(Number(pid));
    }
  }
  return pids;
}

/** VmRSS of `pid` in KiB. */
export function residentKiB(pid) {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!line) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(line[1]);
}

/**
 * Samples `pid`'s RSS every `intervalMs`, each with `progress()` (requests
 * done so far) and the seconds since the start. `stop()` takes a last sample
 * and returns them all.
 */
export function sampleMemory(pid, progress, intervalMs = 1000) {
  const started = performance.now();
  const samples = [];
  const take = () => samples.push({ seconds: (performance.now() - started) / 1000, requests: progress(), kib: residentKiB(pid) });
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Least-squares slope of y over x. */
export function slope(points, x, y) {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((sum, point) => sum + x(point), 0) / n;
  const meanY = points.reduce((sum, point) => sum + y(point), 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (x(point) - meanX) * (y(point) - meanY);
    variance += (x(point) - meanX) ** 2;
  }
  return variance === 0 ? 0 : covariance / variance;
}
