#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine: `docker-compose config` with throw-away
# stand-ins for the secret files it references (created in a temp dir, removed on exit).
#   scripts/validate-compose.sh             config -q: quiet, the exit code is the verdict
#   scripts/validate-compose.sh --print     the resolved configuration (YAML), for test/deploy
#   scripts/validate-compose.sh <args...>   config <args...>, e.g. --services
set -euo pipefail
cd "$(dirname "$0")/.."
command -v docker-compose >/dev/null || {
  echo "validate-compose: docker-compose is not installed (Debian package docker-compose; scripts/install-system-deps.sh installs it)" >&2
  exit 127
}
stand_ins="$(mktemp -d)"
trap 'rm -rf "$stand_ins"' EXIT
for file in merchant_private_key.pem merchant_public_key.pem gateway_private_key.pem gateway_public_key.pem; do
  : >"$stand_ins/$file"
done
echo 'API_KEYS=validate-only' >"$stand_ins/api.env"
echo 'MERCHANT_WEBHOOK_SECRET=whsec_dmFsaWRhdGUtb25seS12YWxpZGF0ZQ==' >"$stand_ins/merchant-webhook.env"
printf 'POSTGRES_PASSWORD=validate-only\nPOSTGRES_PWD=validate-only\n' >"$stand_ins/postgres.env"
if [ $# -eq 0 ]; then set -- -q; elif [ "$1" = --print ]; then shift; fi
SECRETS_DIR="$stand_ins" docker-compose -f docker-compose.yml config "$@"
