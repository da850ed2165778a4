#!/bin/sh
# New namespaces with util-linux unshare(1): a user namespace with root mapped (full capabilities inside it),
# and a mount namespace. Escaped when either command runs.
out=""
for try in "unshare --user --map-root-user id -u" "unshare --mount true" "unshare --net true"; do
  if answer=$($try 2>&1); then echo "ESCAPED $try: $answer"; exit 0; fi
  out="$out; $try: $answer"
done
echo "BLOCKED${out#;}"
