import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createApi, routePath } from "../src/app.ts";
import { parseMaxItems } from "../src/index.ts";
import { TodoStore } from "../src/store.ts";

const TOKEN = "test-token";
let dir: string;
let api: (r: Request) => Promise<Response>;
let logs: string[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "capakit-app-"));
  logs = [];
  api = createApi({ store: await TodoStore.open(dir), maxItems: 2, resolveToken: async () => TOKEN, log: (l) => logs.push(l) });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function call(method: string, path: string, body?: unknown, token: string | null = TOKEN): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return api(new Request(`http://capakit.local${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }));
}

describe("todo api", () => {
  test("create, list, update, delete", async () => {
    const created = await call("POST", "/todos", { title: "first" });
    expect(created.status).toBe(201);
    const todo = (await created.json()) as { id: string; title: string; done: boolean };
    expect(todo).toMatchObject({ title: "first", done: false });

    const list = await call("GET", "/todos", undefined, null);
    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ todos: [todo], max_items: 2 });

    const patched = await call("PATCH", `/todos/${todo.id}`, { done: true });
    expect(await patched.json()).toMatchObject({ id: todo.id, done: true });

    expect((await call("DELETE", `/todos/${todo.id}`)).status).toBe(204);
    expect((await call("DELETE", `/todos/${todo.id}`)).status).toBe(404);
  });

  test("writes need the bearer token; reads do not", async () => {
    const none = await call("POST", "/todos", { title: "x" }, null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect((await call("POST", "/todos", { title: "x" }, "wrong")).status).toBe(401);
    expect((await call("PATCH", "/todos/abc", { done: true }, "wrong")).status).toBe(401);
    expect((await call("DELETE", "/todos/abc", undefined, null)).status).toBe(401);
    expect((await call("GET", "/todos", undefined, null)).status).toBe(200);
  });

  test("bridge failure is a 503 and the log never has the token", async () => {
    const failing = createApi({
      store: await TodoStore.open(dir),
      maxItems: 2,
      resolveToken: async () => { throw new Error("bridge unreachable"); },
      log: (l) => logs.push(l),
    });
    const res = await failing(new Request("http://x/todos", { method: "POST", headers: { authorization: "Bearer abc", "content-type": "application/json" }, body: "{}" }));
    expect(res.status).toBe(503);
    expect(logs.join("\n")).toContain("bridge unreachable");
    expect(logs.join("\n")).not.toContain("abc");
  });

  test("validation and limits", async () => {
    expect((await call("POST", "/todos", { title: "" })).status).toBe(400);
    expect((await call("POST", "/todos", [1])).status).toBe(400);
    const raw = await api(new Request("http://x/todos", { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "text/plain" }, body: "hi" }));
    expect(raw.status).toBe(415);
    await call("POST", "/todos", { title: "a" });
    await call("POST", "/todos", { title: "b" });
    const full = await call("POST", "/todos", { title: "c" });
    expect(full.status).toBe(409);
    expect(await full.json()).toEqual({ error: "the list is full (max_items is 2)" });
  });

  test("routes under /api too, 404 and 405", async () => {
    expect((await call("GET", "/api/todos", undefined, null)).status).toBe(200);
    expect((await call("GET", "/api/healthz", undefined, null)).status).toBe(200);
    expect((await call("GET", "/healthz", undefined, null)).status).toBe(200);
    expect((await call("GET", "/nope", undefined, null)).status).toBe(404);
    expect((await call("PUT", "/todos", undefined, null)).status).toBe(405);
    expect((await call("GET", "/todos/abc", undefined, null)).status).toBe(405);
  });
});

test("routePath", () => {
  expect(routePath("/api/todos/1")).toBe("/todos/1");
  expect(routePath("/api")).toBe("/");
  expect(routePath("/apix")).toBe("/apix");
  expect(routePath("/todos")).toBe("/todos");
});

test("parseMaxItems", () => {
  expect(parseMaxItems(undefined)).toBe(100);
  expect(parseMaxItems("25")).toBe(25);
  expect(() => parseMaxItems("0")).toThrow();
  expect(() => parseMaxItems("2.5")).toThrow();
  expect(() => parseMaxItems("many")).toThrow();
});
