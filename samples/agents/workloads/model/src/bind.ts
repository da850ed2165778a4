import { unlinkSync } from "node:fs";

// CAPAKIT_WORKLOAD_INGRESS_BIND: `unix:<path>` or `tcp:<host>:<port>`.
export type Bind = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

export function parseBind(value: string | undefined): Bind {
  if (!value) throw new Error("CAPAKIT_WORKLOAD_INGRESS_BIND is not set; start this workload with CapaKit");
  if (value.startsWith("unix:") && value.length > 5) return { kind: "unix", path: value.slice(5) };
  const m = /^tcp:(.+):(\d+)$/.exec(value);
  if (m) return { kind: "tcp", host: m[1]!.replace(/^\[(.*)\]$/, "$1"), port: Number(m[2]) };
  throw new Error(`unsupported bind: ${value}`);
}

/** Bun.serve on the ingress bind (a stale unix socket file is removed first). */
export function serve(bind: Bind, fetch: (request: Request) => Response | Promise<Response>) {
  if (bind.kind === "unix") {
    try {
      unlinkSync(bind.path);
    } catch {}
    return Bun.serve({ unix: bind.path, fetch, idleTimeout: 0 });
  }
  return Bun.serve({ hostname: bind.host, port: bind.port, fetch, idleTimeout: 0 });
}

/** Runs the server until SIGTERM/SIGINT. */
export function run(name: string, fetch: (request: Request) => Response | Promise<Response>): void {
  const bind = parseBind(process.env.CAPAKIT_WORKLOAD_INGRESS_BIND);
  const server = serve(bind, fetch);
  console.log(`[${name}] listening on ${process.env.CAPAKIT_WORKLOAD_INGRESS_BIND}`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}
