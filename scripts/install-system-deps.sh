#!/usr/bin/env bash
# Debian packages the tests need: chromium (headless shopper test), docker-compose (validates the
# compose file; there is no Docker engine here), prometheus for its promtool (tests the alert rules
# of deploy/prometheus). Installs only what is missing.
#   --cluster   also what `npm run cluster` needs: PostgreSQL and netcat (deploy/temporal/setup-schema.sh)
set -euo pipefail
missing=()
if [ "${1:-}" = --cluster ]; then
  compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
  command -v nc >/dev/null || missing+=(netcat-openbsd)
fi
command -v chromium >/dev/null || missing+=(chromium)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v openssl >/dev/null || missing+=(openssl)
command -v promtool >/dev/null || missing+=(prometheus)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-system-deps: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
