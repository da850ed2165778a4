// A tiny A2A agent: an agent card and JSON-RPC `message/send` that answers with the text reversed.

export function agentCard(url: string) {
  return {
    protocolVersion: "0.3.0",
    name: "reverser",
    description: "Answers every message with its text reversed.",
    url,
    preferredTransport: "JSONRPC",
    version: "0.1.0",
    capabilities: { streaming: false, pushNotifications: false, stateTransitionHistory: false },
    defaultInputModes: ["text/plain"],
    defaultOutputModes: ["text/plain"],
    skills: [
      {
        id: "reverse",
        name: "Reverse text",
        description: "Reverses the text of the message.",
        tags: ["text", "demo"],
        examples: ["hello → olleh"],
      },
    ],
  };
}

export function reverse(text: string): string {
  return Array.from(text).reverse().join("");
}

type Part = { kind?: string; text?: string };
type Id = string | number | null;

function error(id: Id, code: number, message: string) {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

export function handleRpc(body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return error(null, -32600, "invalid request");
  const msg = body as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  const id: Id = typeof msg.id === "string" || typeof msg.id === "number" ? msg.id : null;
  if (msg.jsonrpc !== "2.0" || typeof msg.method !== "string") return error(id, -32600, "invalid request");
  if (msg.method !== "message/send") return error(id, -32601, `method not found: ${msg.method}`);
  const message = (msg.params as { message?: { parts?: Part[]; contextId?: string; messageId?: string } } | undefined)?.message;
  if (!message || !Array.isArray(message.parts)) return error(id, -32602, "params.message.parts is required");
  const text = message.parts.filter((p) => p.kind === "text" && typeof p.text === "string").map((p) => p.text).join("");
  return {
    jsonrpc: "2.0",
    id,
    result: {
      kind: "message",
      role: "agent",
      messageId: crypto.randomUUID(),
      contextId: message.contextId ?? crypto.randomUUID(),
      parts: [{ kind: "text", text: reverse(text) }],
    },
  };
}

/** The public URL the card names: the gateway rewrites it; X-Forwarded-* give a good default. */
function publicUrl(request: Request): string {
  const url = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? url.host;
  const proto = request.headers.get("x-forwarded-proto") ?? "http";
  const prefix = request.headers.get("x-forwarded-prefix") ?? "";
  return `${proto}://${host}${prefix}`;
}

export async function route(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/healthz") return new Response("ok\n");
  if (pathname === "/.well-known/agent-card.json" && request.method === "GET") {
    return Response.json(agentCard(publicUrl(request)));
  }
  if (pathname === "/" && request.method === "POST") {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return Response.json(error(null, -32700, "parse error"));
    }
    return Response.json(handleRpc(body));
  }
  return new Response("not found\n", { status: 404 });
}
