import { createApp } from "./app.ts";
import { run } from "./bind.ts";
import { KvStore, parseMaxKeys } from "./store.ts";

const name = process.env.CAPAKIT_WORKLOAD_KEY ?? "server";
let store: KvStore;
try {
  store = new KvStore(parseMaxKeys(process.env.KV_MAX_KEYS));
} catch (error) {
  console.error(`[${name}] cannot start: ${(error as Error).message}`);
  process.exit(2);
}
run(name, createApp(store), `; max_keys=${store.maxKeys}`);
