#!/bin/sh
# Runs until stopped, with a child that carries the marker: sh survivor.sh <marker>. The test kills the tool.
sleep "600.$1" </dev/null >/dev/null 2>&1 &
echo "STARTED $!"
wait
