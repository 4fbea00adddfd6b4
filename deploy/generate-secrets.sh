#!/usr/bin/env bash
# Creates what docker-compose.yml mounts for the sandbox stack, in deploy/secrets/ (or $1):
#   merchant_private_key.pem / merchant_public_key.pem   the merchant's pair (worker signs)
#   gateway_private_key.pem  / gateway_public_key.pem    the sandbox gateway's pair
#   api.env        API_KEYS for the merchant API, OPERATOR_API_KEYS for operator actions
#   merchant-webhook.env   MERCHANT_WEBHOOK_SECRET that signs the merchant webhooks (worker)
#   postgres.env   the PostgreSQL password, under the names postgres and Temporal read
# Never overwrites an existing file. Real CodePay keys go in the same places (docs/operations.md).
set -euo pipefail
dir="${1:-$(dirname "$0")/secrets}"
mkdir -p "$dir"
umask 077

keypair() {
  local name="$1"
  [ -e "$dir/${name}_private_key.pem" ] && return
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/${name}_private_key.pem" 2>/dev/null
  openssl pkey -in "$dir/${name}_private_key.pem" -pubout -out "$dir/${name}_public_key.pem"
  echo "created $dir/${name}_private_key.pem and ${name}_public_key.pem"
}
random() { openssl rand -hex 24; }

keypair merchant
keypair gateway
if [ ! -e "$dir/api.env" ]; then
  printf 'API_KEYS=%s\nOPERATOR_API_KEYS=%s\n' "$(random)" "$(random)" >"$dir/api.env"
  echo "created $dir/api.env"
fi
if [ ! -e "$dir/merchant-webhook.env" ]; then
  echo "MERCHANT_WEBHOOK_SECRET=whsec_$(openssl rand -base64 24)" >"$dir/merchant-webhook.env"
  echo "created $dir/merchant-webhook.env"
fi
if [ ! -e "$dir/postgres.env" ]; then
  password="$(random)"
  printf 'POSTGRES_PASSWORD=%s\nPOSTGRES_PWD=%s\n' "$password" "$password" >"$dir/postgres.env"
  echo "created $dir/postgres.env"
fi
# The app containers run as uid 1000 (the image's `node` user); bind-mounted secrets keep their
# host owner and mode, so they must be readable by that uid.
if [ "$(id -u)" -eq 0 ]; then chown 1000:1000 "$dir"/*.pem; fi
