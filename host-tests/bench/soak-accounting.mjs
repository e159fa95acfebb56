// Every soak request accounted for three ways: what the client saw, what the
// breaker counted (GET /status metrics), and what the fake upstream counted.
// The client's tallies, with each kind's expectations (soak-requests.mjs),
// predict the other two exactly.

import { BLOCKED, FAILURE, IGNORED, NOT_DELIVERED, SUCCESS, UNEXPECTED } from "./soak-requests.mjs";

/**
 * The upstream's counters a kind's `upstream` names. A stream whose client
 * left ends either way at the upstream: cut short when workerd tells the
 * proxy the client has gone, or run to its end when workerd drops the
 * invocation without a word (cloudflare/workerd#4185), so the two stream
 * counters are compared as a sum, and the cut-short ones against the clients who left.
 */
const UPSTREAM_COUNTERS = {
  completions: ["completions"],
  streams: ["streamsCompleted", "streamsClosedEarly"],
  drops: ["drops"],
  errorEvents: ["errorEvents"],
  stalls: ["stalls"],
  injectedErrors: ["injectedErrors"],
};
const CLASSES = ["ok", "circuit_open", "fallback", "upstream_error", "sse_error", "broken", "aborted", NOT_DELIVERED, UNEXPECTED];

/** Tallies and comparisons; `problems` lists each thing that does not add up. */
export function account(results, metrics, counters, kinds) {
  const problems = [];
  const byKind = new Map(Object.keys(kinds).map((kind) => [kind, { sent: 0, blocked: 0, notDelivered: 0, asExpected: 0, otherwise: new Map() }]));
  const byPhase = new Map();
  const expected = { [SUCCESS]: 0, [FAILURE]: 0, [IGNORED]: 0 };
  const upstreamExpected = Object.fromEntries(Object.keys(UPSTREAM_COUNTERS).map((key) => [key, 0]));
  let blocked = 0;
  let notDelivered = 0;
  for (const result of results) {
    const kind = kinds[result.kind];
    const row = byKind.get(result.kind);
    row.sent += 1;
    if (!byPhase.has(result.phase)) byPhase.set(result.phase, Object.fromEntries(CLASSES.map((name) => [name, 0])));
    byPhase.get(result.phase)[result.seen] += 1;
    if (result.seen === BLOCKED) {
      row.blocked += 1;
      blocked += 1;
      continue;
    }
    if (result.seen === NOT_DELIVERED) {
      row.notDelivered += 1;
      notDelivered += 1;
      continue;
    }
    // Admitted: the breaker and the upstream count it as the kind says.
    expected[kind.outcome] += 1;
    if (kind.upstream !== null) upstreamExpected[kind.upstream] += 1;
    if ([kind.seen].flat().includes(result.seen)) {
      row.asExpected += 1;
    } else {
      const what = result.detail ?? (result.status ? `${result.seen} ${result.status}` : result.seen);
      row.otherwise.set(what, (row.otherwise.get(what) ?? 0) + 1);
    }
  }
  const delivered = results.length - notDelivered;
  const admitted = delivered - blocked;
  for (const [kind, row] of byKind) {
    for (const [what, count] of row.otherwise) problems.push(`${count} × ${kind} seen as ${what}, not ${[kinds[kind].seen].flat().join(" or ")}`);
  }

  const breakerRows = [
    ["calls (totalCalls): delivered", delivered, metrics.totalCalls],
    ["blocked: 503 circuit_open", blocked, metrics.blockedCalls],
    ["successful", expected[SUCCESS], metrics.successfulCalls],
    ["failed", expected[FAILURE], metrics.failedCalls],
    ["ignored (client left)", expected[IGNORED], metrics.ignoredCalls],
    ["in flight", 0, metrics.inFlight],
  ];
  const sum = (names) => names.reduce((total, name) => total + counters[name], 0);
  const upstreamRows = [
    ["requests (admitted calls)", admitted, counters.requests],
    ...Object.entries(UPSTREAM_COUNTERS).map(([key, names]) => [names.join(" + "), upstreamExpected[key], sum(names)]),
  ];
  if (counters.streamsClosedEarly > expected[IGNORED]) {
    problems.push(`upstream streamsClosedEarly: ${counters.streamsClosedEarly}, more than the ${expected[IGNORED]} clients who left`);
  }
  for (const [what, predicted, counted] of breakerRows) {
    if (predicted !== counted) problems.push(`breaker ${what}: ${counted}, the clients' tallies say ${predicted}`);
  }
  for (const [what, predicted, counted] of upstreamRows) {
    if (predicted !== counted) problems.push(`upstream ${what}: ${counted}, the clients' tallies say ${predicted}`);
  }
  const settled = metrics.successfulCalls + metrics.failedCalls + metrics.blockedCalls + metrics.ignoredCalls + metrics.inFlight;
  if (settled !== metrics.totalCalls) problems.push(`breaker totalCalls ${metrics.totalCalls} ≠ its parts ${settled}`);
  const cutShort = { closedEarly: counters.streamsClosedEarly, left: expected[IGNORED] };
  return { byKind, byPhase, breakerRows, upstreamRows, cutShort, problems, notDelivered, stateChanges: metrics.stateChanges };
}

export function printAccount({ byKind, byPhase, breakerRows, upstreamRows, cutShort, stateChanges }) {
  console.log("\nwhat the clients saw, by phase:");
  console.log(table(["phase", ...CLASSES], [...byPhase].map(([phase, counts]) => [phase, ...CLASSES.map((name) => counts[name])])));
  console.log("\nby kind of request (admitted = sent − not delivered − blocked; 'as expected': what the kind must show when admitted):");
  const kindRows = [...byKind].filter(([, row]) => row.sent > 0);
  console.log(
    table(
      ["kind", "sent", "not delivered", "blocked", "admitted", "as expected", "otherwise"],
      kindRows.map(([kind, row]) => {
        const admitted = row.sent - row.notDelivered - row.blocked;
        return [kind, row.sent, row.notDelivered, row.blocked, admitted, row.asExpected, admitted - row.asExpected];
      }),
    ),
  );
  console.log(`\nthe breaker (GET /status; ${stateChanges} state changes), against the clients' tallies:`);
  console.log(table(["", "clients", "breaker", ""], breakerRows.map(([what, predicted, counted]) => [what, predicted, counted, mark(predicted, counted)])));
  console.log("\nthe fake upstream's counters, against the clients' tallies:");
  console.log(table(["", "clients", "upstream", ""], upstreamRows.map(([what, predicted, counted]) => [what, predicted, counted, mark(predicted, counted)])));
  console.log(`  of the ${cutShort.left} streams whose client left, ${cutShort.closedEarly} were cut short at the upstream; the rest ran to their end`);
}

function mark(predicted, counted) {
  return predicted === counted ? "=" : "≠";
}

/** Plain text columns: the first left-aligned, the others right-aligned. */
function table(header, rows) {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column].length)));
  return all
    .map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  "))
    .map((line) => `  ${line.trimEnd()}`)
    .join("\n");
}
