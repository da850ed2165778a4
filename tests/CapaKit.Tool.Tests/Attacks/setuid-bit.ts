// Plants a setuid/setgid program in the root: the root is the host's folder, so a sandbox run by root would leave a
// setuid-root binary for any host user. bun setuid-bit.ts <marker>. Files stay for the test to inspect.
import { copyFileSync, statSync } from "fs";
import { sys, NR, cstr, errno } from "./sys";

const AT_FDCWD = -100;
const marker = process.argv[2];
const outcome: string[] = [];
for (const [name, call] of [
  ["chmod 4755", (f: string) => sys(NR.chmod, cstr(f), 0o4755)],
  ["fchmodat 2755", (f: string) => sys(NR.fchmodat, AT_FDCWD, cstr(f), 0o2755)],
  ["fchmodat2 6755", (f: string) => sys(NR.fchmodat2, AT_FDCWD, cstr(f), 0o6755, 0)],
] as const) {
  const file = `setid-${marker}-${name.split(" ")[0]}`;
  copyFileSync("/usr/bin/id", file);
  const r = call(file);
  if ((statSync(file).mode & 0o6000) !== 0) { console.log(`ESCAPED ${name} on ${file}`); process.exit(0); }
  outcome.push(`${name}: ${errno(r)}`);
}
console.log(`BLOCKED ${outcome.join("; ")}`);
