// Opens sockets of the families a networkless sandbox must not have, and sends nothing on them:
// bun socket.ts <family> <type> <protocol> [<family> <type> <protocol>]...
import { sys, NR, errno } from "./sys";

const args = process.argv.slice(2).map(Number);
const outcome: string[] = [];
for (let i = 0; i < args.length; i += 3) {
  const [family, type, protocol] = args.slice(i, i + 3);
  const fd = sys(NR.socket, family, type, protocol);
  if (fd >= 0) { console.log(`ESCAPED socket(${family}, ${type}, ${protocol}) = ${fd}`); process.exit(0); }
  outcome.push(`socket(${family}, ${type}, ${protocol}): ${errno(fd)}`);
}
console.log(`BLOCKED ${outcome.join("; ")}`);
