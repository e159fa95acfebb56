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

export function mib(kib) {
  return (kib / 1024).toFixed(1);
}

/**
 * RSS at each quarter of the first `requestsDone` requests and at the last
 * sample (`lastLabel`), and the slope over each half: flat is near 0 in the second.
 */
export function memoryReport(samples, requestsDone, lastLabel) {
  const during = samples.filter((sample) => sample.requests <= requestsDone);
  const at = (share) =>
    during.reduce((best, sample) => (Math.abs(sample.requests - requestsDone * share) < Math.abs(best.requests - requestsDone * share) ? sample : best));
  const quarters = [0, 0.25, 0.5, 0.75, 1].map(at);
  const perHundredThousand = (half) => (slope(half, (s) => s.requests, (s) => s.kib) * 100_000) / 1024;
  const firstHalf = during.filter((sample) => sample.requests <= requestsDone / 2);
  const secondHalf = during.filter((sample) => sample.requests >= requestsDone / 2);
  return (
    `workerd RSS (MiB) at 0 / ¼ / ½ / ¾ / all of the requests: ${quarters.map((sample) => mib(sample.kib)).join(" / ")}; ` +
    `${lastLabel} ${mib(samples.at(-1).kib)}; peak ${mib(Math.max(...samples.map((sample) => sample.kib)))} (${samples.length} samples, 1 s apart)\n` +
    `  slope: ${perHundredThousand(firstHalf).toFixed(1)} MiB per 100,000 requests over the first half, ${perHundredThousand(secondHalf).toFixed(1)} over the second`
  );
}
