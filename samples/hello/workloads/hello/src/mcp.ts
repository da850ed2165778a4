// A minimal MCP server (streamable HTTP transport, JSON responses) with one
// tool, `hello-world`. Plain JSON-RPC 2.0 handling; no SDK.

export const LATEST_PROTOCOL_VERSION = "2025-06-18";
export const SUPPORTED_PROTOCOL_VERSIONS = [LATEST_PROTOCOL_VERSION, "2025-03-26", "2024-11-05"];
export const SERVER_INFO = { name: "capakit-sample-hello", version: "0.1.0" };

export const ERROR = {
  parse: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
} as const;

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_NAME_LENGTH = 200;

type Id = string | number | null;
type JsonObject = Record<string, unknown>;
export type RpcResponse =
  | { jsonrpc: "2.0"; id: Id; result: unknown }
  | { jsonrpc: "2.0"; id: Id; error: { code: number; message: string; data?: unknown } };

export const HELLO_TOOL = {
  name: "hello-world",
  title: "Hello world",
  description: 'Says "hello world", or "hello <name>" when a name is given.',
  inputSchema: {
    type: "object",
    properties: {
      name: { type: "string", description: "Who to greet (optional)." },
    },
    additionalProperties: false,
  },
};

class RpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** The text the `hello-world` tool returns. */
export function greeting(name?: string): string {
  const trimmed = (name ?? "").trim();
  return trimmed.length === 0 ? "hello world" : `hello ${trimmed}`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isValidId(value: unknown): value is string | number {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value));
}

function errorResponse(id: Id, code: number, message: string): RpcResponse {
  return { jsonrpc: "2.0", id, error: { code, message } };
}

function callMethod(method: string, params: unknown): unknown {
  switch (method) {
    case "initialize": {
      const requested = isObject(params) ? params.protocolVersion : undefined;
      const protocolVersion =
        typeof requested === "string" && SUPPORTED_PROTOCOL_VERSIONS.includes(requested)
          ? requested
          : LATEST_PROTOCOL_VERSION;
      return {
        protocolVersion,
        capabilities: { tools: { listChanged: false } },
        serverInfo: SERVER_INFO,
        instructions: "Call the hello-world tool to get a greeting.",
      };
    }
    case "ping":
      return {};
    case "tools/list":
      return { tools: [HELLO_TOOL] };
    case "tools/call": {
      if (!isObject(params) || typeof params.name !== "string") {
        throw new RpcError(ERROR.invalidParams, "tools/call needs params.name (string)");
      }
      if (params.name !== HELLO_TOOL.name) {
        throw new RpcError(ERROR.invalidParams, `unknown tool: ${params.name}`);
      }
      const args = params.arguments ?? {};
      if (!isObject(args)) {
        throw new RpcError(ERROR.invalidParams, "tools/call arguments must be an object");
      }
      const name = args.name;
      if (name !== undefined && typeof name !== "string") {
        throw new RpcError(ERROR.invalidParams, "argument `name` must be a string");
      }
      if (typeof name === "string" && name.length > MAX_NAME_LENGTH) {
        throw new RpcError(ERROR.invalidParams, `argument \`name\` is longer than ${MAX_NAME_LENGTH} characters`);
      }
      return { content: [{ type: "text", text: greeting(name) }], isError: false };
    }
    default:
      throw new RpcError(ERROR.methodNotFound, `method not found: ${method}`);
  }
}

/**
 * Handles one JSON-RPC message. Returns the response for a request, or null for
 * a notification or a client response (nothing to answer).
 */
export function handleMessage(message: unknown): RpcResponse | null {
  if (!isObject(message) || message.jsonrpc !== "2.0") {
    const id = isObject(message) && isValidId(message.id) ? message.id : null;
    return errorResponse(id, ERROR.invalidRequest, "invalid JSON-RPC 2.0 message");
  }
  const hasId = "id" in message;
  if (typeof message.method !== "string") {
    // A response from the client (to a server request we never send): ignore it.
    if (hasId && ("result" in message || "error" in message)) return null;
    return errorResponse(isValidId(message.id) ? message.id : null, ERROR.invalidRequest, "missing method");
  }
  if (!hasId) return null; // notification, e.g. notifications/initialized: nothing to do
  if (!isValidId(message.id)) {
    return errorResponse(null, ERROR.invalidRequest, "id must be a string or a number");
  }
  try {
    return { jsonrpc: "2.0", id: message.id, result: callMethod(message.method, message.params) };
  } catch (error) {
    if (error instanceof RpcError) return errorResponse(message.id, error.code, error.message);
    return errorResponse(message.id, ERROR.internal, "internal error");
  }
}

function mediaType(value: string | null): string {
  return (value ?? "").split(";")[0]!.trim().toLowerCase();
}

function acceptList(request: Request): string[] {
  return (request.headers.get("accept") ?? "").split(",").map(mediaType).filter((v) => v.length > 0);
}

type Format = "json" | "sse" | "ndjson";

/**
 * JSON by default (allowed by the streamable HTTP transport even when the client
 * also accepts text/event-stream). A client that accepts only an event stream
 * gets one SSE event; a client that posted NDJSON without asking for JSON gets
 * NDJSON back (what the CapaKit TypeScript SDK's client sends).
 */
function responseFormat(request: Request, ndjsonBody: boolean): Format {
  const accept = acceptList(request);
  const json = accept.includes("application/json") || accept.includes("application/*") || accept.includes("*/*");
  if (json) return "json";
  if (accept.includes("text/event-stream")) return "sse";
  return ndjsonBody ? "ndjson" : "json";
}

function encode(messages: RpcResponse[], batch: boolean, format: Format): Response {
  if (format === "sse") {
    const body = messages.map((m) => `event: message\ndata: ${JSON.stringify(m)}\n\n`).join("");
    return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-store" } });
  }
  if (format === "ndjson") {
    const body = messages.map((m) => JSON.stringify(m)).join("\n") + "\n";
    return new Response(body, { headers: { "content-type": "application/x-ndjson" } });
  }
  return Response.json(batch ? messages : messages[0], {
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

function httpError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json(errorResponse(null, code, message), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Browsers send Origin; only local pages may talk to this server (DNS-rebinding guard). */
export function isAllowedOrigin(origin: string | null): boolean {
  if (origin === null) return true;
  try {
    const host = new URL(origin).hostname.toLowerCase();
    return LOOPBACK_HOSTS.has(host) || host.endsWith(".localhost");
  } catch {
    return false;
  }
}

/** The streamable HTTP endpoint: POST carries JSON-RPC; GET/DELETE are not offered (no sessions, no server stream). */
export async function handleMcpHttp(request: Request): Promise<Response> {
  if (!isAllowedOrigin(request.headers.get("origin"))) {
    return httpError(403, ERROR.invalidRequest, "origin not allowed");
  }
  if (request.method !== "POST") {
    return new Response("method not allowed\n", { status: 405, headers: { allow: "POST" } });
  }
  const version = request.headers.get("mcp-protocol-version");
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    return httpError(400, ERROR.invalidRequest, `unsupported MCP-Protocol-Version: ${version}`);
  }
  const contentType = mediaType(request.headers.get("content-type"));
  const ndjsonBody = contentType === "application/x-ndjson";
  if (contentType !== "" && contentType !== "application/json" && !ndjsonBody) {
    return httpError(415, ERROR.invalidRequest, "content type must be application/json");
  }
  const declaredLength = Number(request.headers.get("content-length") ?? "0");
  if (declaredLength > MAX_BODY_BYTES) {
    return httpError(413, ERROR.invalidRequest, "request body too large");
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) {
    return httpError(413, ERROR.invalidRequest, "request body too large");
  }

  let messages: unknown[];
  let batch = false;
  try {
    if (ndjsonBody) {
      messages = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).map((l) => JSON.parse(l));
      batch = messages.length > 1;
    } else {
      const parsed: unknown = JSON.parse(text);
      batch = Array.isArray(parsed);
      messages = Array.isArray(parsed) ? parsed : [parsed];
    }
  } catch {
    return httpError(400, ERROR.parse, "parse error: body is not valid JSON");
  }
  if (messages.length === 0) {
    return httpError(400, ERROR.invalidRequest, "empty batch");
  }

  const responses = messages.map(handleMessage).filter((r): r is RpcResponse => r !== null);
  if (responses.length === 0) {
    return new Response(null, { status: 202 }); // only notifications / responses
  }
  return encode(responses, batch, responseFormat(request, ndjsonBody));
}
