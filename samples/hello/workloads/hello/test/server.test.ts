// Starts the real workload (src/index.ts) the way CapaKit does: a fresh process
// whose only contract input is CAPAKIT_WORKLOAD_INGRESS_BIND, here a unix
// socket in a temp dir. Then talks MCP to it over that socket and stops it with SIGTERM.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer } from "../src/server.ts";

// Inside the CapaKit sandbox IP networking may be denied; the tcp test then skips.
const tcpAvailable = (() => {
  try {
    Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }).stop(true);
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), "capakit-hello-"));
const socket = join(dir, "ingress.sock");
let proc: ReturnType<typeof Bun.spawn>;

async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://localhost${path}`, { ...init, unix: socket } as RequestInit);
}

async function rpc(message: object): Promise<Response> {
  return call("/mcp", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify(message),
  });
}

async function waitUntilUp(): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`workload exited early with ${proc.exitCode}`);
    try {
      if ((await call("/healthz")).ok) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  throw new Error("workload did not start listening in time");
}

beforeAll(async () => {
  proc = Bun.spawn([process.execPath, "run", join(import.meta.dir, "..", "src", "index.ts")], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? dir,
      TMPDIR: tmpdir(),
      CAPAKIT_WORKLOAD_KEY: "hello",
      CAPAKIT_WORKLOAD_INGRESS_BIND: `unix:${socket}`,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  await waitUntilUp();
});

afterAll(() => {
  if (proc.exitCode === null) proc.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("speaks MCP over the ingress unix socket and stops cleanly on SIGTERM", async () => {
  const init = await rpc({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "test", version: "0" } },
  });
  expect(init.status).toBe(200);
  expect(init.headers.get("content-type")).toStartWith("application/json");
  expect(await init.json()).toMatchObject({ id: 1, result: { protocolVersion: "2025-06-18", capabilities: { tools: {} } } });

  const initialized = await rpc({ jsonrpc: "2.0", method: "notifications/initialized" });
  expect(initialized.status).toBe(202);

  const list = (await (await rpc({ jsonrpc: "2.0", id: 2, method: "tools/list" })).json()) as { result: { tools: Array<{ name: string }> } };
  expect(list.result.tools.map((t) => t.name)).toEqual(["hello-world"]);

  const result = (await (await rpc({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "hello-world", arguments: {} } })).json()) as {
    result: { content: Array<{ type: string; text: string }> };
  };
  expect(result.result.content).toEqual([{ type: "text", text: "hello world" }]);

  const unknown = (await (await rpc({ jsonrpc: "2.0", id: 4, method: "nope" })).json()) as { error: { code: number } };
  expect(unknown.error.code).toBe(-32601);

  expect((await call("/elsewhere")).status).toBe(404);

  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  expect(existsSync(socket)).toBe(false);
  const out = await new Response(proc.stdout as ReadableStream).text();
  expect(out).toContain("MCP server listening on unix:");
});

test.skipIf(!tcpAvailable)("listens on tcp binds too", async () => {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  const server = startServer({ kind: "tcp", host: "127.0.0.1", port });
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
  } finally {
    await server.stop();
  }
});
