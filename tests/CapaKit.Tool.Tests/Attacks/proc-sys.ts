// Host kernel settings through /proc/sys. Writes back the value already there (a no-op even if it succeeds),
// and asks the kernel whether core_pattern (a host-root code path) could be written, without writing it.
import { readFileSync, writeFileSync, accessSync, constants } from "fs";

const knob = "/proc/sys/kernel/printk_ratelimit";
const outcome: string[] = [];
try {
  writeFileSync(knob, readFileSync(knob, "utf8"));
  console.log(`ESCAPED wrote ${knob}`);
  process.exit(0);
} catch (e: any) { outcome.push(`write ${knob}: ${e.code}`); }
try {
  accessSync("/proc/sys/kernel/core_pattern", constants.W_OK);
  console.log("ESCAPED /proc/sys/kernel/core_pattern is writable");
  process.exit(0);
} catch (e: any) { outcome.push(`core_pattern: ${e.code}`); }
console.log(`BLOCKED ${outcome.join("; ")}`);
