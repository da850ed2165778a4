// Writing a child's memory through /proc/<pid>/mem: ptrace by another door (it needs no ptrace() call).
// Writes back the bytes already there, so even a success changes nothing.
import { openSync, readSync, writeSync, readFileSync, closeSync } from "fs";

const child = Bun.spawn(["sleep", "30"]);
await Bun.sleep(50);
const start = Number.parseInt(readFileSync(`/proc/${child.pid}/maps`, "latin1").split("-")[0], 16);
try {
  const fd = openSync(`/proc/${child.pid}/mem`, "r+");
  const bytes = Buffer.alloc(8);
  readSync(fd, bytes, 0, 8, start);
  writeSync(fd, bytes, 0, 8, start);
  closeSync(fd);
  console.log(`ESCAPED wrote /proc/${child.pid}/mem`);
} catch (e: any) {
  console.log(`BLOCKED /proc/${child.pid}/mem: ${e.code}`);
}
child.kill(9);
