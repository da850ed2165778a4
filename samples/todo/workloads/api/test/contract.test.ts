import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BridgeClient, connectedWorkload, connectedWorkloads, fetchVia, ingressBind, mount, mounts, parseBind } from "../src/contract.ts";
import { startFakeBridge } from "./fake-bridge.ts";

// Inside the CapaKit sandbox IP networking may be denied; the tcp test then skips.
const tcpAvailable = (() => {
  try {
    Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }).stop(true);
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), "capakit-contract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("binds", () => {
  test("parses unix and tcp", () => {
    expect(parseBind("unix:/run/a.sock")).toEqual({ kind: "unix", path: "/run/a.sock" });
    expect(parseBind("tcp:127.0.0.1:4100")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 4100 });
    expect(parseBind("tcp:[::1]:80")).toEqual({ kind: "tcp", host: "[::1]", port: 80 });
  });
  test("rejects the rest", () => {
    for (const bad of ["unix:", "tcp:80", "tcp:h:0", "tcp:h:x", "tcp:h:65536", "http://x", ""]) {
      expect(() => parseBind(bad)).toThrow();
    }
  });
  test("ingress bind is required", () => {
    expect(() => ingressBind({})).toThrow(/CAPAKIT_WORKLOAD_INGRESS_BIND/);
    expect(ingressBind({ CAPAKIT_WORKLOAD_INGRESS_BIND: "unix:/s" })).toEqual({ kind: "unix", path: "/s" });
  });
});

describe("connected workloads", () => {
  const env = {
    CAPAKIT_CONNECTED_WORKLOADS: JSON.stringify([
      { workloadKey: "api", endpoint: "http", protocol: "http", bind: "unix:/run/api.sock" },
    ]),
  };
  test("parses entries and normalizes the endpoint path", () => {
    expect(connectedWorkloads(env)).toEqual([
      { workloadKey: "api", endpoint: "/http", protocol: "http", bind: { kind: "unix", path: "/run/api.sock" } },
    ]);
    expect(connectedWorkload("api", env).bind).toEqual({ kind: "unix", path: "/run/api.sock" });
  });
  test("missing connection and bad input", () => {
    expect(connectedWorkloads({})).toEqual([]);
    expect(() => connectedWorkload("db", env)).toThrow(/no connection to workload `db`/);
    expect(() => connectedWorkloads({ CAPAKIT_CONNECTED_WORKLOADS: "{}" })).toThrow(/JSON array/);
    expect(() => connectedWorkloads({ CAPAKIT_CONNECTED_WORKLOADS: "[{" })).toThrow(/not valid JSON/);
    expect(() => connectedWorkloads({ CAPAKIT_CONNECTED_WORKLOADS: '[{"workloadKey":"api"}]' })).toThrow(/endpoint/);
  });
});

describe("mounts", () => {
  const env = { CAPAKIT_MOUNTS_JSON: JSON.stringify({ data: { key: "data", path: "/home/me/todos", access: "read_write" }, docs: { key: "docs", path: "/d", access: "read-only" } }) };
  test("parses entries", () => {
    expect(mounts(env)).toEqual({
      data: { key: "data", path: "/home/me/todos", access: "read_write" },
      docs: { key: "docs", path: "/d", access: "read_only" },
    });
    expect(mount("data", true, env).path).toBe("/home/me/todos");
  });
  test("errors", () => {
    expect(mounts({})).toEqual({});
    expect(() => mount("data", true, {})).toThrow(/--mount data=/);
    expect(() => mount("docs", true, env)).toThrow(/read-only/);
    expect(() => mounts({ CAPAKIT_MOUNTS_JSON: JSON.stringify({ a: { key: "b", path: "/", access: "read_only" } }) })).toThrow(/does not match/);
    expect(() => mounts({ CAPAKIT_MOUNTS_JSON: JSON.stringify({ a: { key: "a", path: "/", access: "all" } }) })).toThrow(/unsupported access/);
  });
});

describe("bridge client over a unix socket", () => {
  const socket = join(dir, "bridge.sock");
  const bridge = startFakeBridge(socket, { api_token: "s3cret" });
  afterAll(() => bridge.stop());
  const client = new BridgeClient({ kind: "unix", path: socket });

  test("resolves a granted secret with the JSONL framing", async () => {
    expect(await client.resolveSecret("api_token")).toBe("s3cret");
    expect(bridge.calls.at(-1)).toEqual({
      op: "resolve_secret",
      params: { secret_key: "api_token" },
      contentType: "application/x-capakit-workload-bridge-jsonl",
    });
  });

  test("an error answer becomes an exception with the bridge's message", async () => {
    await expect(client.resolveSecret("other")).rejects.toThrow(/secret other is not granted/);
  });

  test("wrong status or content type is refused", async () => {
    const odd = join(dir, "odd.sock");
    const server = Bun.serve({
      unix: odd,
      fetch: (r) => new URL(r.url).pathname === "/rpc" && r.headers.get("x-mode") === null
        ? new Response('{"id":"1","ok":{"value":"x"}}\n', { headers: { "content-type": "application/json" } })
        : new Response("no", { status: 500 }),
    });
    try {
      await expect(new BridgeClient({ kind: "unix", path: odd }).resolveSecret("api_token")).rejects.toThrow(/unexpected content type/);
    } finally {
      server.stop(true);
    }
    const broken = join(dir, "broken.sock");
    const server2 = Bun.serve({ unix: broken, fetch: () => new Response("no", { status: 500 }) });
    try {
      await expect(new BridgeClient({ kind: "unix", path: broken }).resolveSecret("api_token")).rejects.toThrow(/HTTP 500/);
    } finally {
      server2.stop(true);
    }
  });
});

test.skipIf(!tcpAvailable)("fetchVia reaches tcp binds too", async () => {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (r) => new Response(new URL(r.url).pathname) });
  try {
    const res = await fetchVia({ kind: "tcp", host: "127.0.0.1", port: server.port! }, "/todos");
    expect(await res.text()).toBe("/todos");
  } finally {
    server.stop(true);
  }
});
