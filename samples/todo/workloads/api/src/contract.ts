// The CapaKit workload contract, as this workload reads it. Each workload root
// of this Kit carries its own copy of this file (workload roots are isolated
// from each other); keep the copies identical.
//
//   CAPAKIT_WORKLOAD_KEY                 this workload's name
//   CAPAKIT_WORKLOAD_INGRESS_BIND  where to listen: unix:<path> | tcp:<host>:<port>
//   CAPAKIT_CONNECTED_WORKLOADS          JSON [{workloadKey, endpoint, protocol, bind}]
//   CAPAKIT_MOUNTS_JSON                  JSON {"<key>": {key, path, access}}
//   CAPAKIT_WORKLOAD_BRIDGE_BIND           the secrets bridge (JSONL over HTTP POST /rpc)

type Env = Record<string, string | undefined>;

export type Bind =
  | { kind: "unix"; path: string }
  | { kind: "tcp"; host: string; port: number };

export const ENV = {
  workloadKey: "CAPAKIT_WORKLOAD_KEY",
  ingressBind: "CAPAKIT_WORKLOAD_INGRESS_BIND",
  connectedWorkloads: "CAPAKIT_CONNECTED_WORKLOADS",
  mounts: "CAPAKIT_MOUNTS_JSON",
  bridgeBind: "CAPAKIT_WORKLOAD_BRIDGE_BIND",
} as const;

/** Parses `unix:<path>` or `tcp:<host>:<port>` (IPv6 hosts in brackets: `tcp:[::1]:8080`). */
export function parseBind(value: string): Bind {
  if (value.startsWith("unix:")) {
    const path = value.slice("unix:".length);
    if (path.length === 0) throw new Error(`invalid unix bind: ${value}`);
    return { kind: "unix", path };
  }
  if (value.startsWith("tcp:")) {
    const rest = value.slice("tcp:".length);
    const colon = rest.lastIndexOf(":");
    if (colon <= 0) throw new Error(`invalid tcp bind: ${value}`);
    const host = rest.slice(0, colon);
    const portText = rest.slice(colon + 1);
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port <= 0 || port > 65535) {
      throw new Error(`invalid tcp port in bind: ${value}`);
    }
    return { kind: "tcp", host, port };
  }
  throw new Error(`unsupported bind (expected unix:<path> or tcp:<host>:<port>): ${value}`);
}

export function formatBind(bind: Bind): string {
  return bind.kind === "unix" ? `unix:${bind.path}` : `tcp:${bind.host}:${bind.port}`;
}

/** Host name as Bun.serve wants it (no IPv6 brackets). */
export function listenHostname(bind: { host: string }): string {
  return bind.host.startsWith("[") && bind.host.endsWith("]") ? bind.host.slice(1, -1) : bind.host;
}

function required(env: Env, key: string): string {
  const value = env[key];
  if (!value) throw new Error(`${key} is not set; start this workload with CapaKit`);
  return value;
}

function parseJson(env: Env, key: string): unknown {
  try {
    return JSON.parse(env[key]!);
  } catch {
    throw new Error(`${key} is not valid JSON`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(record: Record<string, unknown>, key: string, what: string): string {
  const value = record[key];
  if (typeof value !== "string" || value.length === 0) throw new Error(`${what}: expected string field \`${key}\``);
  return value;
}

export function workloadKey(env: Env = process.env): string {
  return env[ENV.workloadKey] ?? "unknown";
}

export function ingressBind(env: Env = process.env): Bind {
  return parseBind(required(env, ENV.ingressBind));
}

// ---- connected workloads -------------------------------------------------

export type ConnectedWorkload = { workloadKey: string; endpoint: string; protocol: string; bind: Bind };

export function connectedWorkloads(env: Env = process.env): ConnectedWorkload[] {
  if (!env[ENV.connectedWorkloads]) return [];
  const parsed = parseJson(env, ENV.connectedWorkloads);
  if (!Array.isArray(parsed)) throw new Error(`${ENV.connectedWorkloads} must be a JSON array`);
  return parsed.map((entry) => {
    if (!isObject(entry)) throw new Error(`${ENV.connectedWorkloads}: each entry must be an object`);
    const what = ENV.connectedWorkloads;
    const endpoint = stringField(entry, "endpoint", what);
    return {
      workloadKey: stringField(entry, "workloadKey", what),
      endpoint: endpoint.startsWith("/") ? endpoint : `/${endpoint}`,
      protocol: stringField(entry, "protocol", what),
      bind: parseBind(stringField(entry, "bind", what)),
    };
  });
}

/** The connection to `key`; throws when the manifest does not connect this workload to it. */
export function connectedWorkload(key: string, env: Env = process.env): ConnectedWorkload {
  const found = connectedWorkloads(env).find((c) => c.workloadKey === key);
  if (!found) throw new Error(`no connection to workload \`${key}\` in ${ENV.connectedWorkloads}`);
  return found;
}

// ---- host mounts -----------------------------------------------------------

export type Mount = { key: string; path: string; access: "read_only" | "read_write" };

export function mounts(env: Env = process.env): Record<string, Mount> {
  if (!env[ENV.mounts]) return {};
  const parsed = parseJson(env, ENV.mounts);
  if (!isObject(parsed)) throw new Error(`${ENV.mounts} must be a JSON object`);
  const result: Record<string, Mount> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!isObject(value)) throw new Error(`${ENV.mounts}: entry \`${key}\` must be an object`);
    const mountKey = stringField(value, "key", ENV.mounts);
    if (mountKey !== key) throw new Error(`${ENV.mounts}: entry key \`${key}\` does not match key \`${mountKey}\``);
    const access = String(value.access).replace("-", "_");
    if (access !== "read_only" && access !== "read_write") {
      throw new Error(`${ENV.mounts}: unsupported access \`${String(value.access)}\` for \`${key}\``);
    }
    result[key] = { key: mountKey, path: stringField(value, "path", ENV.mounts), access };
  }
  return result;
}

/** The mount `key`; throws when it is missing (or read-only while `needWrite`). */
export function mount(key: string, needWrite: boolean, env: Env = process.env): Mount {
  const found = mounts(env)[key];
  if (!found) throw new Error(`host mount \`${key}\` is not in ${ENV.mounts}; bind it with --mount ${key}=<folder>`);
  if (needWrite && found.access !== "read_write") throw new Error(`host mount \`${key}\` is read-only`);
  return found;
}

// ---- HTTP over a bind -------------------------------------------------------

/** fetch() to a path on a bind: unix sockets through Bun's `unix` option, tcp as plain http. */
export function fetchVia(bind: Bind, path: string, init: RequestInit = {}): Promise<Response> {
  if (bind.kind === "unix") {
    return fetch(`http://localhost${path}`, { ...init, unix: bind.path } as RequestInit);
  }
  return fetch(`http://${bind.host}:${bind.port}${path}`, init);
}

// ---- secrets bridge -----------------------------------------------------------

export const BRIDGE_CONTENT_TYPE = "application/x-capakit-workload-bridge-jsonl";
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

/**
 * Client of the runtime's bridge. One request is one HTTP POST /rpc whose body
 * is one JSON line; the answer is JSON lines, one of which carries our id with
 * `ok` or `error`. Secret values are returned to the caller and never logged,
 * cached or put in an error message here.
 */
export class BridgeClient {
  private nextId = 1;

  constructor(private readonly bind: Bind, private readonly timeoutMs = 10_000) {}

  async call(op: string, params: unknown): Promise<unknown> {
    const id = String(this.nextId++);
    const frame = `${JSON.stringify({ id, op, params })}\n`;
    if (Buffer.byteLength(frame) > MAX_FRAME_BYTES) throw new Error("bridge request frame is too large");
    const response = await fetchVia(this.bind, "/rpc", {
      method: "POST",
      headers: { "content-type": BRIDGE_CONTENT_TYPE },
      body: frame,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`bridge answered HTTP ${response.status}`);
    }
    const type = (response.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== BRIDGE_CONTENT_TYPE) {
      await response.body?.cancel();
      throw new Error(`bridge answered unexpected content type \`${type}\``);
    }
    const text = await response.text();
    if (Buffer.byteLength(text) > MAX_FRAME_BYTES + 1) throw new Error("bridge response frame is too large");
    for (const line of text.split("\n")) {
      const trimmed = line.trim();
      if (trimmed.length === 0) continue;
      let message: unknown;
      try {
        message = JSON.parse(trimmed);
      } catch {
        throw new Error("bridge answered a line that is not JSON");
      }
      if (!isObject(message) || message.id !== id) continue;
      if ("error" in message) {
        const error = message.error;
        const detail = isObject(error) && typeof error.message === "string" ? error.message : "unknown error";
        throw new Error(`bridge refused ${op}: ${detail}`);
      }
      if ("ok" in message) return message.ok;
      throw new Error("bridge answer has neither ok nor error");
    }
    throw new Error("bridge answer did not contain our request id");
  }

  async resolveSecret(secretKey: string): Promise<string> {
    const ok = await this.call("resolve_secret", { secret_key: secretKey });
    if (!isObject(ok) || typeof ok.value !== "string") throw new Error("bridge answer for resolve_secret has no string value");
    return ok.value;
  }
}

export function bridge(env: Env = process.env): BridgeClient {
  return new BridgeClient(parseBind(required(env, ENV.bridgeBind)));
}

// ---- lifetime ---------------------------------------------------------------------

/**
 * Calls `onGone` once if this process gets re-parented, which happens when the
 * runtime that started it dies without stopping it. When the process starts as
 * a child of pid 1 (for example inside a fresh pid namespace) there is nothing
 * to compare with, so no watch is set.
 */
export function watchParent(onGone: () => void, intervalMs = 2000): () => void {
  const initial = process.ppid;
  if (initial <= 1) return () => {};
  const timer = setInterval(() => {
    if (process.ppid !== initial) {
      clearInterval(timer);
      onGone();
    }
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
