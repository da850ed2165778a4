// Raw x86_64 syscalls from Bun without a compiler (the approach of Seccomp/BunProbe.cs): a few bytes of
// machine code in an executable page, called through bun:ffi. sys() returns the kernel's raw answer,
// -errno on failure, so an attack sees exactly what stopped it (the seccomp filter answers EPERM).
import { dlopen, CFunction, toArrayBuffer, ptr } from "bun:ffi";

const libc = dlopen("libc.so.6", {
  mmap: { args: ["ptr", "u64", "i32", "i32", "i32", "i64"], returns: "ptr" },
});
const page = libc.symbols.mmap(null, 4096, 7, 0x22, -1, 0)!;
const code = new Uint8Array(toArrayBuffer(page, 0, 4096));
// mov rax,rdi; mov rdi,rsi; mov rsi,rdx; mov rdx,rcx; mov r10,r8; mov r8,r9; mov r9,[rsp+8]; syscall; ret
code.set([0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7, 0x48, 0x89, 0xd6, 0x48, 0x89, 0xca, 0x4d, 0x89, 0xc2, 0x4d, 0x89, 0xc8,
  0x4c, 0x8b, 0x4c, 0x24, 0x08, 0x0f, 0x05, 0xc3], 0);
// A fork-like call (clone or clone3): the child exits at once with exit_group(0) and never runs JavaScript;
// the parent gets the kernel's answer. mov rax,rdi; mov rdi,rsi; mov rsi,rdx; xor edx,edx; xor r10,r10;
// xor r8,r8; syscall; test rax,rax; jnz +9; mov eax,231; xor edi,edi; syscall; ret
code.set([0x48, 0x89, 0xf8, 0x48, 0x89, 0xf7, 0x48, 0x89, 0xd6, 0x31, 0xd2, 0x4d, 0x31, 0xd2, 0x4d, 0x31, 0xc0, 0x0f, 0x05,
  0x48, 0x85, 0xc0, 0x75, 0x09, 0xb8, 0xe7, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05, 0xc3], 64);
const raw = CFunction({ ptr: page, args: ["i64", "i64", "i64", "i64", "i64", "i64", "i64"], returns: "i64" });
const rawFork = CFunction({ ptr: (page as number) + 64, args: ["i64", "i64", "i64"], returns: "i64" });

type Arg = number | bigint;
export const sys = (nr: number, ...a: Arg[]): number =>
  Number(raw(nr, ...([...a, 0, 0, 0, 0, 0, 0].slice(0, 6) as [Arg, Arg, Arg, Arg, Arg, Arg])));
/** clone(flags, no new stack) or clone3(args, size): a child, if one is made, exits before running any JavaScript. */
export const forkAndExit = (nr: number, a1: Arg, a2: Arg = 0): number => Number(rawFork(nr, a1, a2));

const keep: unknown[] = [];
/** A NUL-terminated string's address. */
export const cstr = (s: string): number => { const b = Buffer.from(s + "\0"); keep.push(b); return ptr(b); };
/**
 * A zeroed buffer and its address. Backed by an ArrayBuffer from the start: a small typed array made with
 * new Uint8Array(n) moves to new storage the first time its .buffer is read, leaving an earlier ptr() stale.
 */
export const mem = (size: number): [Uint8Array, number] => { const b = new Uint8Array(new ArrayBuffer(size)); keep.push(b); return [b, ptr(b)]; };

export const NR = {
  read: 0, write: 1, open: 2, close: 3, ioctl: 16, getpid: 39, socket: 41, connect: 42, clone: 56, kill: 62, link: 86, chmod: 90,
  ptrace: 101, setuid: 105, setsid: 112, mknod: 133, personality: 135, pivot_root: 155, chroot: 161, mount: 165,
  umount2: 166, add_key: 248, keyctl: 250, openat: 257, mknodat: 259, linkat: 265, fchmodat: 268, unshare: 272,
  perf_event_open: 298, setns: 308, process_vm_readv: 310, bpf: 321, userfaultfd: 323, io_uring_setup: 425,
  open_tree: 428, move_mount: 429, fsopen: 430, clone3: 435, fchmodat2: 452,
};

const names: Record<number, string> = {
  1: "EPERM", 2: "ENOENT", 3: "ESRCH", 9: "EBADF", 12: "ENOMEM", 13: "EACCES", 14: "EFAULT", 16: "EBUSY", 17: "EEXIST",
  18: "EXDEV", 20: "ENOTDIR", 22: "EINVAL", 25: "ENOTTY", 28: "ENOSPC", 30: "EROFS", 38: "ENOSYS", 95: "EOPNOTSUPP",
  97: "EAFNOSUPPORT", 111: "ECONNREFUSED", 5: "EIO", 6: "ENXIO", 11: "EAGAIN", 93: "EPROTONOSUPPORT", 94: "ESOCKTNOSUPPORT", 126: "ENOKEY",
};
/** "EPERM" for -1, "ok 3" for 3. */
export const errno = (r: number): string => (r < 0 ? names[-r] ?? `errno ${-r}` : `ok ${r}`);

/** The one verdict line the test asserts on, then exit 0 (the verdict, not the exit code, says what happened). */
export function blocked(how: string): never { console.log(`BLOCKED ${how}`); process.exit(0); }
export function escaped(what: string): never { console.log(`ESCAPED ${what}`); process.exit(0); }
/** Blocked when the call failed; escaped (with what it returned) when it succeeded. */
export function verdict(what: string, r: number): never {
  return r < 0 ? blocked(`${what}: ${errno(r)}`) : escaped(`${what} returned ${r}`);
}
