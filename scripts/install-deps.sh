#!/usr/bin/env bash
# Installs the real parts IoTIdentity drives, when missing: swtpm and swtpm-tools (software TPMs and their
# EK-certificate provisioning), tpm2-tools (the independent cross-check peer), mosquitto (external broker mode),
# tpm2-openssl (the OpenSSL 3 provider the device agent's TSS2 key files are checked with).
set -euo pipefail
need=()
for tool in swtpm swtpm_setup swtpm_localca tpm2_makecredential mosquitto openssl; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
compgen -G "/usr/lib/*/ossl-modules/tpm2.so" >/dev/null || need+=(tpm2-openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing dependencies (missing: ${need[*]})"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq swtpm swtpm-tools tpm2-tools tpm2-openssl mosquitto openssl >/dev/null
fi
