#!/usr/bin/env bash
# What the service's heap keeps per operation: a `dotnet-gcdump` of the service after the first and after the third
# fixed-rate step of PHASE (enrol: fresh devices enrolling; renew: 200 connected devices renewing again and again) of
# `iotid-sim capacity` at RATE/s for 20 s steps, each dump's type report kept, then the growth between the two dumps
# per operation (RATE × 40 operations between them). Needs `dotnet tool install -g dotnet-gcdump`.
# Usage: [OUT=/tmp/heap] scripts/perf/heap-per-step.sh TREE [enrol|renew, default enrol] [RATE, default 250]
# Nothing else should run meanwhile.
set -euo pipefail
tree=$1; phase=${2:-enrol}; rate=${3:-250}
out=${OUT:-/tmp/heap}
rm -rf "$out"; mkdir -p "$out"
ulimit -n 20000
export PATH=$PATH:$HOME/.dotnet/tools
marker='  ramp '; renewals=0
[ "$phase" = renew ] && { marker='  renew ramp '; renewals=200; }
dotnet "$tree/simulator/IoTIdentity.Simulator/bin/Release/net10.0/iotid-sim.dll" capacity --fleet "$out/fleet" \
  --data "$out/data" --reports "$out/reports" --start-rate "$rate" --factor 1 --max-steps 3 --step-seconds 20 \
  --renewal-devices "$renewals" --connections 0 > "$out/capacity.log" 2>&1 &
sim=$!
for k in 1 3; do
  until [ "$(grep -c "^$marker" "$out/capacity.log" 2>/dev/null)" -ge $k ]; do
    kill -0 $sim 2>/dev/null || { echo "the run ended before its step $k"; cat "$out/capacity.log"; exit 1; }
    sleep 0.2
  done
  service=$(pgrep -f '^dotnet .*iotid-service.dll' | head -1)
  dotnet-gcdump collect -p "$service" -o "$out/after$k.gcdump" > /dev/null 2>&1
  dotnet-gcdump report "$out/after$k.gcdump" > "$out/after$k.txt"
done
wait $sim || true
rm -rf "$out/data"
grep "^$marker" "$out/capacity.log" | cut -c1-100
python3 - "$out" "$rate" <<'PY'
import sys, re
out, rate = sys.argv[1], float(sys.argv[2])
def totals(path):
    text = open(path).read()
    return (int(re.search(r'([\d,]+)\s+GC Heap bytes', text).group(1).replace(',', '')),
            int(re.search(r'([\d,]+)\s+GC Heap objects', text).group(1).replace(',', '')))
(b1, o1), (b3, o3) = totals(f'{out}/after1.txt'), totals(f'{out}/after3.txt')
operations = rate * 40
print(f'heap after step 1: {b1/1e6:.2f} MB, {o1:,} objects; after step 3: {b3/1e6:.2f} MB, {o3:,} objects')
print(f'per operation ({operations:,.0f} between the dumps): {(b3-b1)/operations:.0f} bytes, {(o3-o1)/operations:.2f} objects')
PY
