#!/usr/bin/env bash
# Full capacity ramps (`iotid-sim capacity`, all defaults: service on CPU 1, generator on CPU 0) of one or more builds,
# one after another, each with every listening socket's accept queue sampled beside it, then one table of the figures
# BENCHMARKS.md compares. Alternate the builds (A1 B1 A2 B2 …): this VM's speed drifts between runs minutes apart.
# Usage: [OUT=/tmp/ramps] scripts/perf/capacity-ramps.sh LABEL=TREE [LABEL=TREE …]
#   TREE: a checkout built with `dotnet build -c Release IoTIdentity.sln`; LABEL: the run's name (its directory in OUT).
# Nothing else should run meanwhile (no builds, no tests).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-/tmp/ramps}
mkdir -p "$out"
ulimit -n 20000
runs=()
for run in "$@"; do
  label=${run%%=*}; tree=${run#*=}
  dir=$out/$label
  rm -rf "$dir"; mkdir -p "$dir"
  taskset -c 0 python3 "$here/accept-queues.py" "$dir/queues.txt" 10 & sampler=$!  # on the generator's CPU
  echo "== $label: $tree at $(git -C "$tree" rev-parse --short HEAD), $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
  dotnet "$tree/simulator/IoTIdentity.Simulator/bin/Release/net10.0/iotid-sim.dll" capacity --fleet "$out/fleet" \
      --data "$dir/data" --reports "$dir/reports" 2>&1 |
    while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done > "$dir/capacity.log" || true
  kill "$sampler" 2>/dev/null || true
  rm -rf "$dir/data"
  sed -n '/^[0-9.]* summary$/,$p' "$dir/capacity.log" | cut -d' ' -f2-
  runs+=("$dir")
done
python3 "$here/ramp-table.py" "${runs[@]}"
