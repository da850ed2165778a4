import { expect, test } from "bun:test";

import { route } from "../src/oaic.ts";

const chat = (body: unknown) =>
  route(new Request("http://model.local/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));

test("models lists echo-1", async () => {
  const body = (await (await route(new Request("http://model.local/v1/models"))).json()) as { object: string; data: Array<{ id: string }> };
  expect(body.object).toBe("list");
  expect(body.data.map((m) => m.id)).toEqual(["echo-1"]);
});

test("non-streaming completion echoes the last user message", async () => {
  const body = (await (await chat({
    model: "echo-1",
    messages: [{ role: "system", content: "be nice" }, { role: "user", content: "first" }, { role: "user", content: "hi there" }],
  })).json()) as { object: string; model: string; choices: Array<{ index: number; finish_reason: string; message: { role: string; content: string } }> };
  expect(body.object).toBe("chat.completion");
  expect(body.model).toBe("echo-1");
  expect(body.choices[0]).toMatchObject({ index: 0, finish_reason: "stop", message: { role: "assistant", content: "echo: hi there" } });
});

test("streaming sends word chunks then [DONE]", async () => {
  const res = await chat({ model: "echo-1", stream: true, messages: [{ role: "user", content: "a b" }] });
  expect(res.headers.get("content-type")).toStartWith("text/event-stream");
  const events = (await res.text()).split("\n\n").filter((e) => e.length > 0).map((e) => e.slice("data: ".length));
  expect(events.at(-1)).toBe("[DONE]");
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }> });
  expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
  expect(chunks.map((c) => c.choices[0]!.delta.content ?? "").join("")).toBe("echo: a b");
  expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
});

test("unknown model: 404", async () => {
  expect((await chat({ model: "gpt-x", messages: [] })).status).toBe(404);
});
