// Capabilities, no_new_privs and the seccomp mode, as the kernel reports them for this process.
import { readFileSync } from "fs";

const status = Object.fromEntries(readFileSync("/proc/self/status", "utf8").split("\n").map(l => l.split(":\t")));
const wrong: string[] = [];
for (const cap of ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]) if (BigInt("0x" + status[cap]) !== 0n) wrong.push(`${cap}=${status[cap]}`);
if (status.NoNewPrivs !== "1") wrong.push(`NoNewPrivs=${status.NoNewPrivs}`);
if (status.Seccomp !== "2") wrong.push(`Seccomp=${status.Seccomp}`);
console.log(wrong.length > 0 ? `ESCAPED ${wrong.join(" ")}` : "BLOCKED no capabilities (inheritable, permitted, effective, bounding, ambient all 0), NoNewPrivs 1, Seccomp 2");
