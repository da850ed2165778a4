// Device nodes in the root: a twin of /dev/mem (char 1,1) and of the first disk (block 8,0).
import { sys, NR, cstr, errno } from "./sys";

const AT_FDCWD = -100, S_IFCHR = 0o020000, S_IFBLK = 0o060000;
const outcome: string[] = [];
for (const [name, mode, dev] of [["mem", S_IFCHR, (1 << 8) | 1], ["sda", S_IFBLK, 8 << 8]] as const) {
  const r = sys(NR.mknodat, AT_FDCWD, cstr(`${name}-${process.pid}`), mode | 0o666, dev);
  if (r === 0) { console.log(`ESCAPED created device node ${name}`); process.exit(0); }
  outcome.push(`${name}: ${errno(r)}`);
}
console.log(`BLOCKED mknod ${outcome.join(", ")}`);
