import { expect, test } from "bun:test";

import { reverse, route } from "../src/a2a.ts";

const post = (body: unknown) =>
  route(new Request("http://agent.local/", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));

test("reverse", () => {
  expect(reverse("hello")).toBe("olleh");
});

test("agent card", async () => {
  const card = (await (await route(new Request("http://agent.local/.well-known/agent-card.json"))).json()) as Record<string, unknown>;
  expect(card.name).toBe("reverser");
  expect(card.url).toBe("http://agent.local");
  expect(card).toHaveProperty("skills");
  expect(card).toHaveProperty("capabilities");
});

test("message/send answers the reversed text", async () => {
  const res = (await (await post({
    jsonrpc: "2.0",
    id: 7,
    method: "message/send",
    params: { message: { kind: "message", role: "user", messageId: "m1", parts: [{ kind: "text", text: "abc" }] } },
  })).json()) as { id: number; result: { kind: string; role: string; parts: Array<{ text: string }> } };
  expect(res.id).toBe(7);
  expect(res.result.kind).toBe("message");
  expect(res.result.role).toBe("agent");
  expect(res.result.parts[0]!.text).toBe("cba");
});

test("unknown methods: -32601", async () => {
  const res = (await (await post({ jsonrpc: "2.0", id: 1, method: "tasks/get", params: {} })).json()) as { error: { code: number } };
  expect(res.error.code).toBe(-32601);
});
