import { beforeEach, describe, expect, test } from "bun:test";

import { ApiClient, type Fetcher } from "../src/api-client.ts";
import { createWeb, isSameSitePost } from "../src/app.ts";
import { fakeApiHandler } from "./fake-api.ts";

const TOKEN = "web-test-token";
let fake: ReturnType<typeof fakeApiHandler>;
let web: (r: Request) => Promise<Response>;

function clientFor(fetcher: Fetcher, token: () => Promise<string> = async () => TOKEN): ApiClient {
  return new ApiClient(fetcher, token);
}

beforeEach(() => {
  fake = fakeApiHandler(TOKEN, 2);
  web = createWeb({ api: clientFor((path, init) => fake.handler(new Request(`http://api${path}`, init))), title: "Test list" });
});

function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(`http://localhost${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe("web", () => {
  test("GET / renders the list with security headers", async () => {
    fake.todos.push({ id: "x1", title: "existing", done: false, created_at: "" });
    const res = await web(new Request("http://localhost/"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/html");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const body = await res.text();
    expect(body).toContain("<h1>Test list</h1>");
    expect(body).toContain("existing");
  });

  test("add, toggle, delete go to the api with the bearer token", async () => {
    const added = await web(post("/add", { title: "new thing" }));
    expect(added.status).toBe(303);
    expect(added.headers.get("location")).toBe("./");
    expect(fake.todos.map((t) => t.title)).toEqual(["new thing"]);
    const id = fake.todos[0]!.id;

    expect((await web(post("/toggle", { id, done: "true" }))).status).toBe(303);
    expect(fake.todos[0]!.done).toBe(true);
    expect((await web(post("/delete", { id }))).status).toBe(303);
    expect(fake.todos).toEqual([]);

    const writes = fake.seen.filter((s) => s.method !== "GET");
    expect(writes.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /todos", `PATCH /todos/${id}`, `DELETE /todos/${id}`]);
    expect(writes.every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(fake.seen.filter((s) => s.method === "GET").every((s) => s.authorization === null)).toBe(true);
  });

  test("api errors show on the page", async () => {
    await web(post("/add", { title: "a" }));
    await web(post("/add", { title: "b" }));
    const full = await web(post("/add", { title: "c" }));
    expect(full.status).toBe(409);
    expect(await full.text()).toContain("the list is full (max_items is 2)");
    expect((await web(post("/delete", { id: "missing" }))).status).toBe(404);
    expect((await web(post("/delete", { id: "../../etc" }))).status).toBe(400);
    expect((await web(post("/add", {}))).status).toBe(400);
  });

  test("cross-site posts are refused", async () => {
    expect((await web(post("/add", { title: "x" }, { "sec-fetch-site": "cross-site" }))).status).toBe(403);
    expect((await web(post("/add", { title: "x" }, { origin: "https://evil.example" }))).status).toBe(403);
    expect(fake.todos).toEqual([]);
  });

  test("api unreachable, token refused, bridge down", async () => {
    const down = createWeb({ api: clientFor(async () => { throw new Error("ECONNREFUSED"); }), title: "T" });
    const page = await down(new Request("http://localhost/"));
    expect(page.status).toBe(502);
    expect(await page.text()).toContain("the todo API is not reachable");

    const wrongToken = createWeb({
      api: clientFor((path, init) => fake.handler(new Request(`http://api${path}`, init)), async () => "wrong"),
      title: "T",
    });
    expect((await wrongToken(post("/add", { title: "x" }))).status).toBe(502);

    const noBridge = createWeb({
      api: clientFor((path, init) => fake.handler(new Request(`http://api${path}`, init)), async () => { throw new Error("no bridge"); }),
      title: "T",
    });
    expect((await noBridge(post("/add", { title: "x" }))).status).toBe(503);
  });

  test("routing", async () => {
    expect((await web(new Request("http://localhost/healthz"))).status).toBe(200);
    expect((await web(new Request("http://localhost/nope"))).status).toBe(404);
    expect((await web(new Request("http://localhost/add"))).status).toBe(405);
    expect((await web(new Request("http://localhost/", { method: "POST" }))).status).toBe(405);
    const notForm = new Request("http://localhost/add", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect((await web(notForm)).status).toBe(415);
  });
});

test("isSameSitePost", () => {
  const r = (headers: Record<string, string>) => new Request("http://localhost:8080/add", { method: "POST", headers });
  expect(isSameSitePost(r({}))).toBe(true);
  expect(isSameSitePost(r({ "sec-fetch-site": "same-origin" }))).toBe(true);
  expect(isSameSitePost(r({ "sec-fetch-site": "none" }))).toBe(true);
  expect(isSameSitePost(r({ "sec-fetch-site": "same-site" }))).toBe(false);
  expect(isSameSitePost(r({ origin: "http://localhost:8080" }))).toBe(true);
  expect(isSameSitePost(r({ origin: "http://127.0.0.1:9999" }))).toBe(true);
  expect(isSameSitePost(r({ origin: "http://todo.example", host: "todo.example" }))).toBe(true);
  expect(isSameSitePost(r({ origin: "https://evil.example" }))).toBe(false);
  expect(isSameSitePost(r({ origin: "null" }))).toBe(false);
});
