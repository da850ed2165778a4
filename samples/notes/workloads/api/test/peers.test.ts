import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parseConnectedWorkloads, peerSocket, unixPeerFetch } from "../src/peers.ts";

const dir = mkdtempSync(join(tmpdir(), "notes-peers-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("peerSocket finds the store by its name in this Kit", () => {
  const peers = parseConnectedWorkloads(
    JSON.stringify([
      { workloadKey: "other", endpoint: "/", protocol: "http", bind: "unix:/run/other.sock" },
      { workloadKey: "store", endpoint: "/", protocol: "http", bind: "unix:/run/store.sock" },
    ]),
  );
  expect(peerSocket(peers, "store")).toBe("/run/store.sock");
  expect(() => peerSocket(peers, "missing")).toThrow("no connection to 'missing'");
  expect(parseConnectedWorkloads(undefined)).toEqual([]);
});

test("unixPeerFetch sends plain HTTP over the socket", async () => {
  const path = join(dir, "store.sock");
  const server = Bun.serve({ unix: path, fetch: (r) => new Response(`${r.method} ${new URL(r.url).pathname} ${r.headers.get("host")}`) });
  try {
    const res = await unixPeerFetch("store", path)("/keys/a", { method: "PUT", body: "x" });
    expect(await res.text()).toBe("PUT /keys/a store");
  } finally {
    await server.stop(true);
  }
});
