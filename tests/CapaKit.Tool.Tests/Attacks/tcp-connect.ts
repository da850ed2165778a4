// TCP to a port on the host's loopback where the test listens: bun tcp-connect.ts <port>. Once with raw
// syscalls (the kernel's exact answer) and once with fetch, as a workload would.
import { sys, NR, mem, errno } from "./sys";

const port = Number(process.argv[2]);
const outcome: string[] = [];
const fd = sys(NR.socket, 2, 1, 0); // AF_INET, SOCK_STREAM
if (fd >= 0) {
  const [addr, addrPtr] = mem(16);
  new DataView(addr.buffer).setUint16(0, 2, true); // AF_INET
  new DataView(addr.buffer).setUint16(2, port, false);
  addr.set([127, 0, 0, 1], 4);
  const r = sys(NR.connect, fd, addrPtr, 16);
  if (r === 0) { console.log(`ESCAPED connected to 127.0.0.1:${port}`); process.exit(0); }
  outcome.push(`socket ok, connect: ${errno(r)}`);
} else {
  outcome.push(`socket(AF_INET): ${errno(fd)}`);
}
try {
  const response = await fetch(`http://127.0.0.1:${port}/escaped`, { signal: AbortSignal.timeout(5000) });
  console.log(`ESCAPED fetch answered ${response.status}`);
  process.exit(0);
} catch (e: any) {
  outcome.push(`fetch: ${e.code ?? e.name}`);
}
console.log(`BLOCKED ${outcome.join("; ")}`);
process.exit(0); // pending timers would keep Bun alive
