// A Mid-era workload contract client, written for these tests (not the public SDK's code): it reads the environment
// the way the SDK that public Kits pin (0.0.7–0.0.10) does, and refuses what that SDK refuses. Any path on its
// ingress answers a report of what it found.
//   identity CAPAKIT_WORKLOAD_MID · mounts {"<mid>": {mid, path, access}} · peers [{workloadMid, endpoint, protocol, bind}]
//   resolve_secret {secret_mid} with `connection: close`, first frame with our id wins · no workload_ready
import { createHash } from "node:crypto";
import { existsSync, unlinkSync } from "node:fs";

const BRIDGE_TYPE = "application/x-capakit-workload-bridge-jsonl";
const PROTOCOLS = new Set(["http", "mcp", "oaic", "a2a"]);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function unixPath(bind: string): string {
  if (!bind.startsWith("unix:")) throw new Error(`unsupported hosted bind ${bind}`);
  return bind.slice("unix:".length);
}

const ingress = unixPath(required("CAPAKIT_WORKLOAD_INGRESS_BIND"));
const bridge = unixPath(required("CAPAKIT_WORKLOAD_BRIDGE_BIND"));
const name = process.env.CAPAKIT_WORKLOAD_MID ?? "unknown";

function mounts(): Record<string, { path: string; access: string }> {
  const raw = process.env.CAPAKIT_MOUNTS_JSON;
  if (!raw) return {};
  const parsed = JSON.parse(raw);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("CAPAKIT_MOUNTS_JSON must be an object");
  const result: Record<string, { path: string; access: string }> = {};
  for (const [mid, entry] of Object.entries(parsed as Record<string, Record<string, unknown>>)) {
    if (entry.mid !== mid) throw new Error(`mount ${mid}: entry mid ${String(entry.mid)} does not match`);
    result[mid] = { path: String(entry.path), access: String(entry.access).replace("-", "_") };
  }
  return result;
}

function peers(): { workload: string; endpoint: string; protocol: string; bind: string }[] {
  const raw = process.env.CAPAKIT_CONNECTED_WORKLOADS;
  if (!raw) return [];
  const parsed = JSON.parse(raw);
  if (!Array.isArray(parsed)) throw new Error("CAPAKIT_CONNECTED_WORKLOADS must be an array");
  return parsed.map((entry: Record<string, unknown>) => {
    for (const field of ["workloadMid", "endpoint", "protocol", "bind"]) {
      if (typeof entry[field] !== "string" || (entry[field] as string).length === 0) throw new Error(`connected workload entry needs ${field}`);
    }
    if (!PROTOCOLS.has(entry.protocol as string)) throw new Error(`unsupported protocol ${String(entry.protocol)}`);
    const endpoint = entry.endpoint as string;
    return { workload: entry.workloadMid as string, endpoint: endpoint.startsWith("/") ? endpoint : "/" + endpoint, protocol: entry.protocol as string, bind: entry.bind as string };
  });
}

async function resolveSecret(secret: string): Promise<string> {
  const id = "1";
  const response = await fetch("http://capakit.local/rpc", {
    method: "POST",
    headers: { "content-type": BRIDGE_TYPE, connection: "close" },
    body: `${JSON.stringify({ id, op: "resolve_secret", params: { secret_mid: secret } })}\n`,
    unix: bridge,
  } as RequestInit);
  for (const line of (await response.text()).split(/\r?\n/)) {
    if (line.trim().length === 0) continue;
    const frame = JSON.parse(line);
    if (frame.id !== id) continue;
    if (frame.error) throw new Error(frame.error.message ?? "workload bridge failed");
    return frame.ok.value;
  }
  throw new Error("no frame with our id");
}

async function report(): Promise<Record<string, unknown>> {
  const found = peers();
  const peer = found.find((p) => p.workload === "key");
  const peerAnswer = peer
    ? await (await fetch(`http://capakit.local${peer.endpoint}`, { unix: unixPath(peer.bind) } as RequestInit)).json()
    : null;
  const token = await resolveSecret("token");
  return {
    era: "mid",
    name,
    mounts: mounts(),
    mountVariable: process.env.CAPAKIT_MOUNT_MODELS ?? null,
    peers: found.map((p) => p.workload),
    peerEra: peerAnswer ? (peerAnswer as { era: string }).era : null,
    tokenSha256: createHash("sha256").update(token, "utf8").digest("hex"),
  };
}

if (existsSync(ingress)) unlinkSync(ingress);
Bun.serve({
  unix: ingress,
  async fetch() {
    try {
      return Response.json(await report());
    } catch (error) {
      return Response.json({ error: String((error as Error).message) }, { status: 500 });
    }
  },
});
console.log(`mid-era client ${name} listening`);
