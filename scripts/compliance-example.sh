#!/usr/bin/env bash
# Renders the example compliance report in docs/reports/ for a simulated fleet: the simulator enrols a fleet of
# software-TPM devices (first boot), renews it (rotation storm) and attacks it (adversarial) against the service
# in-process on a fresh data directory (its detection phase raises a finding per misbehaviour); then the service starts
# on that data, an operator revokes one device, acknowledges one finding and resolves another, and the report for the
# day is fetched in every format. Usage: ./scripts/compliance-example.sh [out-dir] (default docs/reports).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/reports}"
work="$(mktemp -d)"
trap 'kill "$service_pid" 2>/dev/null || true; rm -rf "$work"' EXIT
service_pid=""
sim=(dotnet simulator/IoTIdentity.Simulator/bin/Release/net10.0/iotid-sim.dll)
for scenario in first-boot rotation-storm adversarial; do
  "${sim[@]}" "$scenario" --devices 12 --swtpms 2 --fleet "$work/fleet" --data "$work/data" --reports "$work/sim" >/dev/null
done
key="$(sed '1s/^\xEF\xBB\xBF//' "$work/data/simulator-dev-owner-admin.key" | tr -d '\r\n')"

# port 0: the OS picks a free port, which the service's log names
Provisioning__DataDirectory="$work/data" Mqtt__TlsPort=0 \
  dotnet provisioning/IoTIdentity.Provisioning.Host/bin/Release/net10.0/iotid-service.dll --dev --urls "http://127.0.0.1:0" >"$work/service.log" 2>&1 &
service_pid=$!
api=""
for _ in $(seq 1 180); do
  api="$(grep -oE 'HTTP API: http://127\.0\.0\.1:[0-9]+' "$work/service.log" | head -1 | sed 's/HTTP API: //')" || true
  [ -n "$api" ] && curl -sf -o /dev/null -H "X-Api-Key: $key" "$api/api/v1/caller" && break
  sleep 1
done
[ -n "$api" ] && curl -sf -o /dev/null -H "X-Api-Key: $key" "$api/api/v1/caller" \
  || { echo "the service did not start; its log:" >&2; cat "$work/service.log" >&2; exit 1; }

device="$(curl -sf -H "X-Api-Key: $key" "$api/api/v1/devices?state=Active&pageSize=1" | sed -E 's/.*"deviceId":"([0-9a-f]{64})".*/\1/')"
curl -sf -o /dev/null -X POST -H "X-Api-Key: $key" -H 'Content-Type: application/json' -d '{"reason":"keyCompromise"}' "$api/api/v1/devices/$device/revoke"

# the adversarial run's detection phase opened a finding per misbehaviour; an operator acknowledges the first and
# resolves the second, so the report's actions show what people did about findings as well as what the service did
mapfile -t findings < <(curl -sf -H "X-Api-Key: $key" "$api/api/v1/findings" | grep -oE '"id":"f-[0-9]+"' | sed -E 's/.*"(f-[0-9]+)"/\1/' | sort -t- -k2n)
[ "${#findings[@]}" -ge 2 ] || { echo "expected the adversarial run's findings, got: ${findings[*]:-none}" >&2; exit 1; }
curl -sf -o /dev/null -X POST -H "X-Api-Key: $key" "$api/api/v1/findings/${findings[0]}/acknowledge"
curl -sf -o /dev/null -X POST -H "X-Api-Key: $key" "$api/api/v1/findings/${findings[1]}/resolve"

from="$(date -u +%Y-%m-%dT00:00:00Z)"
to="$(date -u -d tomorrow +%Y-%m-%dT00:00:00Z)"
mkdir -p "$out"
for format in html pdf json csv; do
  curl -sf -H "X-Api-Key: $key" -o "$out/compliance-example.$format" "$api/api/v1/reports/compliance?from=$from&to=$to&format=$format"
done
echo "wrote $out/compliance-example.{html,pdf,json,csv} for $from to $to"
