// A stand-in for the imported kvstore's HTTP API (GET/PUT /keys/<k>), so unit tests need no running store.
import type { PeerFetch } from "../src/peers.ts";

export type FakeKv = { fetch: PeerFetch; values: Map<string, string>; requests: string[] };

export function fakeKv(maxKeys = 100): FakeKv {
  const values = new Map<string, string>();
  const requests: string[] = [];
  const fetch: PeerFetch = async (path, init) => {
    const method = init?.method ?? "GET";
    requests.push(`${method} ${path}`);
    const m = /^\/keys\/([^/]+)$/.exec(path);
    if (!m) return Response.json({ error: `no route for ${path}` }, { status: 404 });
    const key = decodeURIComponent(m[1]!);
    if (method === "GET") {
      const value = values.get(key);
      return value === undefined ? Response.json({ error: `no key "${key}"` }, { status: 404 }) : new Response(value);
    }
    if (method === "PUT") {
      const created = !values.has(key);
      if (created && values.size >= maxKeys) return Response.json({ error: `the store is full: max_keys is ${maxKeys}` }, { status: 413 });
      values.set(key, String(init?.body ?? ""));
      return Response.json({ key, created }, { status: created ? 201 : 200 });
    }
    return Response.json({ error: "method not allowed" }, { status: 405 });
  };
  return { fetch, values, requests };
}
