// /proc/1/environ: in the sandbox pid 1 is bubblewrap's init; the host's init (and its environment) must not be there.
// The test sets CAPAKIT_HOSTILE_SECRET in the tool's environment (spelled in pieces here, so no command line has it).
import { readFileSync } from "fs";

const secretName = ["CAPAKIT", "HOSTILE", "SECRET"].join("_");
let text: string;
try { text = readFileSync("/proc/1/environ", "latin1"); } catch (e: any) { console.log(`BLOCKED /proc/1/environ: ${e.code}`); process.exit(0); }
const vars = text.split("\0").filter(Boolean);
const init = readFileSync("/proc/1/cmdline", "latin1").split("\0")[0];
if (vars.some(v => v.startsWith(secretName + "=")) || init === "/sbin/init" || init.endsWith("systemd")) {
  console.log(`ESCAPED pid 1 is ${init}: ${vars.join(" ")}`);
} else {
  console.log(`BLOCKED pid 1 is the sandbox's own ${init}; its variables: ${vars.map(v => v.split("=")[0]).join(",")}`);
}
