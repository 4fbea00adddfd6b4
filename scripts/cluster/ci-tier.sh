#!/usr/bin/env bash
# The CI cluster tier (.ci/run): the production engine, PostgreSQL + 2 temporal-server nodes,
# carries the payment end-to-end scenarios with two worker processes, then a chaos slice of
# CLUSTER_TIER_PAYMENTS payments while node 2 is SIGKILLed and restarted and PostgreSQL is
# restarted (0 mismatches, 0 money violations, or the chaos run exits non-zero). A cold machine
# builds temporal-server once (~8 min on 2 cores) into the per-user cache.
#   CLUSTER_TIER_BASE_PORT (14000): chaos stack on base…base+5233, clusters at base+6000 and base+7000
set -euo pipefail
cd "$(dirname "$0")/../.."
base=${CLUSTER_TIER_BASE_PORT:-14000}
payments=${CLUSTER_TIER_PAYMENTS:-100}
t0=$(date +%s)
lap() { printf 'cluster tier: %s (+%ss)\n' "$1" "$(( $(date +%s) - t0 ))"; }

bash scripts/install-system-deps.sh --cluster
data=$(mktemp -d "${TMPDIR:-/tmp}/codepay-cluster-tier-XXXXXX")
out="$data/cluster.out"
cluster_pid=
cleanup() {
  if [ -n "$cluster_pid" ] && kill -0 "$cluster_pid" 2>/dev/null; then
    kill -TERM "$cluster_pid"
    wait "$cluster_pid" || true
  fi
}
trap cleanup EXIT

lap "starting the 2-node cluster (builds temporal-server if this machine has no cached build)"
# tsx itself (not npx, which does not pass signals on) so that cleanup's SIGTERM reaches it.
node_modules/.bin/tsx scripts/cluster/run.ts --nodes 2 --port-base $((base + 7000)) --data "$data/cluster" >"$out" &
cluster_pid=$!
# A cold build takes ~8 min on 2 cores; 25 min leaves room on a busy machine.
for _ in $(seq 1 1500); do
  grep -q '^TEMPORAL_ADDRESS=' "$out" && break
  kill -0 "$cluster_pid" 2>/dev/null || { echo "cluster tier: npm run cluster exited before it was ready"; exit 1; }
  sleep 1
done
cat "$out"
address=$(sed -n 's/^TEMPORAL_ADDRESS=//p' "$out")
[ -n "$address" ] || { echo "cluster tier: no TEMPORAL_ADDRESS after 25 min"; exit 1; }
[ "$(grep -c '^NODE ' "$out")" -eq 2 ] || { echo "cluster tier: expected 2 NODE lines"; exit 1; }

lap "payment end-to-end scenarios on the cluster, 2 worker processes"
E2E_TEMPORAL_ADDRESS="$address" E2E_WORKER_PROCESSES=2 npx jest --ci test/e2e/payment-flow.test.ts

lap "stopping the cluster"
cleanup
cluster_pid=

lap "chaos slice: $payments payments, node 2 SIGKILLed and restarted, PostgreSQL restarted"
npm run chaos -- --temporal cluster --workers 2 --payments "$payments" --seed 13 --quick --base-port "$base"

rm -rf "$data"
lap "passed"
