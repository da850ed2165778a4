// personality(ADDR_NO_RANDOMIZE), then READ_IMPLIES_EXEC: address-space randomisation off, data executable.
import { sys, NR, errno } from "./sys";

const tries: [string, number][] = [
  ["ADDR_NO_RANDOMIZE", sys(NR.personality, 0x0040000)],
  ["READ_IMPLIES_EXEC", sys(NR.personality, 0x0400000)],
];
const done = tries.find(([, r]) => r >= 0);
console.log(done ? `ESCAPED personality(${done[0]}) = ${done[1]}` : `BLOCKED ${tries.map(([what, r]) => `personality(${what}): ${errno(r)}`).join("; ")}`);
