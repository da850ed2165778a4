// The part of the CapaKit workload contract this workload needs: where to listen
// (CAPAKIT_WORKLOAD_INGRESS_BIND) and how to notice that the runtime that
// started it is gone. Kept small on purpose; no SDK dependency.

export type Bind =
  | { kind: "unix"; path: string }
  | { kind: "tcp"; host: string; port: number };

export const INGRESS_BIND_ENV = "CAPAKIT_WORKLOAD_INGRESS_BIND";
export const WORKLOAD_MID_ENV = "CAPAKIT_WORKLOAD_KEY";

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
    if (!/^\d+$/.test(portText) || !Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new Error(`invalid tcp port in bind: ${value}`);
    }
    return { kind: "tcp", host, port };
  }
  throw new Error(`unsupported bind (expected unix:<path> or tcp:<host>:<port>): ${value}`);
}

/** Reads and parses the ingress bind; throws a readable error when it is missing. */
export function ingressBind(env: Record<string, string | undefined> = process.env): Bind {
  const raw = env[INGRESS_BIND_ENV];
  if (!raw) throw new Error(`${INGRESS_BIND_ENV} is not set; start this workload with CapaKit`);
  return parseBind(raw);
}

/** Host name as Bun.serve wants it (no IPv6 brackets). */
export function listenHostname(bind: { host: string }): string {
  return bind.host.startsWith("[") && bind.host.endsWith("]") ? bind.host.slice(1, -1) : bind.host;
}

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
