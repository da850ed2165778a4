// Hard links to files outside the root: bun hardlink.ts <host file>. The host file is not visible; a visible
// system file (/etc/passwd, read-only bind) must not get a writable alias in the root either.
import { sys, NR, cstr, errno } from "./sys";

const tries: [string, string][] = [[process.argv[2], `hl-host-${process.pid}`], ["/etc/passwd", `hl-passwd-${process.pid}`]];
const outcome: string[] = [];
for (const [from, to] of tries) {
  const r = sys(NR.link, cstr(from), cstr(to));
  if (r === 0) { console.log(`ESCAPED linked ${from} as ${to}`); process.exit(0); }
  outcome.push(`${from}: ${errno(r)}`);
}
console.log(`BLOCKED ${outcome.join("; ")}`);
