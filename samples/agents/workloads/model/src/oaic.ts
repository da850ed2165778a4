// A deterministic OpenAI-compatible mock: model `echo-1` answers "echo: <last user message>".
export const MODEL = "echo-1";
const CREATED = 1_700_000_000;

type ChatMessage = { role?: string; content?: unknown };

function text(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((p) => (p && typeof p === "object" && typeof (p as { text?: unknown }).text === "string" ? (p as { text: string }).text : "")).join("");
  }
  return "";
}

export function reply(messages: ChatMessage[]): string {
  const last = [...messages].reverse().find((m) => m.role === "user");
  return `echo: ${text(last?.content)}`;
}

function oaiError(status: number, message: string): Response {
  return Response.json({ error: { message, type: "invalid_request_error", param: null, code: null } }, { status });
}

function usage(prompt: string, completion: string) {
  const words = (s: string) => (s.trim() === "" ? 0 : s.trim().split(/\s+/).length);
  const p = words(prompt);
  const c = words(completion);
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

export function models(): Response {
  return Response.json({ object: "list", data: [{ id: MODEL, object: "model", created: CREATED, owned_by: "capakit" }] });
}

export async function chatCompletions(request: Request): Promise<Response> {
  let body: { model?: unknown; messages?: unknown; stream?: unknown };
  try {
    body = (await request.json()) as typeof body;
  } catch {
    return oaiError(400, "body is not valid JSON");
  }
  if (body.model !== MODEL) return oaiError(404, `model not found: ${String(body.model)}`);
  if (!Array.isArray(body.messages)) return oaiError(400, "messages must be an array");
  const messages = body.messages as ChatMessage[];
  const answer = reply(messages);
  const prompt = messages.map((m) => text(m.content)).join(" ");
  const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
  const created = Math.floor(Date.now() / 1000);

  if (body.stream !== true) {
    return Response.json({
      id,
      object: "chat.completion",
      created,
      model: MODEL,
      choices: [{ index: 0, message: { role: "assistant", content: answer, refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: usage(prompt, answer),
    });
  }

  const words = answer.split(" ");
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: MODEL, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
  const events = [
    chunk({ role: "assistant", content: "" }, null),
    ...words.map((w, i) => chunk({ content: i === 0 ? w : ` ${w}` }, null)),
    chunk({}, "stop"),
    "data: [DONE]\n\n",
  ];
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const e of events) controller.enqueue(encoder.encode(e));
      controller.close();
    },
  });
  return new Response(stream, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
}

export async function route(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/healthz") return new Response("ok\n");
  if (pathname === "/v1/models" && request.method === "GET") return models();
  if (pathname === "/v1/chat/completions" && request.method === "POST") return chatCompletions(request);
  return oaiError(404, `not found: ${request.method} ${pathname}`);
}
