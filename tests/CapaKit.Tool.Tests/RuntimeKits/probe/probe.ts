// A probe workload for the runtime tests: reports, over HTTP on its ingress, what it can reach and resolve
// from inside its sandbox. Every workload of the probe Kit runs this same file.
//
//   GET /probe/whoami                 {workload}
//   GET /probe/connect?path=P&path=Q  every CAPAKIT_CONNECTED_WORKLOADS entry (an HTTP GET /probe/whoami over
//                                     its bind), then each extra unix socket path P, Q (exists? connect?)
//   GET /probe/secret?name=X          resolve X over the bridge: {ok, sha256, length} or {ok: false, error};
//                                     the value itself is never answered or logged
//   GET /probe/env                    this process's whole environment
//   GET /probe/log?msg=X              writes one log line "[<workload>] note: X"
import { createHash } from "node:crypto";
import { existsSync, unlinkSync } from "node:fs";
import { createConnection } from "node:net";

const name = process.env.CAPAKIT_WORKLOAD_MID ?? "unknown";

function unixPath(bind: string): string {
  if (!bind.startsWith("unix:")) throw new Error(`expected a unix: bind, got ${bind}`);
  return bind.slice("unix:".length);
}

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

type Attempt = { ok: true; status: number; body: string } | { ok: false; code: string | null; error: string };

async function httpOver(path: string, route: string): Promise<Attempt> {
  try {
    const response = await fetch(`http://localhost${route}`, { unix: path, signal: AbortSignal.timeout(10_000) } as RequestInit);
    return { ok: true, status: response.status, body: await response.text() };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return { ok: false, code: e.code ?? null, error: String(e.message) };
  }
}

function rawConnect(path: string): Promise<{ ok: true } | { ok: false; code: string | null; error: string }> {
  return new Promise((resolve) => {
    const socket = createConnection({ path });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, code: "TIMEOUT", error: "no answer within 5 s" });
    }, 5000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, code: error.code ?? null, error: String(error.message) });
    });
  });
}

const BRIDGE_CONTENT_TYPE = "application/x-capakit-workload-bridge-jsonl";
let nextId = 1;

/** One JSONL request over the bridge (the same framing as samples/todo's BridgeClient). */
async function resolveSecret(secret: string): Promise<string> {
  const bind = process.env.CAPAKIT_RUNNER_BRIDGE_BIND;
  if (!bind) throw new Error("CAPAKIT_RUNNER_BRIDGE_BIND is not set");
  const id = String(nextId++);
  const response = await fetch("http://localhost/rpc", {
    method: "POST",
    headers: { "content-type": BRIDGE_CONTENT_TYPE },
    body: `${JSON.stringify({ id, op: "resolve_secret", params: { secret_mid: secret } })}\n`,
    unix: unixPath(bind),
    signal: AbortSignal.timeout(10_000),
  } as RequestInit);
  if (response.status !== 200) throw new Error(`bridge answered HTTP ${response.status}`);
  for (const line of (await response.text()).split("\n")) {
    if (line.trim().length === 0) continue;
    const message = JSON.parse(line);
    if (message.id !== id) continue;
    if (message.error) throw new Error(`bridge refused: ${message.error.message}`);
    if (message.ok && typeof message.ok.value === "string") return message.ok.value;
    throw new Error("bridge answer has neither a value nor an error");
  }
  throw new Error("bridge answer did not carry our id");
}

async function route(request: Request): Promise<Response> {
  const url = new URL(request.url);
  console.log(`[${name}] ${request.method} ${url.pathname}`);
  switch (url.pathname) {
    case "/probe/whoami":
      return json({ workload: name });
    case "/probe/connect": {
      const entries = JSON.parse(process.env.CAPAKIT_CONNECTED_WORKLOADS ?? "[]") as { workloadMid: string; bind: string }[];
      const connected = [];
      for (const entry of entries) {
        connected.push({ workloadMid: entry.workloadMid, bind: entry.bind, http: await httpOver(unixPath(entry.bind), "/probe/whoami") });
      }
      const paths = [];
      for (const path of url.searchParams.getAll("path")) {
        paths.push({ path, exists: existsSync(path), connect: await rawConnect(path), http: await httpOver(path, "/probe/whoami") });
      }
      return json({ workload: name, connectedWorkloads: process.env.CAPAKIT_CONNECTED_WORKLOADS ?? null, connected, paths });
    }
    case "/probe/secret": {
      const secret = url.searchParams.get("name") ?? "";
      try {
        const value = await resolveSecret(secret);
        return json({ ok: true, sha256: createHash("sha256").update(value, "utf8").digest("hex"), length: value.length });
      } catch (error) {
        return json({ ok: false, error: String((error as Error).message) });
      }
    }
    case "/probe/env":
      return json(process.env);
    case "/probe/log":
      console.log(`[${name}] note: ${url.searchParams.get("msg") ?? ""}`);
      return json({ logged: true });
    default:
      return json({ error: "not found" }, 404);
  }
}

const ingress = unixPath(process.env.CAPAKIT_RUNNER_MANAGED_INGRESS_BIND ?? "");
try {
  unlinkSync(ingress);
} catch {
  // not there yet
}
const server = Bun.serve({ unix: ingress, fetch: route });
console.log(`[${name}] probe listening on unix:${ingress}`);

const stop = () => {
  server.stop(true);
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
