#!/usr/bin/env bash
# Installs the fleet CLI `iotid` as a .NET tool, so `iotid` is a command on PATH:
#   ./scripts/install-iotid.sh                  # global: ~/.dotnet/tools (add it to PATH once)
#   ./scripts/install-iotid.sh --tool-path DIR  # into DIR instead
# It packs tools/IoTIdentity.Fleet.Cli with a version of its own (so no stale copy from the NuGet cache is reused)
# and installs that package from artifacts/tools; a previous install is replaced.
set -euo pipefail
cd "$(dirname "$0")/.."

where=(--global)
if [ "${1:-}" = "--tool-path" ]; then
  [ -n "${2:-}" ] || { echo "install-iotid.sh: --tool-path needs a directory" >&2; exit 2; }
  where=(--tool-path "$2")
elif [ -n "${1:-}" ]; then
  echo "install-iotid.sh: unknown option $1 (expected nothing or --tool-path DIR)" >&2; exit 2
fi

packages=artifacts/tools
version="0.1.0-local.$(date -u +%Y%m%d%H%M%S).$$"
dotnet pack tools/IoTIdentity.Fleet.Cli -c Release -o "$packages" -p:PackageVersion="$version" --nologo -v quiet
dotnet tool uninstall "${where[@]}" IoTIdentity.Fleet.Cli >/dev/null 2>&1 || true
dotnet tool install "${where[@]}" IoTIdentity.Fleet.Cli --version "$version" --add-source "$packages" --ignore-failed-sources
if [ "${where[0]}" = "--global" ] && ! command -v iotid >/dev/null 2>&1; then
  echo "iotid is installed in ~/.dotnet/tools; add it to PATH: export PATH=\"\$PATH:\$HOME/.dotnet/tools\""
fi
