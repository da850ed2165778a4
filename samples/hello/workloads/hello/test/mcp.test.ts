import { describe, expect, test } from "bun:test";

import { ERROR, greeting, handleMcpHttp, handleMessage, isAllowedOrigin, LATEST_PROTOCOL_VERSION } from "../src/mcp.ts";

function post(body: string, headers: Record<string, string> = {}): Request {
  return new Request("http://capakit.local/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body,
  });
}

describe("greeting", () => {
  test("hello world without a name", () => {
    expect(greeting()).toBe("hello world");
    expect(greeting("   ")).toBe("hello world");
  });
  test("hello <name> with one", () => {
    expect(greeting(" Ada ")).toBe("hello Ada");
  });
});

describe("handleMessage", () => {
  test("initialize echoes a supported protocol version", () => {
    const res = handleMessage({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-03-26", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    expect(res).toMatchObject({ jsonrpc: "2.0", id: 1, result: { protocolVersion: "2025-03-26", capabilities: { tools: {} }, serverInfo: { name: "capakit-sample-hello" } } });
  });

  test("initialize answers the latest version for an unknown one", () => {
    const res = handleMessage({ jsonrpc: "2.0", id: "a", method: "initialize", params: { protocolVersion: "1999-01-01" } });
    expect(res).toMatchObject({ result: { protocolVersion: LATEST_PROTOCOL_VERSION } });
  });

  test("notifications get no response", () => {
    expect(handleMessage({ jsonrpc: "2.0", method: "notifications/initialized" })).toBeNull();
  });

  test("tools/list has hello-world with an object input schema", () => {
    const res = handleMessage({ jsonrpc: "2.0", id: 2, method: "tools/list" }) as { result: { tools: Array<{ name: string; inputSchema: { type: string; properties: Record<string, { type: string }> } }> } };
    expect(res.result.tools).toHaveLength(1);
    expect(res.result.tools[0]!.name).toBe("hello-world");
    expect(res.result.tools[0]!.inputSchema.type).toBe("object");
    expect(res.result.tools[0]!.inputSchema.properties.name!.type).toBe("string");
  });

  test("tools/call returns hello world text content", () => {
    expect(handleMessage({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "hello-world", arguments: {} } })).toEqual({
      jsonrpc: "2.0",
      id: 3,
      result: { content: [{ type: "text", text: "hello world" }], isError: false },
    });
    expect(handleMessage({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "hello-world" } })).toMatchObject({ result: { content: [{ text: "hello world" }] } });
    expect(handleMessage({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "hello-world", arguments: { name: "CapaKit" } } })).toMatchObject({ result: { content: [{ text: "hello CapaKit" }] } });
  });

  test("tools/call errors", () => {
    expect(handleMessage({ jsonrpc: "2.0", id: 6, method: "tools/call", params: { name: "nope" } })).toMatchObject({ error: { code: ERROR.invalidParams } });
    expect(handleMessage({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "hello-world", arguments: { name: 42 } } })).toMatchObject({ error: { code: ERROR.invalidParams } });
    expect(handleMessage({ jsonrpc: "2.0", id: 8, method: "tools/call" })).toMatchObject({ error: { code: ERROR.invalidParams } });
  });

  test("ping answers an empty result", () => {
    expect(handleMessage({ jsonrpc: "2.0", id: 9, method: "ping" })).toEqual({ jsonrpc: "2.0", id: 9, result: {} });
  });

  test("unknown method and invalid requests", () => {
    expect(handleMessage({ jsonrpc: "2.0", id: 10, method: "resources/list" })).toMatchObject({ id: 10, error: { code: ERROR.methodNotFound } });
    expect(handleMessage({ id: 11, method: "ping" })).toMatchObject({ id: 11, error: { code: ERROR.invalidRequest } });
    expect(handleMessage("ping")).toMatchObject({ id: null, error: { code: ERROR.invalidRequest } });
    expect(handleMessage({ jsonrpc: "2.0", id: {}, method: "ping" })).toMatchObject({ id: null, error: { code: ERROR.invalidRequest } });
  });

  test("client responses are ignored", () => {
    expect(handleMessage({ jsonrpc: "2.0", id: 1, result: {} })).toBeNull();
  });
});

describe("handleMcpHttp", () => {
  test("JSON response even when the client also accepts an event stream", async () => {
    const res = await handleMcpHttp(post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/json");
    expect(await res.json()).toEqual({ jsonrpc: "2.0", id: 1, result: {} });
  });

  test("an event-stream-only client gets one SSE event", async () => {
    const res = await handleMcpHttp(post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }), { accept: "text/event-stream" }));
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    expect(await res.text()).toBe('event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n');
  });

  test("NDJSON bodies (the CapaKit SDK client) get NDJSON back", async () => {
    const body = `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })}\n`;
    const res = await handleMcpHttp(post(body, { "content-type": "application/x-ndjson", accept: "" }));
    expect(res.headers.get("content-type")).toBe("application/x-ndjson");
    expect(await res.text()).toBe('{"jsonrpc":"2.0","id":1,"result":{}}\n');
  });

  test("notification only: 202 without body", async () => {
    const res = await handleMcpHttp(post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" })));
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
  });

  test("batch answers an array", async () => {
    const res = await handleMcpHttp(post(JSON.stringify([
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "nope" },
    ])));
    const body = (await res.json()) as Array<{ id: number }>;
    expect(body.map((r) => r.id)).toEqual([1, 2]);
  });

  test("bad JSON: 400 with a parse error", async () => {
    const res = await handleMcpHttp(post("{not json"));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: ERROR.parse } });
  });

  test("other HTTP errors", async () => {
    expect((await handleMcpHttp(new Request("http://x/mcp"))).status).toBe(405);
    expect((await handleMcpHttp(post("{}", { "content-type": "text/plain" }))).status).toBe(415);
    expect((await handleMcpHttp(post("{}", { "mcp-protocol-version": "1999-01-01" }))).status).toBe(400);
    expect((await handleMcpHttp(post("[]"))).status).toBe(400);
    expect((await handleMcpHttp(post("{}", { origin: "https://evil.example" }))).status).toBe(403);
  });

  test("origin check", () => {
    expect(isAllowedOrigin(null)).toBe(true);
    expect(isAllowedOrigin("http://localhost:8080")).toBe(true);
    expect(isAllowedOrigin("http://127.0.0.1")).toBe(true);
    expect(isAllowedOrigin("http://[::1]:3000")).toBe(true);
    expect(isAllowedOrigin("http://app.localhost")).toBe(true);
    expect(isAllowedOrigin("https://localhost.evil.example")).toBe(false);
    expect(isAllowedOrigin("null")).toBe(false);
  });
});
