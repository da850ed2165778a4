#!/bin/sh
# A bounded fork bomb: sh fork-bomb.sh <marker>. Background sleeps (the marker in their duration, none of the
# tool's pipes held) until fork fails, at most 2000; escaped when all 2000 start. Only builtins run after the
# bomb: there is no fork left to make.
marker=$1
( i=0; while [ "$i" -lt 2000 ]; do sleep "600.$marker" </dev/null >/dev/null 2>&1 & i=$((i + 1)); done; exit 0 ) 2>/dev/null
status=$?
n=0
for p in /proc/[0-9]*; do n=$((n + 1)); done
if [ "$status" -eq 0 ]; then echo "ESCAPED started 2000 processes"; else echo "BLOCKED fork refused with $n processes running"; fi
