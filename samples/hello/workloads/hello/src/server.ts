import { unlinkSync } from "node:fs";

import { listenHostname, type Bind } from "./contract.ts";
import { handleMcpHttp } from "./mcp.ts";

export type HelloServer = {
  /** Stops accepting, lets in-flight requests finish (up to a grace period) and removes the socket file. */
  stop(): Promise<void>;
};

/** Routes: POST /mcp (also POST / for gateways that strip the exposed path), GET /healthz. */
export async function route(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/healthz") {
    return request.method === "GET" || request.method === "HEAD"
      ? new Response("ok\n", { headers: { "content-type": "text/plain; charset=utf-8" } })
      : new Response("method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
  }
  if (pathname === "/mcp" || pathname === "/mcp/" || pathname === "/") {
    return handleMcpHttp(request);
  }
  return new Response("not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
}

function removeSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

export function startServer(bind: Bind): HelloServer {
  const fetch = async (request: Request): Promise<Response> => {
    try {
      return await route(request);
    } catch {
      return new Response("internal error\n", { status: 500 });
    }
  };
  let server: ReturnType<typeof Bun.serve>;
  if (bind.kind === "unix") {
    removeSocket(bind.path); // a stale socket from a previous run would make listen fail
    server = Bun.serve({ unix: bind.path, fetch });
  } else {
    server = Bun.serve({ hostname: listenHostname(bind), port: bind.port, fetch });
  }

  let stopping: Promise<void> | null = null;
  return {
    stop() {
      stopping ??= (async () => {
        const grace = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref?.());
        await Promise.race([server.stop(), grace]);
        server.stop(true);
        if (bind.kind === "unix") removeSocket(bind.path);
      })();
      return stopping;
    },
  };
}
