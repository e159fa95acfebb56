// The OpenAI chat-completions wire format: what the fake upstream answers.
// Shapes follow https://platform.openai.com/docs/api-reference/chat, enough for
// the official `openai` client to parse them, streaming and not.

let sequence = 0;

export function completionId() {
  sequence += 1;
  return `chatcmpl-fake${String(sequence).padStart(6, "0")}`;
}

/** The reply, as the content pieces a stream sends one by one. */
export function replyPieces(request, chunkCount) {
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const last = messages.at(-1);
  const said = typeof last?.content === "string" ? last.content : "nothing";
  const words = `This is the fake upstream answering: ${said}`.split(/\s+/).filter(Boolean);
  const count = chunkCount ?? words.length;
  return Array.from({ length: count }, (_, index) => (index === 0 ? "" : " ") + words[index % words.length]);
}

function usage(request, pieces) {
  const promptTokens = JSON.stringify(request.messages ?? []).length >> 2;
  return { prompt_tokens: promptTokens, completion_tokens: pieces.length, total_tokens: promptTokens + pieces.length };
}

export function completion(id, request, pieces) {
  return {
    id,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: request.model ?? "fake-model",
    choices: [
      { index: 0, message: { role: "assistant", content: pieces.join(""), refusal: null }, logprobs: null, finish_reason: "stop" },
    ],
    usage: usage(request, pieces),
  };
}

/** Every SSE event of a streamed completion, as wire text, in order. */
export function streamEvents(id, request, pieces) {
  const base = { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: request.model ?? "fake-model" };
  const chunk = (delta, finishReason = null) =>
    sse({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  const events = [chunk({ role: "assistant", content: "" })];
  for (const piece of pieces) events.push(chunk({ content: piece }));
  events.push(chunk({}, "stop"));
  if (request.stream_options?.include_usage) events.push(sse({ ...base, choices: [], usage: usage(request, pieces) }));
  events.push("data: [DONE]\n\n");
  return events;
}

export function sse(data) {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/** An error event in the middle of a stream, as OpenAI or Anthropic send it. */
export function streamErrorEvent(style) {
  if (style === "anthropic") {
    return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })}\n\n`;
  }
  return sse({ error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null } });
}

/** An OpenAI error body for a non-2xx response. */
export function errorBody(status, message) {
  const type = status === 429 ? "rate_limit_exceeded" : status >= 500 ? "server_error" : "invalid_request_error";
  return { error: { message, type, param: null, code: null } };
}
