// TIOCSTI pushes keystrokes into a terminal's input. Tried on stdin (the tool's, i.e. the user's terminal when
// there is one) and on a pty of our own made our controlling terminal, the one case the kernel itself allows.
import { sys, NR, cstr, mem, errno } from "./sys";

const TIOCSTI = 0x5412, TIOCSPTLCK = 0x40045431, TIOCGPTN = 0x80045430, TIOCSCTTY = 0x540e, O_RDWR = 2, O_NOCTTY = 0o400;
const [key, keyPtr] = mem(1);
key[0] = 0x23; // '#'
const onStdin = sys(NR.ioctl, 0, TIOCSTI, keyPtr);

const master = sys(NR.open, cstr("/dev/ptmx"), O_RDWR | O_NOCTTY);
if (master < 0) { console.log(`ERROR /dev/ptmx: ${errno(master)}`); process.exit(1); }
const [, unlock] = mem(4);
sys(NR.ioctl, master, TIOCSPTLCK, unlock);
const [num, numPtr] = mem(4);
sys(NR.ioctl, master, TIOCGPTN, numPtr);
sys(NR.setsid); // already a session leader after bwrap --new-session; harmless either way
const slave = sys(NR.open, cstr(`/dev/pts/${new Uint32Array(num.buffer)[0]}`), O_RDWR);
const ctty = sys(NR.ioctl, slave, TIOCSCTTY, 0);
const onOwnPty = sys(NR.ioctl, slave, TIOCSTI, keyPtr);

const report = `stdin: ${errno(onStdin)}; own pty (TIOCSCTTY ${errno(ctty)}): ${errno(onOwnPty)}`;
console.log(onStdin === 0 || onOwnPty === 0 ? `ESCAPED TIOCSTI ${report}` : `BLOCKED TIOCSTI ${report}`);
