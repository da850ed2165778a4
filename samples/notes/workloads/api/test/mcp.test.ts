import { expect, test } from "bun:test";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

import { createApp } from "../src/app.ts";
import { Notes } from "../src/notes.ts";
import { fakeKv } from "./fake-kv.ts";

async function connect(notes: Notes): Promise<Client> {
  const app = createApp(notes);
  const fetchApp = (async (input: string | URL | Request, init?: RequestInit) => app(input instanceof Request ? new Request(input, init) : new Request(String(input), init))) as typeof fetch;
  const client = new Client({ name: "test", version: "0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("http://notes.local/mcp"), { fetch: fetchApp }));
  return client;
}

test("save_note stores through the kv store and answers what it read back; read_note reads it", async () => {
  const kv = fakeKv();
  const client = await connect(new Notes(kv.fetch));
  const tools = await client.listTools();
  expect(tools.tools.map((t) => t.name).sort()).toEqual(["read_note", "save_note"]);

  const saved = await client.callTool({ name: "save_note", arguments: { id: "n1", text: "hello" } });
  expect(saved.content).toEqual([{ type: "text", text: "saved n1: hello" }]);
  expect(kv.values.get("note:n1")).toBe("hello");

  const read = await client.callTool({ name: "read_note", arguments: { id: "n1" } });
  expect(read.content).toEqual([{ type: "text", text: "hello" }]);

  const missing = await client.callTool({ name: "read_note", arguments: { id: "n9" } });
  expect(missing.isError).toBe(true);
  expect(missing.content).toEqual([{ type: "text", text: "no note n9" }]);

  const bad = await client.callTool({ name: "save_note", arguments: { id: "bad id", text: "x" } });
  expect(bad.isError).toBe(true);
  await client.close();
});
