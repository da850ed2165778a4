import { expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import { route, wordCount } from "../src/mcp.ts";

test("wordCount", () => {
  expect(wordCount("one two three")).toBe(3);
  expect(wordCount("  spaced   out \n words ")).toBe(3);
  expect(wordCount("")).toBe(0);
});

test("the SDK client lists and calls word_count", async () => {
  const fetchRoute = (async (input: string | URL | Request, init?: RequestInit) =>
    route(new Request(input, init))) as typeof fetch;
  const client = new Client({ name: "test", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("http://tools.local/mcp"), { fetch: fetchRoute }));
  const tools = await client.listTools();
  expect(tools.tools.map((t) => t.name)).toEqual(["word_count"]);
  const result = await client.callTool({ name: "word_count", arguments: { text: "the quick fox" } });
  expect(result.content).toEqual([{ type: "text", text: "3" }]);
  await client.close();
});

test("unknown methods answer -32601 (what server/discover needs)", async () => {
  const res = await route(
    new Request("http://tools.local/mcp", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "server/discover", params: {} }),
    }),
  );
  const body = (await res.json()) as { error: { code: number } };
  expect(body.error.code).toBe(-32601);
});
