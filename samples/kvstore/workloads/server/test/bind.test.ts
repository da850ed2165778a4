import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createApp } from "../src/app.ts";
import { parseBind, serve } from "../src/bind.ts";
import { KvStore } from "../src/store.ts";

const dir = mkdtempSync(join(tmpdir(), "kv-bind-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("parseBind", () => {
  expect(parseBind("unix:/run/x.sock")).toEqual({ kind: "unix", path: "/run/x.sock" });
  expect(parseBind("tcp:127.0.0.1:8080")).toEqual({ kind: "tcp", host: "127.0.0.1", port: 8080 });
  expect(parseBind("tcp:[::1]:9")).toEqual({ kind: "tcp", host: "::1", port: 9 });
  expect(() => parseBind(undefined)).toThrow("CAPAKIT_WORKLOAD_INGRESS_BIND is not set");
  expect(() => parseBind("unix:")).toThrow("unsupported bind");
});

test("serves plain HTTP on a unix socket", async () => {
  const path = join(dir, "kv.sock");
  const server = serve({ kind: "unix", path }, createApp(new KvStore(3)));
  try {
    const put = await fetch("http://kv/keys/x", { method: "PUT", body: "42", unix: path });
    expect(put.status).toBe(201);
    const get = await fetch("http://kv/keys/x", { unix: path });
    expect(await get.text()).toBe("42");
  } finally {
    await server.stop(true);
  }
});
