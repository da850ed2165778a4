import { run } from "./bind.ts";
import { route } from "./oaic.ts";

run(process.env.CAPAKIT_WORKLOAD_KEY ?? "model", route);
