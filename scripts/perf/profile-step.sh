#!/usr/bin/env bash
# A CPU profile of the service in the second step of a fixed-rate capacity run: `iotid-sim capacity` at RATE/s for
# three 10 s steps of enrolments and then of renewals on 200 connected devices (service on CPU 1), with
# `perf record -F 999 -g` on the service for 7 s from a second into the second step of PHASE (enrol or renew), the
# JIT's code named (DOTNET_PerfMapEnabled=1), then the samples ranked by perf-categories.py.
# Usage: [OUT=/tmp/profile] scripts/perf/profile-step.sh TREE [enrol|renew] [RATE, default 200]
# Writes OUT/capacity.log, OUT/perf.data, OUT/script.txt (for perf-under.py) and OUT/categories.txt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tree=$1; phase=${2:-renew}; rate=${3:-200}
out=${OUT:-/tmp/profile}
rm -rf "$out"; mkdir -p "$out"
ulimit -n 20000
marker='  ramp '; [ "$phase" = renew ] && marker='  renew ramp '
DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet \
  "$tree/simulator/IoTIdentity.Simulator/bin/Release/net10.0/iotid-sim.dll" capacity --fleet "$out/fleet" \
  --data "$out/data" --reports "$out/reports" --start-rate "$rate" --factor 1 --max-steps 3 --step-seconds 10 \
  --renewal-devices 200 --connections 0 > "$out/capacity.log" 2>&1 &
sim=$!
until grep -q "^$marker" "$out/capacity.log" 2>/dev/null; do
  kill -0 $sim 2>/dev/null || { echo "the run ended before its second $phase step"; cat "$out/capacity.log"; exit 1; }
  sleep 0.2
done
sleep 1
service=$(pgrep -f '^dotnet .*iotid-service.dll' | head -1)  # the service itself, not a process naming it in its arguments
perf record -F 999 -g -p "$service" -o "$out/perf.data" -- sleep 7 2> "$out/perf-record.txt"
wait $sim || true
perf script -i "$out/perf.data" -F comm,tid,period,ip,sym,dso > "$out/script.txt" 2>/dev/null
python3 "$here/perf-categories.py" "$out/script.txt" | tee "$out/categories.txt"
rm -rf "$out/data"
