// Descriptors the sandbox inherited from whoever started the tool: only stdin, stdout and stderr may come in.
// An inherited folder would be a way out of the root (openat(fd, "..")). Bun's own descriptors at this point
// are its event loop's (anon_inode:[eventpoll], [eventfd]); Bun marks inherited ones close-on-exec at start,
// so that flag tells nothing.
import { readdirSync, readlinkSync, statSync } from "fs";

const inherited: string[] = [];
for (const fd of readdirSync("/proc/self/fd").map(Number).filter(fd => fd > 2)) {
  try {
    const target = readlinkSync(`/proc/self/fd/${fd}`);
    if (target.startsWith("anon_inode:")) continue;
    const folder = statSync(`/proc/self/fd/${fd}`).isDirectory() ? ` (folder holding: ${readdirSync(`/proc/self/fd/${fd}`).join(",")})` : "";
    inherited.push(`${fd}->${target}${folder}`);
  } catch {
    // the descriptor readdirSync itself used, closed by now
  }
}
console.log(inherited.length > 0 ? `ESCAPED inherited ${inherited.join(" ")}` : "BLOCKED only stdin, stdout and stderr came in");
