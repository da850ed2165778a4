// Connects to a host unix socket: bun unix-connect.ts <path> (a socket file) or @<name> (the abstract namespace).
import { sys, NR, mem, cstr, errno } from "./sys";

const target = process.argv[2];
const fd = sys(NR.socket, 1, 1, 0); // AF_UNIX, SOCK_STREAM: allowed, the runtime's own sockets use it
if (fd < 0) { console.log(`ERROR socket(AF_UNIX): ${errno(fd)}`); process.exit(1); }
const path = Buffer.from(target.startsWith("@") ? "\0" + target.slice(1) : target + "\0");
const [addr, addrPtr] = mem(110);
addr[0] = 1; // sa_family = AF_UNIX
addr.set(path, 2);
const r = sys(NR.connect, fd, addrPtr, 2 + path.length);
if (r === 0) {
  sys(NR.write, fd, cstr("escaped"), 7);
  console.log(`ESCAPED connected to ${target}`);
} else {
  console.log(`BLOCKED connect ${target}: ${errno(r)}`);
}
