// Starts the real workload (src/index.ts) the way CapaKit does: a fresh process
// that gets only the contract environment. Its ingress, the `api` it is
// connected to (a fake with the same routes) and the secrets bridge (a fake
// that knows api_token) are all real unix sockets in a temp dir.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { fakeApiHandler } from "./fake-api.ts";
import { startFakeBridge } from "./fake-bridge.ts";

const TOKEN = "web-sample-secret-5678";
const dir = mkdtempSync(join(tmpdir(), "capakit-web-"));
const ingress = join(dir, "ingress.sock");
const apiSocket = join(dir, "api.sock");
const bridgeSocket = join(dir, "bridge.sock");

const bridge = startFakeBridge(bridgeSocket, { api_token: TOKEN });
const fake = fakeApiHandler(TOKEN);
const apiServer = Bun.serve({ unix: apiSocket, fetch: fake.handler });
let proc: ReturnType<typeof Bun.spawn>;

function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`http://localhost${path}`, { ...init, redirect: "manual", unix: ingress } as RequestInit);
}

beforeAll(async () => {
  proc = Bun.spawn([process.execPath, "run", join(import.meta.dir, "..", "src", "index.ts")], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? dir,
      TMPDIR: tmpdir(),
      CAPAKIT_WORKLOAD_KEY: "web",
      CAPAKIT_WORKLOAD_INGRESS_BIND: `unix:${ingress}`,
      CAPAKIT_WORKLOAD_BRIDGE_BIND: `unix:${bridgeSocket}`,
      CAPAKIT_CONNECTED_WORKLOADS: JSON.stringify([{ workloadKey: "api", endpoint: "/http", protocol: "http", bind: `unix:${apiSocket}` }]),
      CAPAKIT_MOUNTS_JSON: "{}",
      TODO_TITLE: "Groceries",
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`web exited early with ${proc.exitCode}`);
    try {
      if ((await call("/healthz")).ok) return;
    } catch {
      // not listening yet
    }
    await Bun.sleep(50);
  }
  throw new Error("web did not start listening in time");
});

afterAll(() => {
  if (proc.exitCode === null) proc.kill("SIGKILL");
  apiServer.stop(true);
  bridge.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("renders the list from the connected api and adds through it with the bridged token", async () => {
  const empty = await call("/");
  expect(empty.status).toBe(200);
  const emptyBody = await empty.text();
  expect(emptyBody).toContain("<h1>Groceries</h1>");
  expect(emptyBody).toContain("Nothing to do.");

  const added = await call("/add", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
    body: "title=apples+%26+pears",
  });
  expect(added.status).toBe(303);
  expect(fake.seen.find((s) => s.method === "POST")?.authorization).toBe(`Bearer ${TOKEN}`);
  expect(bridge.calls.some((c) => c.op === "resolve_secret")).toBe(true);

  const page = await (await call("/")).text();
  expect(page).toContain("apples &amp; pears");

  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  expect(existsSync(ingress)).toBe(false);
  const output = (await new Response(proc.stdout as ReadableStream).text()) + (await new Response(proc.stderr as ReadableStream).text());
  expect(output).toContain("todo web listening on unix:");
  expect(output).not.toContain(TOKEN);
});
