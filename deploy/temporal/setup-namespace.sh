#!/bin/sh
# One-shot admin step: wait for the Temporal frontend, create the namespace if it is missing and
# register the payment search attributes (docs/design.md §2.6). Idempotent.
#   TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE   where
#   NAMESPACE_RETENTION                    how long closed payments stay readable (Go duration)
#   PAYMENT_SEARCH_ATTRIBUTES              space-separated Name=Type pairs
set -eu
: "${TEMPORAL_ADDRESS:?}" "${PAYMENT_SEARCH_ATTRIBUTES:?}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${NAMESPACE_RETENTION:-720h}"

# Runs "$@" until it succeeds, for at most ~2 minutes.
retry() {
  attempt=0
  until "$@" >/dev/null 2>&1; do
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 60 ]; then
      echo "gave up after $attempt attempts: $*" >&2
      exit 1
    fi
    sleep 2
  done
}

retry temporal operator cluster health --address "$TEMPORAL_ADDRESS"

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "namespace $NAMESPACE exists"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" --retention "$RETENTION"
  echo "namespace $NAMESPACE created (retention $RETENTION)"
fi

registered() {
  temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE"
}
# A new namespace reaches the frontend's cache a few seconds after it was created.
retry registered

# True when the listing has a row "<name> <type>".
listed() {
  echo "$1" | grep -Eq "^[[:space:]]*$2[[:space:]]+$3[[:space:]]*\$"
}

for pair in $PAYMENT_SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  type="${pair#*=}"
  if listed "$(registered)" "$name" "$type"; then
    echo "search attribute $name ($type) exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NAMESPACE" \
      --name "$name" --type "$type"
    echo "search attribute $name ($type) created"
  fi
done

# Fail the step (and so the services that wait for it) unless every attribute is there with its
# type; an attribute of the same name and another type needs an operator.
listing="$(registered)"
for pair in $PAYMENT_SEARCH_ATTRIBUTES; do
  listed "$listing" "${pair%%=*}" "${pair#*=}" || { echo "search attribute $pair is not registered" >&2; exit 1; }
done
echo "namespace $NAMESPACE is ready"
