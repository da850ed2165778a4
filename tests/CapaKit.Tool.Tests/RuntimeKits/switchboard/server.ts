// A test workload for the gateway's protocol endpoints; every workload of the switchboard Kit runs this file.
//
//   POST <any path>   a minimal MCP server (JSON answers, no sessions) with one tool, `whoami`, answering the workload name
//   GET  /v1/models   an OpenAI-compatible model list with one model, `<workload>-model`
//
// While a file named `hold` exists in the workload root, the server waits before it listens: a test holds a
// restarted workload in "starting" until it has checked what the gateway reports meanwhile.
import { existsSync, unlinkSync } from "node:fs";

const name = process.env.CAPAKIT_WORKLOAD_MID ?? "unknown";
const bind = process.env.CAPAKIT_RUNNER_MANAGED_INGRESS_BIND ?? "";
if (!bind.startsWith("unix:")) {
  console.error(`[${name}] expected a unix: ingress bind, got '${bind}'`);
  process.exit(2);
}
const socket = bind.slice("unix:".length);

while (existsSync("hold")) {
  await Bun.sleep(50);
}

function answer(id: unknown, result: unknown): Response {
  return Response.json({ jsonrpc: "2.0", id, result });
}

async function mcp(request: Request): Promise<Response> {
  const message = (await request.json()) as { id?: unknown; method?: string; params?: Record<string, unknown> };
  if (message.id === undefined) return new Response(null, { status: 202 });
  switch (message.method) {
    case "initialize":
      return answer(message.id, {
        protocolVersion: (message.params?.protocolVersion as string) ?? "2025-06-18",
        capabilities: { tools: {} },
        serverInfo: { name, version: "1.0.0" },
      });
    case "ping":
      return answer(message.id, {});
    case "tools/list":
      return answer(message.id, {
        tools: [{ name: "whoami", description: `Answers '${name}'.`, inputSchema: { type: "object" } }],
      });
    case "tools/call":
      return answer(message.id, { content: [{ type: "text", text: name }] });
    default:
      return Response.json({ jsonrpc: "2.0", id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } });
  }
}

try {
  unlinkSync(socket);
} catch {}
const server = Bun.serve({
  unix: socket,
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname.endsWith("/models")) {
      return Response.json({ object: "list", data: [{ id: `${name}-model`, object: "model", owned_by: name }] });
    }
    if (request.method === "POST") return mcp(request);
    return new Response("method not allowed\n", { status: 405 });
  },
});
console.log(`[${name}] listening on ${socket}`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    server.stop(true);
    process.exit(0);
  });
}
