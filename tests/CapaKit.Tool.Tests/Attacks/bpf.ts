// bpf(BPF_MAP_CREATE): the door to loading programs into the kernel.
import { sys, NR, mem, verdict } from "./sys";

const [attr, attrPtr] = mem(72);
new Uint32Array(attr.buffer).set([2 /* BPF_MAP_TYPE_ARRAY */, 4 /* key size */, 4 /* value size */, 1 /* entries */]);
verdict("bpf(BPF_MAP_CREATE)", sys(NR.bpf, 0, attrPtr, 72));
