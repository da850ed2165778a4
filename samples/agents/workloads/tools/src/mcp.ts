// MCP server built with the official TypeScript SDK. Stateless Streamable HTTP
// with JSON responses: every POST gets a fresh server + transport.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";

/** Number of whitespace-separated words in `text`. */
export function wordCount(text: string): number {
  const trimmed = text.trim();
  return trimmed.length === 0 ? 0 : trimmed.split(/\s+/).length;
}

export function createServer(): McpServer {
  const server = new McpServer({ name: "capakit-sample-agents-tools", version: "0.1.0" });
  server.registerTool(
    "word_count",
    {
      title: "Word count",
      description: "Counts the whitespace-separated words in a text.",
      inputSchema: { text: z.string().describe("The text to count words in.") },
    },
    async ({ text }) => ({ content: [{ type: "text", text: String(wordCount(text)) }] }),
  );
  return server;
}

export async function handleMcp(request: Request): Promise<Response> {
  const server = createServer();
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // The JSON response is complete once handleRequest resolves.
    void server.close();
  }
}

export async function route(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/healthz") return new Response("ok\n");
  if (pathname === "/mcp" || pathname === "/") return handleMcp(request);
  return new Response("not found\n", { status: 404 });
}
