// io_uring_setup: a ring opens files and sockets through its own requests, out of the filter's sight.
import { sys, NR, mem, verdict } from "./sys";

const [, params] = mem(120); // struct io_uring_params, zeroed
verdict("io_uring_setup(8)", sys(NR.io_uring_setup, 8, params));
