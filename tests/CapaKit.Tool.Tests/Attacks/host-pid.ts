// The test's own host process, by its host pid: bun host-pid.ts <pid>. Its cmdline must not be readable.
import { readFileSync } from "fs";

const pid = process.argv[2];
try {
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").join(" ");
  console.log(`ESCAPED /proc/${pid}/cmdline: ${cmdline}`);
} catch (e: any) {
  console.log(`BLOCKED /proc/${pid}/cmdline: ${e.code}`);
}
