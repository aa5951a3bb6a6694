#!/usr/bin/env bash
# Runs every IoTIdentity test on a fresh Debian machine with only the .NET 10 SDK:
# installs the real parts the tests drive (swtpm, tpm2-tools, mosquitto), restores, builds, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

dotnet restore IoTIdentity.sln
dotnet build IoTIdentity.sln --no-restore -c Release
results=artifacts/test-results
rm -rf "$results"
status=0
dotnet test IoTIdentity.sln --no-build -c Release --results-directory "$results" \
  --logger "console;verbosity=normal" --logger trx "$@" || status=$?

# One closing line over every test project: "N passed, N failed, N skipped".
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p'); passed=$((passed + ${p:-0}))
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p'); failed=$((failed + ${f:-0}))
  n=$(echo "$counters" | sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p'); skipped=$((skipped + ${n:-0}))
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test was executed" >&2
  exit 1
fi
exit $status
