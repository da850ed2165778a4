import { ingressBind, watchParent, WORKLOAD_MID_ENV } from "./contract.ts";
import { startServer } from "./server.ts";

const name = process.env[WORKLOAD_MID_ENV] ?? "hello";

let bind;
try {
  bind = ingressBind();
} catch (error) {
  console.error(`[${name}] ${(error as Error).message}`);
  process.exit(2);
}

const server = startServer(bind);
console.log(`[${name}] MCP server listening on ${bind.kind === "unix" ? `unix:${bind.path}` : `tcp:${bind.host}:${bind.port}`}`);

let shuttingDown = false;
async function shutdown(reason: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`[${name}] ${reason}: shutting down`);
  await server.stop();
  process.exit(0);
}

process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
watchParent(() => void shutdown("parent process gone"));
