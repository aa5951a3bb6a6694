#!/usr/bin/env bash
# Installs the real parts IoTIdentity drives, when missing: swtpm and swtpm-tools (software TPMs and their
# EK-certificate provisioning), tpm2-tools (the independent cross-check peer), mosquitto and mosquitto-clients
# (external broker mode; the clients for checking a broker by hand), docker-compose (checks docker-compose.yml),
# tpm2-openssl and tpm2-abrmd (the OpenSSL 3 provider the device agent's TSS2 key files are checked with, and
# the resource manager it needs in front of a swtpm for a TLS handshake; libtss2-tctildr0 and libtss2-tcti-swtpm0 load
# the TCTIs the agent's tcti: TPM transport goes through), node/npm and @vercel/cosmosdb-server
# (the Cosmos DB protocol server of the storage tests), chromium (the browser the console tests drive through Playwright,
# which must never download one of its own), poppler-utils (pdftotext, which the tests read the compliance report's PDF
# with), fonts-dejavu-core (the font the service sets that PDF in), nftables (nft, with which the MQTT tests make a
# device's connection vanish without a word), iproute2 (ip, ss) and curl.
set -euo pipefail
need=()
for tool in swtpm swtpm_setup swtpm_localca tpm2_makecredential mosquitto mosquitto_passwd mosquitto_sub docker-compose openssl chromium pdftotext; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
compgen -G "/usr/lib/*/ossl-modules/tpm2.so" >/dev/null || need+=(tpm2-openssl)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
# nft: the MQTT tests drop a connection's packets to make its device vanish without a word (VanishingPeer)
command -v nft >/dev/null 2>&1 || PATH="$PATH:/usr/sbin" command -v nft >/dev/null 2>&1 || need+=(nftables)
# ip, ss and curl: tests make network namespaces and addresses, list what listens inside one and ask it over HTTP
command -v ss >/dev/null 2>&1 || PATH="$PATH:/usr/sbin:/sbin" command -v ss >/dev/null 2>&1 || need+=(iproute2)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -f /usr/include/mosquitto_plugin.h ] || need+=(mosquitto-dev)
[ -f /usr/include/mosquitto.h ] || need+=(libmosquitto-dev)
compgen -G "/usr/lib/*/libtss2-tcti-tabrmd.so.0" >/dev/null || need+=(tpm2-abrmd)
compgen -G "/usr/lib/*/libtss2-tctildr.so.0" >/dev/null || need+=(libtss2-tctildr0)
compgen -G "/usr/lib/*/libtss2-tcti-swtpm.so.0" >/dev/null || need+=(libtss2-tcti-swtpm0)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || need+=(fonts-dejavu-core)
# the token tests check our JWKS and tokens with a second implementation, Python's cryptography, run by /usr/bin/python3
/usr/bin/python3 -c 'import cryptography' >/dev/null 2>&1 || need+=(python3-cryptography)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing dependencies (missing: ${need[*]})"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq swtpm swtpm-tools tpm2-tools tpm2-openssl tpm2-abrmd libtss2-tcti-tabrmd0 libtss2-tctildr0 libtss2-tcti-swtpm0 dbus mosquitto mosquitto-clients mosquitto-dev libmosquitto-dev gcc libc6-dev docker-compose openssl chromium poppler-utils fonts-dejavu-core python3-cryptography nftables iproute2 curl >/dev/null
fi

# Node.js and npm run @vercel/cosmosdb-server, the Cosmos DB protocol server the storage tests use; the server
# itself is pinned by tests/cosmosdb-server/package-lock.json and installed into artifacts/npm.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing dependencies (missing: node/npm)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
npm_prefix="$root/artifacts/npm"
if ! cmp -s "$root/tests/cosmosdb-server/package-lock.json" "$npm_prefix/package-lock.json" \
   || [ ! -f "$npm_prefix/node_modules/@vercel/cosmosdb-server/lib/cli.js" ]; then
  echo "installing @vercel/cosmosdb-server into $npm_prefix"
  mkdir -p "$npm_prefix"
  cp "$root/tests/cosmosdb-server/package.json" "$root/tests/cosmosdb-server/package-lock.json" "$npm_prefix/"
  (cd "$npm_prefix" && npm ci --no-audit --no-fund --loglevel=error)
fi

# promtool checks deploy/prometheus/alerts.yml in the tests. Debian ships it only inside the prometheus package
# (19 MB download), whose installation would also set up and start a Prometheus server; so the package is
# downloaded and only its promtool (a static binary) is unpacked into artifacts/prometheus, nothing installed.
promtool="$root/artifacts/prometheus/usr/bin/promtool"
if ! command -v promtool >/dev/null 2>&1 && [ ! -x "$promtool" ]; then
  echo "unpacking promtool from Debian's prometheus package into artifacts/prometheus"
  work="$(mktemp -d)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  (cd "$work" && { apt-get download -qq prometheus 2>/dev/null || { $SUDO apt-get update -qq && apt-get download -qq prometheus; }; })
  mkdir -p "$root/artifacts/prometheus"
  dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -x -C "$root/artifacts/prometheus" ./usr/bin/promtool
  rm -rf "$work"
fi
