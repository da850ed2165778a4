import { beforeEach, describe, expect, test } from "bun:test";

import { createApp } from "../src/app.ts";
import { MAX_VALUE_BYTES, KvStore } from "../src/store.ts";

let app: (request: Request) => Promise<Response>;

beforeEach(() => {
  app = createApp(new KvStore(2));
});

function call(method: string, path: string, body?: string | Uint8Array): Promise<Response> {
  return app(new Request(`http://kv.local${path}`, { method, body }));
}

describe("kv api", () => {
  test("PUT, GET, list, DELETE", async () => {
    const created = await call("PUT", "/keys/greeting", "hello");
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ key: "greeting", created: true });

    const replaced = await call("PUT", "/keys/greeting", "hello world");
    expect(replaced.status).toBe(200);
    expect(await replaced.json()).toEqual({ key: "greeting", created: false });

    const got = await call("GET", "/keys/greeting");
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toStartWith("text/plain");
    expect(await got.text()).toBe("hello world");

    const list = await call("GET", "/keys");
    expect(await list.json()).toEqual({ keys: ["greeting"], count: 1, max_keys: 2 });

    expect((await call("DELETE", "/keys/greeting")).status).toBe(204);
    const gone = await call("GET", "/keys/greeting");
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({ error: 'no key "greeting"' });
    expect((await call("DELETE", "/keys/greeting")).status).toBe(404);
  });

  test("keys are percent-decoded path segments", async () => {
    expect((await call("PUT", "/keys/a%2Fb%20c", "v")).status).toBe(201);
    expect(await (await call("GET", "/keys")).json()).toMatchObject({ keys: ["a/b c"] });
    expect(await (await call("GET", "/keys/a%2Fb%20c")).text()).toBe("v");
    const nested = await call("PUT", "/keys/a/b", "v");
    expect(nested.status).toBe(400);
    expect(((await nested.json()) as { error: string }).error).toContain("%2F");
    expect((await call("PUT", "/keys/%E0%A4%A", "v")).status).toBe(400);
  });

  test("the store is full at max_keys: 413", async () => {
    await call("PUT", "/keys/a", "1");
    await call("PUT", "/keys/b", "2");
    const full = await call("PUT", "/keys/c", "3");
    expect(full.status).toBe(413);
    expect(await full.json()).toEqual({ error: "the store is full: max_keys is 2" });
    expect((await call("PUT", "/keys/a", "updated")).status).toBe(200);
  });

  test("a value over the size limit is 413, a value that is not UTF-8 is 400", async () => {
    expect((await call("PUT", "/keys/big", "x".repeat(MAX_VALUE_BYTES + 1))).status).toBe(413);
    expect((await call("PUT", "/keys/bin", new Uint8Array([0xff, 0xfe]))).status).toBe(400);
  });

  test("unknown routes are 404 and wrong methods 405, as JSON", async () => {
    const missing = await call("GET", "/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "no route for /nope" });
    const post = await call("POST", "/keys/a", "x");
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, PUT, DELETE");
    expect((await call("DELETE", "/keys")).status).toBe(405);
    expect((await call("GET", "/healthz")).status).toBe(200);
  });
});
