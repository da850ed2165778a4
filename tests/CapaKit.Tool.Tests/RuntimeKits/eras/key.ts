// A Key-era workload contract client, written for these tests (not the public SDK's code): it reads the environment
// the way the newest public SDK does, refuses what that SDK refuses, and says workload_ready once it listens.
//   identity CAPAKIT_WORKLOAD_KEY (pattern-checked) · mounts {"<key>": {key, path, access}} · peers [{workloadKey, …}]
//   resolve_secret {secret_key}: exactly one frame, our id, the bridge media type · workload_ready after listening
import { createHash } from "node:crypto";
import { existsSync, unlinkSync } from "node:fs";

const BRIDGE_TYPE = "application/x-capakit-workload-bridge-jsonl";
const KEY = /^[a-z](?:[a-z0-9_-]*[a-z0-9])?$/;

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
const key = process.env.CAPAKIT_WORKLOAD_KEY ?? "";
if (key.length > 0 && !KEY.test(key)) throw new Error(`invalid workload key ${key}`);

function mounts(): Record<string, { path: string; access: string }> {
  const raw = process.env.CAPAKIT_MOUNTS_JSON;
  if (!raw) return {};
  const parsed = JSON.parse(raw);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("CAPAKIT_MOUNTS_JSON must be an object");
  const result: Record<string, { path: string; access: string }> = {};
  for (const [name, entry] of Object.entries(parsed as Record<string, Record<string, unknown>>)) {
    if (!KEY.test(name) || entry.key !== name) throw new Error(`mount ${name}: entry key ${String(entry.key)} does not match`);
    result[name] = { path: String(entry.path), access: String(entry.access).replace("-", "_") };
  }
  return result;
}

let nextId = 1;

/** Strict, as the newest SDK is: 200, the bridge media type, exactly one frame, carrying our id. */
async function call(op: string, params: unknown): Promise<unknown> {
  const id = String(nextId++);
  const response = await fetch("http://capakit.local/rpc", {
    method: "POST",
    headers: { "content-type": BRIDGE_TYPE },
    body: `${JSON.stringify({ id, op, params })}\n`,
    unix: bridge,
  } as RequestInit);
  if (response.status !== 200) throw new Error(`bridge answered HTTP ${response.status}`);
  if (!(response.headers.get("content-type") ?? "").toLowerCase().startsWith(BRIDGE_TYPE)) throw new Error("bridge answered another media type");
  const text = await response.text();
  if (!text.endsWith("\n")) throw new Error("bridge answer ends in a partial line");
  const frames = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (frames.length !== 1) throw new Error(`bridge answered ${frames.length} frames`);
  const frame = JSON.parse(frames[0]);
  if (frame.id !== id) throw new Error("bridge answered another id");
  if (frame.error) throw new Error(frame.error.message ?? "workload bridge failed");
  return frame.ok;
}

let readyAnswer: string = "not sent";

async function report(): Promise<Record<string, unknown>> {
  const token = (await call("resolve_secret", { secret_key: "token" })) as { value: string };
  return {
    era: "key",
    name: key,
    mounts: mounts(),
    mountVariable: process.env.CAPAKIT_MOUNT_MODELS ?? null,
    ready: readyAnswer,
    tokenSha256: createHash("sha256").update(token.value, "utf8").digest("hex"),
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
readyAnswer = JSON.stringify(await call("workload_ready", null));
console.log(`key-era client ${key} listening`);
