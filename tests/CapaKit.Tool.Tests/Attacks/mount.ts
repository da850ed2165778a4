// The classic mount calls: remount a read-only system folder writable, mount a fresh tmpfs, detach a mount.
import { sys, NR, cstr, errno } from "./sys";

const MS_REMOUNT = 0x20, MS_BIND = 0x1000, MNT_DETACH = 2;
const tries: [string, number][] = [
  ["remount /usr read-write", sys(NR.mount, 0, cstr("/usr"), 0, MS_REMOUNT | MS_BIND, 0)],
  ["mount tmpfs on /usr", sys(NR.mount, cstr("none"), cstr("/usr"), cstr("tmpfs"), 0, 0)],
  ["umount2 /usr", sys(NR.umount2, cstr("/usr"), MNT_DETACH)],
];
const done = tries.find(([, r]) => r === 0);
console.log(done ? `ESCAPED ${done[0]}` : `BLOCKED ${tries.map(([what, r]) => `${what}: ${errno(r)}`).join("; ")}`);
