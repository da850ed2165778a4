import { run } from "./bind.ts";
import { route } from "./mcp.ts";

run(process.env.CAPAKIT_WORKLOAD_KEY ?? "tools", route);
