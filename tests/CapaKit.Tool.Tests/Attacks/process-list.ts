// Which processes /proc shows. Only the sandbox's own may appear: bubblewrap's init (pid 1) and this program.
import { readdirSync, readFileSync } from "fs";

const seen = readdirSync("/proc").filter(n => /^\d+$/.test(n)).map(pid => {
  let cmd = "?";
  try { cmd = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0")[0]; } catch {}
  return { pid: Number(pid), cmd };
});
const foreign = seen.filter(p => p.pid !== process.pid && !(p.pid === 1 && p.cmd.endsWith("bwrap")));
if (foreign.length > 0) {
  console.log(`ESCAPED sees ${seen.length} processes, e.g. ${foreign.slice(0, 5).map(p => `${p.pid}:${p.cmd}`).join(" ")}`);
} else {
  console.log(`BLOCKED sees ${seen.length} processes: ${seen.map(p => `${p.pid}:${p.cmd}`).join(" ")}`);
}
