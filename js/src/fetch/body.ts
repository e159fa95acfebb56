// A response body passed through untouched and unbuffered, watched on the way:
// the call's outcome is known only when a streamed body ends (success), errors
// or stalls (failure), carries an SSE error event or ends without its end
// marker (failure) or is cancelled by its reader (ignored). A half-open probe
// is judged at its first chunk instead (call.ts reads it ahead).

import { sseScannerFor, type StreamEndRule } from "./sse.js";

/** What the body reports to its call (call.ts). */
export interface BodyWatcher {
  /** The next chunk from the upstream, under the time limits of a wait on it. */
  read(source: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** A chunk arrived (after the SSE scan of it). */
  received(): void;
  ended(): void;
  /** Settles for a read that threw; returns the error the reader should see. */
  failed(error: unknown): unknown;
  errorEvent(): void;
  cancelled(): void;
}

/** A guarded body: the response to hand on, what lives as long as it can be read, and a way to read its first chunk before anyone asks. */
export interface GuardedBody {
  readonly response: Response;
  /**
   * The function the stream calls for more: it lives exactly as long as
   * anyone can still read the body. (Not the stream object itself: workerd
   * may let a stream's JavaScript object go while the Response reads on.)
   */
  readonly readable: object;
  /** Reads the first chunk now and keeps it for the reader's first read: a probe is judged at its first byte, reader or not. */
  readAhead(): void;
}

/** What a read of the upstream came to, for the reader: a chunk, the end, or an error. */
type Step = ReadableStreamReadResult<Uint8Array> | { readonly error: unknown };

/**
 * Wraps `response`'s body. Throws, leaving `response` as it was, when the
 * runtime will not build a Response like it (a status outside 200–599, a
 * body already read).
 */
export function guardBody(response: Response, watcher: BodyWatcher, streamEnd: StreamEndRule): GuardedBody {
  const source = (response.body as ReadableStream<Uint8Array>).getReader();
  const scanner = sseScannerFor(response, streamEnd);
  // No closure here may hold the stream, the Response or `pull`: the call must
  // be able to learn (unread.ts) that nobody can read them any more.
  const next = async (): Promise<Step> => {
    let result: ReadableStreamReadResult<Uint8Array>;
    try {
      result = await watcher.read(source);
    } catch (error) {
      return { error: watcher.failed(error) };
    }
    if (result.done) {
      if (scanner?.finish()) watcher.errorEvent(); // an error on the last line, or cut short before the end marker
      watcher.ended();
    } else {
      if (scanner?.scan(result.value)) watcher.errorEvent();
      watcher.received();
    }
    return result;
  };
  let ahead: Promise<Step> | undefined;
  const pull = async (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> => {
    const step = await (ahead ?? next());
    ahead = undefined;
    if ("error" in step) controller.error(step.error);
    else if (step.done) controller.close();
    else controller.enqueue(step.value);
  };
  const cancel = (reason: unknown): Promise<void> => {
    watcher.cancelled();
    return source.cancel(reason);
  };
  // Read from upstream only when our reader asks: nothing is held back, nothing read ahead.
  const body = new ReadableStream<Uint8Array>({ pull, cancel }, { highWaterMark: 0 });
  let guarded: Response;
  try {
    guarded = new Response(body, response);
  } catch (error) {
    source.releaseLock();
    throw error;
  }
  keepIdentity(guarded, response);
  return {
    response: guarded,
    readable: pull,
    readAhead() {
      ahead ??= next();
    },
  };
}

/**
 * A Response built from another keeps its status and headers, but not where
 * it came from: `url`, `redirected` and `type` are the upstream's (a client
 * that follows redirects, or checks `type`, reads them).
 */
function keepIdentity(guarded: Response, response: Response): void {
  for (const key of ["url", "redirected", "type"] as const) {
    const value = response[key];
    if (value !== undefined && guarded[key] !== value) Object.defineProperty(guarded, key, { value });
  }
}
