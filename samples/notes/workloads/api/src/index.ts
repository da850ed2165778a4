import { createApp } from "./app.ts";
import { run } from "./bind.ts";
import { Notes } from "./notes.ts";
import { parseConnectedWorkloads, peerSocket, unixPeerFetch } from "./peers.ts";

// `store` is this Kit's name for the imported Kit's exposed path /kv (capability.yml: workloads.store.import).
const STORE = "store";
const name = process.env.CAPAKIT_WORKLOAD_KEY ?? "api";
let socket: string;
try {
  socket = peerSocket(parseConnectedWorkloads(process.env.CAPAKIT_CONNECTED_WORKLOADS), STORE);
} catch (error) {
  console.error(`[${name}] cannot start: ${(error as Error).message}`);
  process.exit(2);
}
run(name, createApp(new Notes(unixPeerFetch(STORE, socket))), `; store at unix:${socket}`);
