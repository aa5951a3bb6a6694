#!/usr/bin/env bash
# The main job: the service on its embedded defaults with a simulated fleet of software-TPM devices enrolling.
# Extra arguments go to the demo (e.g. --devices 8).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
dotnet run -c Release --project simulator/IoTIdentity.Simulator -- demo "$@"
