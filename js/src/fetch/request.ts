// What the caller asked for, read the way the runtime reads it, before the
// breaker is asked for a permit. Only the upstream moves the breaker: a call
// the runtime refuses before anything is sent says nothing about the upstream.

/** The request as the runtime read it, and the caller's signal, which the request does not carry. */
interface CallerRequest {
  readonly request: Request;
  readonly signal: AbortSignal | undefined;
}

/**
 * The request `fetch(input, init)` would send. `new Request` throws the
 * runtime's own error for each of the caller's mistakes (an invalid URL, a
 * header value with a newline, a method with a space, a body on GET, an
 * `init` that is not an object, a `signal` that is not an AbortSignal where
 * the runtime insists on one). A Request given alone is copied too: that is
 * where a body already used is refused.
 *
 * The caller's signal is picked as fetch picks it (`init.signal`, where
 * undefined means absent and null means none, else a Request's own) and kept
 * out of the request: a Request made with a signal listens to it until the
 * Request is collected (in Node: thousands of listeners on a long-lived
 * signal, and a warning past 1500), where caller-signal.ts listens once per
 * signal for every call.
 */
export function readRequest(input: RequestInfo | URL, init: RequestInit | undefined): CallerRequest {
  const given = typeof init === "object" && init !== null && init.signal !== undefined ? init.signal : undefined;
  const signal = given === undefined && input instanceof Request ? input.signal : given;
  input = keepingTheCallersBody(input, init);
  if (!(signal instanceof AbortSignal)) {
    // None, or not an AbortSignal: the runtime decides (it refuses, or, in Node, takes a look-alike).
    return { request: new Request(input, init), signal: signal ?? undefined };
  }
  // `init` as it is (its inherited members too), but without the signal.
  const unsignalled: RequestInit = Object.create(init ?? null, { signal: { value: null, enumerable: true } });
  return { request: new Request(input, unsignalled), signal };
}

/**
 * A copy of a Request whose body would be taken (no `init.body` replaces
 * it), so that the caller's own stays readable: a call refused, or answered
 * by a fallback, leaves the caller free to send it elsewhere. A body already
 * used throws the runtime's own TypeError here, as fetch would.
 */
function keepingTheCallersBody(input: RequestInfo | URL, init: RequestInit | undefined): RequestInfo | URL {
  if (!(input instanceof Request) || input.body === null) return input;
  const replaced = typeof init === "object" && init !== null && init.body !== undefined;
  return replaced ? input : input.clone();
}

/**
 * Whether the request goes to an upstream the breaker guards: http: and
 * https: only. Any other scheme (data:, blob:, file: in Deno, ftp:) has no
 * upstream that can fail: it is handed to the fetch as it is, outside the
 * breaker, and succeeds or fails exactly as that fetch makes it.
 */
export function isHttp(request: Request): boolean {
  const { url } = request;
  return url.startsWith("https:") || url.startsWith("http:");
}
