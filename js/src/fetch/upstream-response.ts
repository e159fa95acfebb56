// What a `fetch` must resolve to for the breaker to judge it and pass it on.
// A custom `fetch` that breaks the contract (resolves to something else, or to
// a Response whose body is a Node.js stream, as node-fetch's is) is a bug in
// the program, not news of the upstream: the call is ignored and rejects with
// a TypeError that says what came back, rather than opening the circuit.

import { describe } from "../describe.js";

/** Why `value` is not a Response this layer can judge and pass on; undefined when it is one. */
export function notAResponse(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return `fetch must resolve to a Response; got ${describe(value)}`;
  // Duck-typed: a Response of another realm or library (the undici package's) will do.
  const { status, headers, body } = value as { status?: unknown; headers?: { get?: unknown }; body?: { getReader?: unknown } | null };
  if (typeof status !== "number" || typeof headers?.get !== "function") {
    return "fetch must resolve to a Response; got an object without a status and headers";
  }
  if (body !== null && body !== undefined && typeof body.getReader !== "function") {
    return "fetch must resolve to a Response whose body is a web ReadableStream; got another kind of body (a Node.js stream?)";
  }
  return undefined;
}
