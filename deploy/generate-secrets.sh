#!/usr/bin/env bash
# Creates what docker-compose.yml mounts for the sandbox stack, in deploy/secrets/ (or $1):
#   merchant_private_key.pem / merchant_public_key.pem   the merchant's pair (worker signs)
#   gateway_private_key.pem  / gateway_public_key.pem    the sandbox gateway's pair
#   api_keys, operator_api_keys   API_KEYS_FILE (merchant API), OPERATOR_API_KEYS_FILE (operator actions)
#   merchant_webhook_secret       MERCHANT_WEBHOOK_SECRET_FILE: signs the merchant webhooks (worker)
#   api_cursor_secret             API_CURSOR_SECRET_FILE: signs list cursors (every API replica)
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
# Key files are re-read while the services run: rotating one is editing it (docs/operations.md §5).
secret_file() {
  local name="$1" value="$2"
  [ -e "$dir/$name" ] && return
  printf '%s\n' "$value" >"$dir/$name"
  echo "created $dir/$name"
}
secret_file api_keys "$(random)"
secret_file operator_api_keys "$(random)"
secret_file merchant_webhook_secret "whsec_$(openssl rand -base64 24)"
secret_file api_cursor_secret "$(openssl rand -base64 32)"
if [ ! -e "$dir/postgres.env" ]; then
  password="$(random)"
  printf 'POSTGRES_PASSWORD=%s\nPOSTGRES_PWD=%s\n' "$password" "$password" >"$dir/postgres.env"
  echo "created $dir/postgres.env"
fi
# The app containers run as uid 1000 (the image's `node` user); bind-mounted secrets keep their
# host owner and mode, so they must be readable by that uid.
if [ "$(id -u)" -eq 0 ]; then chown 1000:1000 "$dir"/*.pem "$dir"/api_keys "$dir"/operator_api_keys "$dir"/merchant_webhook_secret "$dir"/api_cursor_secret; fi
