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
# Name each failed test and the first line of its message last, where a reader of only the tail still sees them.
if [ "$failed" -gt 0 ]; then
  echo "failed tests:"
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") != "Failed":
        continue
    message = r.find("t:Output/t:ErrorInfo/t:Message", ns)
    first = (message.text or "").strip().splitlines()[0] if message is not None and message.text else ""
    print(f"  {r.get('testName')}\n    {first[:400]}")
PY
  done
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test was executed" >&2
  exit 1
fi
exit $status
