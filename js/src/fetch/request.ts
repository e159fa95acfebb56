// What the caller asked for, read the way the runtime reads it, before the
// breaker is asked for a permit. Only the upstream moves the breaker: a call
// the runtime refuses before anything is sent says nothing about the upstream.

/**
 * The request `fetch(input, init)` would send. `new Request` throws the
 * runtime's own error for each of the caller's mistakes (an invalid URL, a
 * header value with a newline, a method with a space, a body on GET, an
 * `init` that is not an object, a `signal` that is not an AbortSignal where
 * the runtime insists on one), and merges `input` and `init` as fetch does
 * (`init.signal: undefined` keeps a Request's own signal; `null` drops it).
 * A Request given alone is copied too: that is where a body already used
 * is refused.
 */
export function requestFor(input: RequestInfo | URL, init: RequestInit | undefined): Request {
  return new Request(input, init);
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

/**
 * Whether the runtime refused to send because the program may not (Deno
 * without `--allow-net`: `NotCapable`, or `PermissionDenied` before Deno 2):
 * the program's setup, not the upstream. Such a call is ignored and the
 * runtime's error rethrown, never hidden behind an open circuit.
 */
export function isPermissionError(error: unknown): boolean {
  const errors = (globalThis as { Deno?: { errors?: Record<string, unknown> } }).Deno?.errors;
  if (errors === undefined) return false;
  for (const name of ["NotCapable", "PermissionDenied"]) {
    const type = errors[name];
    if (typeof type === "function" && error instanceof type) return true;
  }
  return false;
}
