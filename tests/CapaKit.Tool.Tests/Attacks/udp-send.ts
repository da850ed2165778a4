// A UDP datagram to a port on the host's loopback where the test listens: bun udp-send.ts <port>
import { createSocket } from "dgram";

const port = Number(process.argv[2]);
const done = (line: string) => { console.log(line); process.exit(0); };
try {
  const socket = createSocket("udp4");
  socket.on("error", (e: any) => done(`BLOCKED udp 127.0.0.1:${port}: ${e.code ?? e.message}`));
  socket.send("escaped", port, "127.0.0.1", (e: any) => done(e ? `BLOCKED udp 127.0.0.1:${port}: ${e.code ?? e.message}` : `ESCAPED sent a datagram to 127.0.0.1:${port}`));
} catch (e: any) {
  done(`BLOCKED udp 127.0.0.1:${port}: ${e.code ?? e.message}`);
}
setTimeout(() => done(`BLOCKED udp 127.0.0.1:${port}: no answer in 5 s`), 5000);
