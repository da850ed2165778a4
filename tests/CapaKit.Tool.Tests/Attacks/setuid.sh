#!/bin/sh
# Become root through setuid programs: su, sudo (if installed), and a setuid-root copy of id(1) the test
# planted in the root (./suid-id). Escaped when any of them runs with uid or euid 0.
out=""
for try in "su root -c 'id -u'" "sudo -n id -u" "./suid-id -u"; do
  answer=$(eval "$try" </dev/null 2>&1 | tr '\n' ' ')
  case "$answer" in
    "0 "*) echo "ESCAPED $try printed uid 0"; exit 0 ;;
  esac
  out="$out; $try: $answer"
done
echo "BLOCKED (inside uid $(id -u))$out"
