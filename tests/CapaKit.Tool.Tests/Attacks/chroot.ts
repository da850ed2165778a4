// chroot into the workload root: the first step of the classic chroot-escape (chroot + cd ..).
import { sys, NR, cstr, verdict } from "./sys";

verdict("chroot(.)", sys(NR.chroot, cstr(".")));
