import { beforeEach, describe, expect, test } from "bun:test";

import { createApp } from "../src/app.ts";
import { Notes } from "../src/notes.ts";
import { fakeKv } from "./fake-kv.ts";

let app: (request: Request) => Promise<Response>;
let logs: string[];

beforeEach(() => {
  let n = 0;
  logs = [];
  app = createApp(new Notes(fakeKv(2).fetch, () => `id${++n}`), (line) => logs.push(line));
});

function call(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
  return app(new Request(`http://notes.local${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}

describe("notes http api", () => {
  test("POST /notes then GET /notes/<id>", async () => {
    const created = await call("POST", "/notes", { text: "hello" });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/notes/id1");
    expect(await created.json()).toEqual({ id: "id1", text: "hello" });

    const got = await call("GET", "/notes/id1");
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ id: "id1", text: "hello" });
  });

  test("errors are JSON", async () => {
    expect((await call("GET", "/notes/missing")).status).toBe(404);
    expect((await call("POST", "/notes", { text: 3 })).status).toBe(400);
    expect((await call("POST", "/notes", ["x"])).status).toBe(400);
    const noType = await app(new Request("http://notes.local/notes", { method: "POST", body: "{}" }));
    expect(noType.status).toBe(415);
    expect((await call("GET", "/notes/%E0%A4%A")).status).toBe(400);
    expect((await call("DELETE", "/notes/id1")).status).toBe(405);
    const missing = await call("GET", "/elsewhere");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "no route for /elsewhere" });
  });

  test("the store's limit (note_limit) answers 413", async () => {
    await call("POST", "/notes", { text: "a" });
    await call("POST", "/notes", { text: "b" });
    const full = await call("POST", "/notes", { text: "c" });
    expect(full.status).toBe(413);
    expect(((await full.json()) as { error: string }).error).toContain("max_keys is 2");
  });

  test("an unreachable store is 502 and logged", async () => {
    const down = createApp(new Notes(async () => { throw new Error("connect ENOENT"); }), (line) => logs.push(line));
    const res = await down(new Request("http://notes.local/notes/x"));
    expect(res.status).toBe(502);
    expect(logs.length).toBe(1);
  });
});
