// SIGKILL to a host process by its host pid: bun kill-host.ts <pid>
import { sys, NR, verdict } from "./sys";

verdict(`kill(${process.argv[2]}, SIGKILL)`, sys(NR.kill, Number(process.argv[2]), 9));
