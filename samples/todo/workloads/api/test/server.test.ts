// Starts the real workload (src/index.ts) the way CapaKit does: a fresh process
// that gets only the contract environment. Ingress and bridge are real unix
// sockets in a temp dir; the bridge is a fake that knows the api_token secret;
// the `data` mount is a temp folder.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startFakeBridge } from "./fake-bridge.ts";

const TOKEN = "sample-secret-value-1234";
const dir = mkdtempSync(join(tmpdir(), "capakit-api-"));
const ingress = join(dir, "ingress.sock");
const bridgeSocket = join(dir, "bridge.sock");
const dataDir = join(dir, "data");
mkdirSync(dataDir);
const bridge = startFakeBridge(bridgeSocket, { api_token: TOKEN });

function spawnApi() {
  return Bun.spawn([process.execPath, "run", join(import.meta.dir, "..", "src", "index.ts")], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? dir,
      TMPDIR: tmpdir(),
      CAPAKIT_WORKLOAD_KEY: "api",
      CAPAKIT_WORKLOAD_INGRESS_BIND: `unix:${ingress}`,
      CAPAKIT_WORKLOAD_BRIDGE_BIND: `unix:${bridgeSocket}`,
      CAPAKIT_MOUNTS_JSON: JSON.stringify({ data: { key: "data", path: dataDir, access: "read_write" } }),
      CAPAKIT_CONNECTED_WORKLOADS: "[]",
      TODO_MAX_ITEMS: "3",
    },
    stdout: "pipe",
    stderr: "pipe",
  });
}

let proc: ReturnType<typeof spawnApi>;

function call(method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return fetch(`http://localhost${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    unix: ingress,
  } as RequestInit);
}

async function waitUntilUp(): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`api exited early (${proc.exitCode}): ${await new Response(proc.stderr).text()}`);
    try {
      if ((await call("GET", "/healthz")).ok) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  throw new Error("api did not start listening in time");
}

async function stop(): Promise<{ code: number; output: string }> {
  proc.kill("SIGTERM");
  const code = await proc.exited;
  const output = (await new Response(proc.stdout).text()) + (await new Response(proc.stderr).text());
  return { code, output };
}

beforeAll(async () => {
  proc = spawnApi();
  await waitUntilUp();
});

afterAll(() => {
  if (proc.exitCode === null) proc.kill("SIGKILL");
  bridge.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("serves the todo API on the ingress socket, checks the token over the bridge, persists to the mount", async () => {
  expect(await (await call("GET", "/todos")).json()).toEqual({ todos: [], max_items: 3 });

  expect((await call("POST", "/todos", { title: "no token" })).status).toBe(401);
  expect((await call("POST", "/todos", { title: "bad token" }, "guess")).status).toBe(401);

  const created = await call("POST", "/todos", { title: "water the plants" }, TOKEN);
  expect(created.status).toBe(201);
  const todo = (await created.json()) as { id: string };
  expect(bridge.calls.some((c) => c.op === "resolve_secret" && (c.params as { secret_key: string }).secret_key === "api_token")).toBe(true);

  const done = await call("PATCH", `/api/todos/${todo.id}`, { done: true }, TOKEN);
  expect(await done.json()).toMatchObject({ id: todo.id, title: "water the plants", done: true });

  const second = (await (await call("POST", "/todos", { title: "temporary" }, TOKEN)).json()) as { id: string };
  expect((await call("DELETE", `/todos/${second.id}`, undefined, TOKEN)).status).toBe(204);

  const saved = JSON.parse(readFileSync(join(dataDir, "todos.json"), "utf8"));
  expect(saved.todos).toEqual([expect.objectContaining({ id: todo.id, done: true })]);

  const { code, output } = await stop();
  expect(code).toBe(0);
  expect(existsSync(ingress)).toBe(false);
  expect(output).toContain("todo api listening on unix:");
  expect(output).not.toContain(TOKEN);

  // a new process finds the list where the last one left it
  proc = spawnApi();
  await waitUntilUp();
  const again = (await (await call("GET", "/todos")).json()) as { todos: Array<{ id: string }> };
  expect(again.todos.map((t) => t.id)).toEqual([todo.id]);
  expect((await stop()).code).toBe(0);
});

test("refuses to start without the data mount", async () => {
  const p = Bun.spawn([process.execPath, "run", join(import.meta.dir, "..", "src", "index.ts")], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      CAPAKIT_WORKLOAD_INGRESS_BIND: `unix:${join(dir, "other.sock")}`,
      CAPAKIT_WORKLOAD_BRIDGE_BIND: `unix:${bridgeSocket}`,
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  expect(await p.exited).toBe(2);
  expect(await new Response(p.stderr).text()).toContain("host mount `data`");
});
