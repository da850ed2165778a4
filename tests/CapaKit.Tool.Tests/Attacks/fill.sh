#!/bin/sh
# Writes zeros into a file until the file system refuses, at most <MiB>: sh fill.sh <folder> <marker> <MiB>.
# Escaped when all of it fits (the folder has more room than the sandbox's cap).
file="$1/fill-$2"
error=$(dd if=/dev/zero of="$file" bs=1M count="$3" 2>&1 >/dev/null | grep '^dd:')
written=$(( $(stat -c %s "$file" 2>/dev/null || echo 0) / 1048576 ))
rm -f "$file"
case "$error" in
  *"No space left"*) echo "BLOCKED $file: no space left after $written MiB" ;;
  *"Read-only"*|*"No such file"*|*"Permission denied"*) echo "BLOCKED $file: ${error##*: }" ;;
  "") echo "ESCAPED wrote $written MiB to $file" ;;
  *) echo "ERROR $error" ;;
esac
