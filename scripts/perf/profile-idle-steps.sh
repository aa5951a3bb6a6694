#!/usr/bin/env bash
# A full capacity ramp (all defaults) with `perf record -g` on the service through the two 50 % steps beside the
# 10,000 idle connections (where the five-minute background work — audit checkpoint, inventory sweep — lands), the
# samples stamped with the wall clock so they line up with the ramp's log, then the CPU of that background work per
# half second by idle-buckets.py.
# Usage: [OUT=/tmp/idle-profile] scripts/perf/profile-idle-steps.sh TREE
# Writes OUT/capacity.log (each line stamped with $EPOCHREALTIME), OUT/perf.data, OUT/script.txt, OUT/buckets.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=$1
out=${OUT:-/tmp/idle-profile}
rm -rf "$out"; mkdir -p "$out"
ulimit -n 20000
( DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet \
    "$tree/simulator/IoTIdentity.Simulator/bin/Release/net10.0/iotid-sim.dll" capacity --fleet "$out/fleet" \
    --data "$out/data" --reports "$out/reports" 2>&1 |
  while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done > "$out/capacity.log" ) &
sim=$!
until grep -q "steps again with the" "$out/capacity.log" 2>/dev/null; do
  kill -0 $sim 2>/dev/null || { echo "the run ended before its idle-connection steps"; tail "$out/capacity.log"; exit 1; }
  sleep 0.2
done
service=$(pgrep -f '^dotnet .*iotid-service.dll' | head -1)
perf record -F 999 -g -k CLOCK_REALTIME -p "$service" -o "$out/perf.data" -- sleep 23 2> "$out/perf-record.txt"
wait $sim || true
perf script -i "$out/perf.data" -F comm,tid,time,period,ip,sym,dso > "$out/script.txt" 2>/dev/null
python3 "$here/idle-buckets.py" "$out/script.txt" "$out/capacity.log" | tee "$out/buckets.txt"
rm -rf "$out/data" "$out/fleet"
