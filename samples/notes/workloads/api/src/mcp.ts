// The MCP endpoint, built with the official TypeScript SDK: stateless Streamable HTTP with JSON responses,
// a fresh server and transport per request.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";

import { NotesError, type Notes } from "./notes.ts";

function text(value: string, isError = false) {
  return { content: [{ type: "text" as const, text: value }], ...(isError ? { isError: true } : {}) };
}

function failure(error: unknown) {
  if (error instanceof NotesError) return text(error.message, true);
  throw error;
}

export function createMcpServer(notes: Notes): McpServer {
  const server = new McpServer({ name: "capakit-sample-notes", version: "0.1.0" });
  server.registerTool(
    "save_note",
    {
      title: "Save a note",
      description: "Saves a note under an id in the key-value store, reads it back and answers `saved <id>: <text>`.",
      inputSchema: {
        id: z.string().describe("The note's id: 1 to 64 letters, digits, '-' or '_'."),
        text: z.string().describe("The note's text."),
      },
    },
    async ({ id, text: value }) => {
      try {
        return text(`saved ${id}: ${await notes.save(id, value)}`);
      } catch (error) {
        return failure(error);
      }
    },
  );
  server.registerTool(
    "read_note",
    {
      title: "Read a note",
      description: "Answers the text of the note with this id.",
      inputSchema: { id: z.string().describe("The note's id.") },
    },
    async ({ id }) => {
      try {
        const stored = await notes.read(id);
        return stored === undefined ? text(`no note ${id}`, true) : text(stored);
      } catch (error) {
        return failure(error);
      }
    },
  );
  return server;
}

export async function handleMcp(notes: Notes, request: Request): Promise<Response> {
  const server = createMcpServer(notes);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // The JSON response is complete once handleRequest resolves.
    void server.close();
  }
}
