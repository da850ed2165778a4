// PTRACE_ATTACH to a child of our own (same uid, so only the filter stands in the way).
import { sys, NR, verdict } from "./sys";

const PTRACE_ATTACH = 16, PTRACE_DETACH = 17;
const child = Bun.spawn(["sleep", "30"]);
const r = sys(NR.ptrace, PTRACE_ATTACH, child.pid, 0, 0);
if (r === 0) sys(NR.ptrace, PTRACE_DETACH, child.pid, 0, 0);
child.kill(9);
verdict(`ptrace(PTRACE_ATTACH, ${child.pid})`, r);
