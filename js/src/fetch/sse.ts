// Reads a Server-Sent Events stream as it passes, holding none of it back, for
// the two ways an LLM API's 200 stream can still fail:
// - an error event, how the API reports a failure once the headers are gone:
//     OpenAI and compatibles (OpenRouter, vLLM): data: {"error": {...}}
//     Anthropic, OpenAI Responses:               event: error · event: response.failed
// - no end marker: every LLM API marks the end of a whole stream, so one that
//   has shown an LLM API's shape and closes cleanly without the mark was cut
//   short upstream (a proxy or the API's own server gave up; Node 20's fetch
//   even passes off a chunked reply cut by a FIN as a clean end). A stream of
//   no known shape (plain SSE: notifications, tickers) needs no mark, so the
//   default rule cannot open the circuit on a healthy non-LLM stream.

/**
 * The `streamEnd` option as the scanner uses it: whether a line of the stream
 * (without its line ending) marks its end; `null` (`streamEnd: false`): any
 * clean end is a whole stream.
 */
export type StreamEndRule = ((line: string) => boolean) | null;

/**
 * Lines up to this long are kept whole until they end. A longer one is
 * judged by its first this-many characters and its rest passes unread, so the
 * scanner's memory stays bounded whatever the upstream sends.
 */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * The scanner for a response, or undefined when its body is not an event
 * stream. Only a 2xx stream is held to its end marker: a 4xx that passed as
 * the caller's fault says nothing of the upstream however it ends.
 */
export function sseScannerFor(response: Response, streamEnd: StreamEndRule): SseScanner | undefined {
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("text/event-stream")) return undefined;
  return new SseScanner(response.ok ? streamEnd : null);
}

class SseScanner {
  readonly #decoder = new TextDecoder();
  readonly #isEnd: StreamEndRule;
  /** The unfinished last line of the chunks so far. */
  #partial = "";
  /** The current line passed MAX_LINE_CHARS: it was judged by its head, its rest is skipped. */
  #overlong = false;
  /** The last chunk ended in \r: a \n first in the next one ends no other line. */
  #afterCarriageReturn = false;
  #endSeen = false;
  /**
   * Whether a clean end must have shown the marker: always for a rule of the
   * caller's own; for the built-in one, once the stream has shown an LLM API's shape.
   */
  #endRequired: boolean;

  constructor(streamEnd: StreamEndRule) {
    this.#isEnd = streamEnd;
    this.#endRequired = streamEnd !== null && streamEnd !== isLlmStreamEnd;
  }

  /** Feeds the next chunk; true when it holds an error event. */
  scan(chunk: Uint8Array): boolean {
    const text = this.#decoder.decode(chunk, { stream: true });
    let found = false;
    let start = 0;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue; // SSE lines end in \n, \r or \r\n
      const secondHalfOfCrLf = code === 10 && (index === 0 ? this.#afterCarriageReturn : text.charCodeAt(index - 1) === 13);
      if (!secondHalfOfCrLf) {
        if (!this.#overlong && this.#line(this.#partial + text.slice(start, index))) found = true;
        this.#partial = "";
        this.#overlong = false;
      }
      start = index + 1;
    }
    if (text.length > 0) this.#afterCarriageReturn = text.charCodeAt(text.length - 1) === 13;
    if (start < text.length && !this.#overlong) {
      this.#partial += text.slice(start);
      if (this.#partial.length > MAX_LINE_CHARS) {
        if (isErrorHead(this.#partial)) found = true;
        this.#partial = "";
        this.#overlong = true;
      }
    }
    return found;
  }

  /**
   * At the body's clean end: true when the stream failed all the same, with
   * an error event on its last line (no line ending after it) or with no end
   * marker seen (when a rule asks for one).
   */
  finish(): boolean {
    const rest = this.#partial + this.#decoder.decode();
    this.#partial = "";
    if (rest !== "" && !this.#overlong && this.#line(rest)) return true;
    return this.#endRequired && !this.#endSeen;
  }

  /** Judges one whole line; true when it is an error event. */
  #line(line: string): boolean {
    if (line.length > MAX_LINE_CHARS) return isErrorHead(line);
    if (!this.#endSeen && this.#isEnd !== null && marksEnd(this.#isEnd, line)) this.#endSeen = true;
    if (!this.#endRequired && this.#isEnd === isLlmStreamEnd && isLlmStreamShape(line)) this.#endRequired = true;
    return isErrorLine(line);
  }
}

/** A rule that throws cannot vouch for the line: not the end. */
function marksEnd(isEnd: (line: string) => boolean, line: string): boolean {
  try {
    return Boolean(isEnd(line));
  } catch {
    return false;
  }
}

/** The events that end a whole stream of each LLM API (streamEnd: "llm"). */
const LLM_END_EVENTS = new Set([
  "message_stop", // Anthropic Messages
  "response.completed", // OpenAI Responses: a whole answer
  "response.incomplete", // OpenAI Responses: cut at max_output_tokens or by a content filter, as asked
]);
/** Gemini's last chunk carries the candidate's finishReason; no earlier chunk has one. */
const GEMINI_FINISH = /"finishReason"\s*:\s*"/;

/**
 * The built-in end markers: `data: [DONE]` (OpenAI Chat Completions and the
 * APIs compatible with it), `event: message_stop` (Anthropic),
 * `event: response.completed` or `response.incomplete` (OpenAI Responses), a
 * `data:` chunk with a `finishReason` (Gemini).
 */
export function isLlmStreamEnd(line: string): boolean {
  if (line.startsWith("event:")) return LLM_END_EVENTS.has(line.slice(6).trim());
  if (!line.startsWith("data:")) return false;
  const data = line.slice(5).trim();
  return data === "[DONE]" || (data.includes('"finishReason"') && GEMINI_FINISH.test(data));
}

/**
 * A line only an LLM API's stream has, from its first event on: a Chat
 * Completions chunk (OpenAI and compatibles), `event: message_start`
 * (Anthropic), an `event: response.…` (OpenAI Responses), a chunk with
 * `candidates` (Gemini). Such a stream must end with its marker.
 */
function isLlmStreamShape(line: string): boolean {
  if (line.startsWith("event:")) {
    const event = line.slice(6).trim();
    return event === "message_start" || event.startsWith("response.");
  }
  return line.startsWith("data:") && (line.includes('"chat.completion.chunk"') || line.includes('"candidates"'));
}

const ERROR_EVENTS = new Set(["error", "response.failed"]);

function isErrorLine(line: string): boolean {
  if (line.startsWith("event:")) return ERROR_EVENTS.has(line.slice(6).trim());
  if (!line.startsWith("data:") || !line.includes('"error"')) return false;
  return isErrorPayload(line.slice(5).trim());
}

/** `{"error": {...}}` or `{"error": "..."}` (an `"error": null` in a normal chunk is not one), or `{"type": "error"}`. */
function isErrorPayload(data: string): boolean {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return false;
  }
  if (typeof payload !== "object" || payload === null) return false;
  const { error, type } = payload as { error?: unknown; type?: unknown };
  return (typeof error === "object" && error !== null) || typeof error === "string" || type === "error";
}

/**
 * The same judgement for a line too long to parse, by how it begins: a
 * `data:` object whose first key is an `"error"` object or string, or whose
 * `"type"` is `"error"`. (No event name is that long, so an overlong
 * `event:` line is never an error.)
 */
const ERROR_HEAD = /^data:\s*\{\s*"(?:error"\s*:\s*[{"]|type"\s*:\s*"error")/;

function isErrorHead(head: string): boolean {
  return ERROR_HEAD.test(head);
}
