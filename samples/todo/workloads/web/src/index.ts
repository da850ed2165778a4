import { unlinkSync } from "node:fs";

import { ApiClient } from "./api-client.ts";
import { createWeb } from "./app.ts";
import { bridge, connectedWorkload, fetchVia, formatBind, ingressBind, listenHostname, watchParent, workloadKey, type Bind, type BridgeClient, type ConnectedWorkload } from "./contract.ts";

const SECRET = "api_token";
const name = workloadKey();

function removeSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

async function main(): Promise<void> {
  let bind: Bind;
  let apiConnection: ConnectedWorkload;
  let secrets: BridgeClient;
  try {
    bind = ingressBind();
    apiConnection = connectedWorkload("api");
    secrets = bridge();
  } catch (error) {
    console.error(`[${name}] cannot start: ${(error as Error).message}`);
    process.exit(2);
  }

  // TODO_TITLE comes from the Kit option `title` (env_from_options).
  const title = process.env.TODO_TITLE?.trim() || "CapaKit todo";
  const api = new ApiClient(
    (path, init) => fetchVia(apiConnection.bind, path, init),
    () => secrets.resolveSecret(SECRET),
  );
  const fetch = createWeb({ api, title });

  if (bind.kind === "unix") removeSocket(bind.path);
  const server = bind.kind === "unix"
    ? Bun.serve({ unix: bind.path, fetch })
    : Bun.serve({ hostname: listenHostname(bind), port: bind.port, fetch });
  console.log(`[${name}] todo web listening on ${formatBind(bind)}; api at ${formatBind(apiConnection.bind)}`);

  let stopping = false;
  const shutdown = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[${name}] ${reason}: shutting down`);
    await Promise.race([server.stop(), Bun.sleep(5000)]);
    server.stop(true);
    if (bind.kind === "unix") removeSocket(bind.path);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  watchParent(() => void shutdown("parent process gone"));
}

if (import.meta.main) await main();
