// What /dev holds: only the harmless character devices (null zero full random urandom tty), the pty
// multiplexer and bubblewrap's symlinks; no disks, no memory, no kernel log, no vsock, kvm, fuse or tun.
import { readdirSync, lstatSync } from "fs";

const allowed = new Set(["null", "zero", "full", "random", "urandom", "tty"]);
const extra: string[] = [];
const devices: string[] = [];
for (const name of readdirSync("/dev")) {
  const st = lstatSync(`/dev/${name}`);
  if (st.isBlockDevice() || (st.isCharacterDevice() && !allowed.has(name))) extra.push(name);
  if (st.isCharacterDevice() || st.isBlockDevice()) devices.push(name);
}
console.log(extra.length > 0 ? `ESCAPED /dev has ${extra.join(",")}` : `BLOCKED /dev devices are only ${devices.sort().join(",")}`);
