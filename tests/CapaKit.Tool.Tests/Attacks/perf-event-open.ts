// perf_event_open on this process's own user-space CPU clock: what perf_event_paranoid=2 still allows a user.
import { sys, NR, mem, verdict } from "./sys";

const [attr, attrPtr] = mem(128);
const view = new DataView(attr.buffer);
view.setUint32(0, 1, true); // PERF_TYPE_SOFTWARE, config 0 = PERF_COUNT_SW_CPU_CLOCK
view.setUint32(4, 128, true); // size
view.setUint32(40, 0x61, true); // disabled, exclude_kernel, exclude_hv
verdict("perf_event_open(self, cpu clock)", sys(NR.perf_event_open, attrPtr, 0, -1, -1, 8 /* PERF_FLAG_FD_CLOEXEC */));
