// /sys: kernel objects, cgroups, uevent_helper (a host-root code path). Asks only whether they could be written.
import { accessSync, constants, existsSync } from "fs";

const outcome: string[] = [`/sys ${existsSync("/sys") ? "present" : "absent"}`];
for (const path of ["/sys/kernel/uevent_helper", "/sys/fs/cgroup", "/sys/class/net"]) {
  try { accessSync(path, constants.W_OK); console.log(`ESCAPED ${path} is writable`); process.exit(0); } catch (e: any) { outcome.push(`${path}: ${e.code}`); }
}
console.log(`BLOCKED ${outcome.join("; ")}`);
