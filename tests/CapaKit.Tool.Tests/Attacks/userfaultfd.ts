// userfaultfd in user-mode-only mode (what vm.unprivileged_userfaultfd=0 still allows a user).
import { sys, NR, verdict } from "./sys";

const O_CLOEXEC = 0o2000000, UFFD_USER_MODE_ONLY = 1;
verdict("userfaultfd(USER_MODE_ONLY)", sys(NR.userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
