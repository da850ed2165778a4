import { unlinkSync } from "node:fs";

import { createApi } from "./app.ts";
import { bridge, formatBind, ingressBind, listenHostname, mount, watchParent, workloadKey, type Bind, type BridgeClient } from "./contract.ts";
import { TodoStore } from "./store.ts";

const SECRET = "api_token";
const name = workloadKey();

/** TODO_MAX_ITEMS comes from the Kit option max_items (env_from_options); 100 when unset. */
export function parseMaxItems(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 100;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`TODO_MAX_ITEMS must be a whole number >= 1, got \`${value}\``);
  return n;
}

function removeSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

async function main(): Promise<void> {
  let bind: Bind;
  let store: TodoStore;
  let maxItems: number;
  let secrets: BridgeClient;
  try {
    bind = ingressBind();
    maxItems = parseMaxItems(process.env.TODO_MAX_ITEMS);
    secrets = bridge();
    store = await TodoStore.open(mount("data", true).path);
  } catch (error) {
    console.error(`[${name}] cannot start: ${(error as Error).message}`);
    process.exit(2);
  }

  const fetch = createApi({ store, maxItems, resolveToken: () => secrets.resolveSecret(SECRET) });
  if (bind.kind === "unix") removeSocket(bind.path);
  const server = bind.kind === "unix"
    ? Bun.serve({ unix: bind.path, fetch })
    : Bun.serve({ hostname: listenHostname(bind), port: bind.port, fetch });
  console.log(`[${name}] todo api listening on ${formatBind(bind)}; list in ${store.file}; max_items=${maxItems}`);

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
