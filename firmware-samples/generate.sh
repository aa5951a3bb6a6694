#!/usr/bin/env bash
# Regenerates the sample firmware releases (images and manifest.json) in this directory. Deterministic: the committed
# manifests are what this writes; the images (*.bin, *.txt, *.manifest) are not committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dotnet run --project "$here/IoTIdentity.FirmwareSamples" -- "$here"
