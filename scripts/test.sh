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
mkdir -p artifacts
log=artifacts/test-output.log
# The real parts the tests start (swtpm, brokers, resource managers), to stop any a crashed test host left behind.
running_helpers() {
  command -v pgrep >/dev/null || return 0
  for name in swtpm mosquitto tpm2-abrmd; do pgrep -x "$name" || true; done | sort
}
before=$(running_helpers)
set +e
dotnet test IoTIdentity.sln --no-build -c Release --results-directory "$results" \
  --logger "console;verbosity=normal" --logger trx "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# Every test host has exited, so a helper started during the run that still runs was orphaned (a host that
# fail-fasts skips its fixtures' disposal); it would hold its ports and CPU after the run.
left=$(comm -13 <(echo "$before") <(running_helpers) | xargs)
if [ -n "$left" ]; then
  echo "stopping helpers the tests left running (pids): $left"
  kill $left 2>/dev/null || true
fi

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
# A test host that crashed (an Orleans silo fail-fasting, say) reports no failure for the tests it never ran: name
# every test assembly that did not report, and every aborted run, so the tally above is never silently short.
# (Only for a whole run: a --filter passed through leaves assemblies without a matching test.)
missing=()
[ "$#" -gt 0 ] || for project in tests/*.Tests/*.Tests.csproj; do
  assembly=$(basename "$project" .csproj).dll
  grep -qsi "storage=\"[^\"]*/$assembly\"" "$results"/*.trx || missing+=("${assembly%.dll}")
done
aborted=$(grep -c "Test Run Aborted" "$log" || true)
if [ "${#missing[@]}" -gt 0 ] || [ "$aborted" -gt 0 ]; then
  echo "incomplete run: $aborted test host(s) aborted; no results from: ${missing[*]:-(none missing)}"
  grep -B3 -A12 "Test Run Aborted" "$log" | head -60 || true
  [ "$status" -ne 0 ] || status=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "no test was executed" >&2
  exit 1
fi
exit $status
