// process_vm_readv of 16 bytes from the start of a child's first mapping (same uid: only the filter stands in the way).
import { readFileSync } from "fs";
import { ptr } from "bun:ffi";
import { sys, NR, mem, verdict } from "./sys";

const child = Bun.spawn(["sleep", "30"]);
await Bun.sleep(50);
const start = BigInt("0x" + readFileSync(`/proc/${child.pid}/maps`, "latin1").split("-")[0]);
const [, into] = mem(16);
const local = new BigUint64Array([BigInt(into), 16n]);
const remote = new BigUint64Array([start, 16n]);
const r = sys(NR.process_vm_readv, child.pid, ptr(local), 1, ptr(remote), 1, 0);
child.kill(9);
verdict(`process_vm_readv(${child.pid})`, r);
