#!/bin/sh
# Turns mounted secrets into configuration, so keys never appear in the compose file or `docker inspect`:
#   /run/secrets/iotid_kek             -> Provisioning:KeyEncryption:Current:Key (base64, 32 bytes; the same on every silo)
#   /run/secrets/mqtt_service_password -> Mqtt:External:Password
set -eu
if [ -f /run/secrets/iotid_kek ]; then
  Provisioning__KeyEncryption__Current__Key="$(cat /run/secrets/iotid_kek)"
  export Provisioning__KeyEncryption__Current__Key
fi
if [ -f /run/secrets/mqtt_service_password ]; then
  Mqtt__External__Password="$(cat /run/secrets/mqtt_service_password)"
  export Mqtt__External__Password
fi
exec "$@"
