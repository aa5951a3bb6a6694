#!/usr/bin/env bash
# Creates what docker-compose.yml mounts but the repository must never hold, once, in deploy/ (git-ignored):
#   deploy/secrets/iotid-kek               the key-encryption key all silos share (base64 of 32 random bytes)
#   deploy/secrets/iotid-audit-key.pem     the EC P-256 key all silos sign audit checkpoints with
#   deploy/secrets/mqtt-service-password   the silos' password at the broker
#   deploy/mosquitto/passwords             mosquitto's (hashed) password file with the user iotid-service
#   deploy/mosquitto/certs/                a private CA and the broker's TLS certificate
#   deploy/secrets/cluster/                the cluster CA (ca.crt; its key ca.key stays here, never mounted) and one
#                                          certificate and key per silo (silo1..3.crt/.key) for mutual TLS between silos
# Extra names devices use to reach the broker go in IOTID_MQTT_HOSTNAMES (comma-separated DNS names).
# Existing files are kept: delete one to make it anew (a new KEK makes stored CA keys unreadable: rotate instead).
set -euo pipefail
deploy="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mkdir -p "$deploy/secrets" "$deploy/mosquitto/certs"
umask 077

[ -f "$deploy/secrets/iotid-kek" ] || openssl rand -base64 32 | tr -d '\n' > "$deploy/secrets/iotid-kek"
[ -f "$deploy/secrets/iotid-audit-key.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$deploy/secrets/iotid-audit-key.pem"
[ -f "$deploy/secrets/mqtt-service-password" ] || openssl rand -hex 24 | tr -d '\n' > "$deploy/secrets/mqtt-service-password"

if [ ! -f "$deploy/mosquitto/passwords" ]; then
  password="$(cat "$deploy/secrets/mqtt-service-password")"
  if command -v mosquitto_passwd >/dev/null 2>&1; then
    mosquitto_passwd -c -b "$deploy/mosquitto/passwords" iotid-service "$password"
  else
    docker run --rm -v "$deploy/mosquitto:/work" eclipse-mosquitto:2 \
      mosquitto_passwd -c -b /work/passwords iotid-service "$password"
  fi
fi

certs="$deploy/mosquitto/certs"
if [ ! -f "$certs/server.crt" ]; then
  names="DNS:mosquitto,DNS:localhost,IP:127.0.0.1"
  IFS=',' read -ra extra <<< "${IOTID_MQTT_HOSTNAMES:-}"
  for name in "${extra[@]}"; do [ -n "$name" ] && names="$names,DNS:$name"; done
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=IoTIdentity broker CA" -keyout "$certs/ca.key" -out "$certs/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mosquitto" \
    -keyout "$certs/server.key" -out "$certs/server.csr"
  openssl x509 -req -in "$certs/server.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" -CAcreateserial -days 825 \
    -out "$certs/server.crt" -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$names")
  rm -f "$certs/server.csr"
fi

# The certificate listener trusts the tenants' CAs (docs/external-broker.md). Until the first tenant's chain is
# copied in, it holds a placeholder CA whose key is thrown away at once, so no certificate can pass.
if [ ! -f "$certs/devices-ca.crt" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=IoTIdentity no tenant yet" -keyout /dev/null -out "$certs/devices-ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi

# Mutual TLS between silos (Orleans:Tls:*): a cluster CA that issues one certificate per silo, for both ends of a
# connection (serverAuth and clientAuth). A silo accepts a peer only with a certificate from this CA, so a process
# without one cannot join the cluster or call a grain. More silos: IOTID_SILOS="silo1 silo2 silo3 silo4".
cluster="$deploy/secrets/cluster"
mkdir -p "$cluster"
if [ ! -f "$cluster/ca.crt" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=IoTIdentity cluster CA" -keyout "$cluster/ca.key" -out "$cluster/ca.crt" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi
for silo in ${IOTID_SILOS:-silo1 silo2 silo3}; do
  [ -f "$cluster/$silo.crt" ] && continue
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$silo" \
    -keyout "$cluster/$silo.key" -out "$cluster/$silo.csr"
  openssl x509 -req -in "$cluster/$silo.csr" -CA "$cluster/ca.crt" -CAkey "$cluster/ca.key" -CAcreateserial -days 825 \
    -out "$cluster/$silo.crt" -extfile <(printf 'subjectAltName=DNS:%s\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=critical,digitalSignature\nbasicConstraints=critical,CA:FALSE\n' "$silo")
  rm -f "$cluster/$silo.csr"
done

# the containers run as their own users: mosquitto (uid 1883) reads its files, the services (app, uid 1654) their secrets
chmod 0644 "$certs/ca.crt" "$certs/server.crt" "$certs/devices-ca.crt"
if [ "$(id -u)" -eq 0 ]; then
  chown 1883:1883 "$certs/server.key" "$deploy/mosquitto/passwords"
  chmod 0600 "$certs/server.key"
else
  chmod 0644 "$certs/server.key" "$deploy/mosquitto/passwords" # readable by the container user: keep deploy/ private
fi
chmod 0644 "$deploy/secrets/iotid-kek" "$deploy/secrets/iotid-audit-key.pem" "$deploy/secrets/mqtt-service-password"
chmod 0644 "$cluster/ca.crt"
for silo in ${IOTID_SILOS:-silo1 silo2 silo3}; do chmod 0644 "$cluster/$silo.crt" "$cluster/$silo.key"; done
chmod 0600 "$cluster/ca.key"
echo "secrets, the broker's password file and certificates are in $deploy (git-ignored)"
