import { route } from "./a2a.ts";
import { run } from "./bind.ts";

run(process.env.CAPAKIT_WORKLOAD_KEY ?? "agent", route);
