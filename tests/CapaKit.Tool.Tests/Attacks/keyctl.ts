// The kernel keyring is not namespaced: the user keyring of the uid outside may hold host credentials.
import { sys, NR, cstr, errno } from "./sys";

const KEYCTL_GET_KEYRING_ID = 0, KEY_SPEC_USER_KEYRING = -4, KEY_SPEC_SESSION_KEYRING = -3;
const tries: [string, number][] = [
  ["keyctl(GET_KEYRING_ID, user keyring)", sys(NR.keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_USER_KEYRING, 0)],
  ["request_key(user, capakit-hostile)", sys(249, cstr("user"), cstr("capakit-hostile"), 0, KEY_SPEC_SESSION_KEYRING)],
];
const done = tries.find(([, r]) => r >= 0);
console.log(done ? `ESCAPED ${done[0]} = ${done[1]}` : `BLOCKED ${tries.map(([what, r]) => `${what}: ${errno(r)}`).join("; ")}`);
