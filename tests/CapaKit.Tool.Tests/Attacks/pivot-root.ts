// pivot_root(".", "."): the call container runtimes use to swap the root under a process.
import { sys, NR, cstr, verdict } from "./sys";

verdict("pivot_root(., .)", sys(NR.pivot_root, cstr("."), cstr(".")));
