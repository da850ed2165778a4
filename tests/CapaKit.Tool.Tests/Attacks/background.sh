#!/bin/sh
# Leaves a process behind and returns at once: sh background.sh <marker>. The sleep carries the marker in its
# duration so the test finds it in the host's process table.
sleep "600.$1" </dev/null >/dev/null 2>&1 &
echo "STARTED $!"
